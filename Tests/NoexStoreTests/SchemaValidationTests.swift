import NoexStore
import NoexWire
import Testing

@Suite struct SchemaValidationTests {
    func bucket(_ schema: JSONObject, key: String = "id") throws -> BucketHandle {
        let store = try makeStore()
        var fields = schema
        if fields[key] == nil { fields[key] = ["type": "number", "generated": "autoincrement"] }
        try store.defineBucket("b", json: ["key": .string(key), "schema": .object(fields)])
        return try store.bucket("b")
    }

    func issues(_ b: BucketHandle, _ data: JSONObject) -> [ValidationIssue] {
        guard case .validation(_, let issues)? = storeError({ () throws(StoreError) in try b.insert(data) }) else { return [] }
        return issues
    }

    @Test func requiredRejectsMissingAndNull() throws {
        let b = try bucket(["name": ["type": "string", "required": true]])
        #expect(issues(b, [:]) == [ValidationIssue(field: "name", message: "Field is required", code: "required")])
        #expect(issues(b, ["name": nil]) == [ValidationIssue(field: "name", message: "Field is required", code: "required")])
        #expect(try b.insert(["name": "x"])["name"] == "x")
    }

    @Test func typeMessagesNameTheActualKind() throws {
        let b = try bucket([
            "s": ["type": "string"], "n": ["type": "number"], "b": ["type": "boolean"], "o": ["type": "object"],
            "a": ["type": "array"], "d": ["type": "date"],
        ])
        #expect(issues(b, ["s": 1, "n": "1", "b": "true", "o": [1], "a": ["x": 1], "d": true]) == [
            ValidationIssue(field: "s", message: "Expected type \"string\", got number", code: "type"),
            ValidationIssue(field: "n", message: "Expected type \"number\", got string", code: "type"),
            ValidationIssue(field: "b", message: "Expected type \"boolean\", got string", code: "type"),
            ValidationIssue(field: "o", message: "Expected type \"object\", got array", code: "type"),
            ValidationIssue(field: "a", message: "Expected type \"array\", got object", code: "type"),
            ValidationIssue(field: "d", message: "Expected type \"date\", got boolean", code: "type"),
        ])
        // date accepts any number or string; null skips the checks of a non-required field.
        #expect(try b.insert(["d": 1_700_000_000_000, "s": nil])["d"] == 1_700_000_000_000)
        #expect(try b.insert(["d": "anything"])["d"] == "anything")
    }

    @Test func enumListsAllowedValues() throws {
        let b = try bucket(["role": ["type": "string", "enum": ["admin", "user"]], "level": ["type": "number", "enum": [1, 2]]])
        #expect(issues(b, ["role": "root", "level": 3]) == [
            ValidationIssue(field: "role", message: "Value must be one of: admin, user", code: "enum"),
            ValidationIssue(field: "level", message: "Value must be one of: 1, 2", code: "enum"),
        ])
        #expect(try b.insert(["role": "admin", "level": 2])["role"] == "admin")
    }

    @Test func stringConstraintsAccumulateInOrder() throws {
        let b = try bucket(["code": ["type": "string", "minLength": 3, "maxLength": 4, "pattern": "^[a-z]+$"]])
        #expect(issues(b, ["code": "A1"]) == [
            ValidationIssue(field: "code", message: "Minimum length is 3", code: "minLength"),
            ValidationIssue(field: "code", message: "Value must match pattern \"^[a-z]+$\"", code: "pattern"),
        ])
        #expect(issues(b, ["code": "abcde"]) == [ValidationIssue(field: "code", message: "Maximum length is 4", code: "maxLength")])
        #expect(try b.insert(["code": "abc"])["code"] == "abc")
    }

    @Test func patternIsUnanchoredPartialMatch() throws {
        let b = try bucket(["s": ["type": "string", "pattern": "[0-9]"]])
        #expect(try b.insert(["s": "abc1def"])["s"] == "abc1def")
        #expect(issues(b, ["s": "abc"]).map(\.code) == ["pattern"])
    }

    /// Issue 14: a bucket's pattern runs on every writer's insert, so it is bounded in length
    /// when defined and in time when matched; a search that runs out of time refuses the value.
    @Test func patternsAreBoundedInLengthAndTime() throws {
        let store = try makeStore()
        let long = String(repeating: "a", count: 513)
        let tooLong = storeError { () throws(StoreError) in
            try store.defineBucket("long", json: ["key": "id", "schema": ["id": ["type": "string"], "s": ["type": "string", "pattern": .string(long)]]])
        }
        guard case .invalidDefinition(let message)? = tooLong else {
            Issue.record("expected invalidDefinition, got \(String(describing: tooLong))")
            return
        }
        #expect(message == #"Invalid "pattern" for field "s" in bucket "long": expected a regular expression of at most 512 bytes, found 513"#)
        _ = try bucket(["s": ["type": "string", "pattern": .string(String(repeating: "a", count: 512))]])
        let catastrophic = try bucket(["s": ["type": "string", "pattern": "^(a+)+$"]])
        #expect(issues(catastrophic, ["s": .string(String(repeating: "a", count: 40) + "b")]).map(\.code) == ["pattern"])
        #expect(try catastrophic.insert(["s": "aaa"])["s"] == "aaa")
    }

    @Test func numericBounds() throws {
        let b = try bucket(["age": ["type": "number", "min": 0, "max": 150.5]])
        #expect(issues(b, ["age": -1]) == [ValidationIssue(field: "age", message: "Minimum value is 0", code: "min")])
        #expect(issues(b, ["age": 151]) == [ValidationIssue(field: "age", message: "Maximum value is 150.5", code: "max")])
        #expect(try b.insert(["age": 150.5])["age"] == 150.5)
    }

    @Test func emailFormat() throws {
        let b = try bucket(["e": ["type": "string", "format": "email"]])
        for ok in ["a@b.c", "user.name+tag@example.co.uk"] { #expect(try b.insert(["e": .string(ok)])["e"] == .string(ok)) }
        for bad in ["user @x.com", "a@@b.c", "a@b", "@b.c", "a@b.", "plain"] {
            #expect(issues(b, ["e": .string(bad)]) == [ValidationIssue(field: "e", message: "Invalid email format", code: "format")], "\(bad)")
        }
    }

    @Test func urlFormat() throws {
        let b = try bucket(["u": ["type": "string", "format": "url"]])
        for ok in ["https://example.com", "ftp://files.example.com/x", "http://localhost:3000/p?q=1", "mailto:a@b.c"] {
            #expect(try b.insert(["u": .string(ok)])["u"] == .string(ok), "\(ok)")
        }
        for bad in ["example.com", "http://", "http://exa mple.com", "://x"] {
            #expect(issues(b, ["u": .string(bad)]).map(\.message) == ["Invalid url format"], "\(bad)")
        }
    }

    @Test func isoDateFormat() throws {
        let b = try bucket(["d": ["type": "string", "format": "iso-date"]])
        for ok in ["2024-02-29", "2024-06-15T10:30:00Z", "2024-06-15T10:30:00.123+02:00", "2024-06-15T10:30:00"] {
            #expect(try b.insert(["d": .string(ok)])["d"] == .string(ok), "\(ok)")
        }
        for bad in ["2024-02-30", "2023-02-29", "2024-13-01", "2024-6-15", "2024-06-15T00:30:00+02:00", "2024-06-15T25:00:00Z", "yesterday"] {
            #expect(issues(b, ["d": .string(bad)]).map(\.message) == ["Invalid iso-date format"], "\(bad)")
        }
    }

    @Test func formatAndBoundsIgnoreOtherTypes() throws {
        // Constraints only apply to values of their kind; a date field may hold a number.
        let b = try bucket(["d": ["type": "date", "format": "iso-date", "min": 5, "minLength": 50]])
        #expect(try b.insert(["d": 10])["d"] == 10)
        #expect(issues(b, ["d": 1]).map(\.code) == ["min"])
    }

    @Test func validationErrorMessageJoinsIssues() throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        let error = storeError { () throws(StoreError) in try store.bucket("users").insert(["email": "nope", "age": "x"]) }
        #expect(error?.message
            == "Validation failed for bucket \"users\": name: Field is required; email: Invalid email format; age: Expected type \"number\", got string")
        #expect(error?.code.rawValue == "VALIDATION_ERROR")
        #expect(error?.details == .array([
            ["field": "name", "message": "Field is required", "code": "required"],
            ["field": "email", "message": "Invalid email format", "code": "format"],
            ["field": "age", "message": "Expected type \"number\", got string", "code": "type"],
        ]))
    }

    @Test func defaultsAndGeneratedValues() throws {
        let store = try makeStore()
        try store.defineBucket("b", BucketDefinition(key: "id", fields: [
            ("id", try FieldDefinition(type: .number, generated: .autoincrement)),
            ("uid", try FieldDefinition(type: .string, generated: .uuid)),
            ("cid", try FieldDefinition(type: .string, generated: .cuid)),
            ("ts", try FieldDefinition(type: .number, generated: .timestamp)),
            ("role", try FieldDefinition(type: .string, default: .value("user"))),
            ("stamp", try FieldDefinition(type: .string, default: .dynamic({ "dynamic" }))),
            ("note", try FieldDefinition(type: .string, default: .value("d"))),
        ]))
        let b = try store.bucket("b")
        let first = try b.insert(["note": nil])
        #expect(first["id"] == 1)
        #expect(first["role"] == "user")
        #expect(first["stamp"] == "dynamic")
        #expect(first["note"] == .null, "a default applies only to a missing value, not to null")
        let uid = try #require(first["uid"]?.stringValue)
        #expect(uid.count == 36 && uid == uid.lowercased() && Array(uid)[14] == "4")
        let cid = try #require(first["cid"]?.stringValue)
        #expect(cid.count == 33 && cid.hasPrefix("c") && cid.dropFirst().allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(first["ts"] == first["_createdAt"])
        #expect(try b.insert(["id": 10])["id"] == 10, "a supplied value is not regenerated")
        #expect(try b.insert([:])["id"] == 3, "a supplied value still consumes the counter")
        // A failed insert consumes a counter value too.
        _ = storeError { () throws(StoreError) in try b.insert(["role": 5]) }
        #expect(try b.insert([:])["id"] == 5)
    }

    @Test func metadataIsSetAndClientValuesAreOverwritten() throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        let record = try store.bucket("users").insert(["name": "a", "_version": 9, "_createdAt": 1, "extra": true])
        #expect(record["_version"] == 1)
        #expect(record["_createdAt"] == record["_updatedAt"])
        #expect((record["_createdAt"]?.numberValue ?? 0) > 1_600_000_000_000)
        #expect(record["extra"] == true, "unknown fields are kept")
        #expect(record["_expiresAt"] == nil)
    }

    @Test func missingKeyIsRequired() throws {
        let store = try makeStore()
        try store.defineBucket("b", json: ["key": "code", "schema": ["code": ["type": "string"]]])
        let error = storeError { () throws(StoreError) in try store.bucket("b").insert([:]) }
        #expect(error == .validation(bucket: "b", issues: [ValidationIssue(field: "code", message: "Field is required", code: "required")]))
    }

    @Test func refIsDeclaredAndReadBack() throws {
        let store = try makeStore()
        try store.defineBucket("posts", json: ["key": "id", "schema": ["id": ["type": "string"], "author": ["type": "string", "ref": "users"]]])
        #expect(try store.bucketSchema("posts")["schema"]?["author"]?["ref"] == "users")
        #expect(try store.bucket("posts").insert(["id": "p", "author": "nobody"])["author"] == "nobody")
    }
}
