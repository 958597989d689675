import NoexStore
import NoexWire
import Testing

@Suite struct WriteTests {
    func users() throws -> (Store, BucketHandle) {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        return (store, try store.bucket("users"))
    }

    @Test func insertDuplicateKeyIsAlreadyExists() throws {
        let (_, users) = try users()
        try users.insert(["id": "u1", "name": "a"])
        let error = storeError { () throws(StoreError) in try users.insert(["id": "u1", "name": "b"]) }
        #expect(error == .alreadyExists(bucket: "users", key: "u1"))
        #expect(error?.code.rawValue == "ALREADY_EXISTS")
        #expect(try users.get("u1")?["name"] == "a")
    }

    @Test func keysAreTypedJSONValues() throws {
        let store = try makeStore()
        try store.defineBucket("k", json: ["key": "id", "schema": ["id": ["type": "object"]]])
        let k = try store.bucket("k")
        // Numbers and strings are different keys; object keys compare by value.
        try store.defineBucket("n", json: ["key": "id", "schema": ["id": ["type": "date"]]])
        let n = try store.bucket("n")
        try n.insert(["id": 1])
        try n.insert(["id": "1"])
        #expect(try n.count() == 2)
        #expect(try n.get(1)?["id"] == 1)
        try k.insert(["id": ["a": 1, "b": 2]])
        #expect(try k.get(["b": 2, "a": 1]) != nil)
    }

    @Test func uniqueConstraint() throws {
        let (_, users) = try users()
        let a = try users.insert(["name": "a", "email": "x@y.cz"])
        let error = storeError { () throws(StoreError) in try users.insert(["name": "b", "email": "x@y.cz"]) }
        #expect(error?.message == "Unique constraint violation in bucket \"users\": field \"email\" already has value \"x@y.cz\"")
        #expect(error?.details == ["bucket": "users", "field": "email", "value": "x@y.cz"])
        #expect(try users.count() == 1)
        // null is never indexed, so several records may have no email
        try users.insert(["name": "c"])
        try users.insert(["name": "d", "email": nil])
        // Updating the same record with its own value is fine; taking another's is not.
        let aKey = try #require(a["id"])
        try users.update(aKey, ["email": "x@y.cz", "age": 3])
        let b = try users.insert(["name": "b", "email": "b@y.cz"])
        let bKey = try #require(b["id"])
        #expect(storeError { () throws(StoreError) in try users.update(bKey, ["email": "x@y.cz"]) }?.code.rawValue
            == "ALREADY_EXISTS")
        // Freed values can be reused.
        try users.update(aKey, ["email": "new@y.cz"])
        try users.update(bKey, ["email": "x@y.cz"])
    }

    @Test func updateSemantics() throws {
        let (_, users) = try users()
        let a = try users.insert(["id": "u1", "name": "a", "age": 1, "nested": ["x": 1, "y": 2]])
        let updated = try users.update("u1", [
            "id": "hacked", "_version": 99, "_createdAt": 0, "name": "b", "nested": ["x": 5], "extra": nil,
        ])
        #expect(updated["id"] == "u1")
        #expect(updated["_version"] == 2)
        #expect(updated["_createdAt"] == a["_createdAt"])
        #expect(updated["name"] == "b")
        #expect(updated["nested"] == ["x": 5], "shallow merge replaces nested objects")
        #expect(updated["extra"] == .null)
        #expect(updated["age"] == 1)
        #expect(try users.get("u1") == updated)
        #expect(try users.update("u1", [:])["_version"] == 3, "every update bumps the version")
        // Generated fields are protected; the whole record is revalidated.
        #expect(storeError { () throws(StoreError) in try users.update("u1", ["name": nil]) }?.message
            == "Validation failed for bucket \"users\": name: Field is required")
        #expect(try users.get("u1")?["_version"] == 3)
    }

    @Test func updateOfMissingKeyIsNotFound() throws {
        let (_, users) = try users()
        let error = storeError { () throws(StoreError) in try users.update("ghost", ["name": "x"]) }
        #expect(error == .notFound(bucket: "users", key: "ghost"))
        #expect(error?.message == "Record with key \"ghost\" not found in bucket \"users\"")
        #expect(error?.code.rawValue == "NOT_FOUND")
    }

    @Test func deleteIsIdempotentAndClearEmpties() throws {
        let (store, users) = try users()
        try users.insert(["id": "u1", "name": "a"])
        try users.insert(["id": "u2", "name": "b", "email": "b@b.cz"])
        #expect(try users.delete("u1"))
        #expect(try !users.delete("u1"))
        #expect(try users.get("u1") == nil)
        try store.defineBucket("other", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        try store.bucket("other").insert(["id": "o"])
        try users.clear()
        #expect(try users.all().isEmpty)
        #expect(try store.bucket("other").count() == 1, "clear empties only that bucket")
        try users.insert(["id": "u3", "name": "c", "email": "b@b.cz"])  // indexes were cleared too
    }

    @Test func reinsertAfterDeleteMovesToTheEnd() throws {
        let (_, users) = try users()
        for k in ["a", "b", "c"] { try users.insert(["id": .string(k), "name": .string(k)]) }
        try users.update("a", ["age": 1])
        #expect(try users.all().map { $0["id"] } == ["a", "b", "c"], "an update keeps the position")
        try users.delete("a")
        try users.insert(["id": "a", "name": "a"])
        #expect(try users.all().map { $0["id"] } == ["b", "c", "a"])
    }

    @Test func manyDeletesKeepOrder() throws {
        let (_, users) = try users()
        for i in 0..<500 { try users.insert(["id": .string("k\(i)"), "name": "x", "role": .string(i % 2 == 0 ? "even" : "odd")]) }
        for i in stride(from: 0, to: 500, by: 3) { try users.delete(.string("k\(i)")) }
        let expected = (0..<500).filter { $0 % 3 != 0 }.map { JSONValue.string("k\($0)") }
        #expect(try users.all().map { $0["id"] ?? nil } == expected)
        #expect(try users.where(["role": "even"]).map { $0["id"] ?? nil } == expected.enumerated().compactMap { _, v in
            guard case .string(let s) = v, let n = Int(s.dropFirst()), n % 2 == 0 else { return nil }
            return v
        })
    }

    @Test func operationsAfterCloseFail() throws {
        let (store, users) = try users()
        try store.close()
        #expect(storeError { () throws(StoreError) in try users.insert(["name": "a"]) } == .closed)
        try store.close()
    }
}
