import NoexStore
import NoexWire
import Synchronization
import Testing

@Suite struct TransactionTests {
    func setup() throws -> (Store, BucketHandle, BucketHandle) {
        let store = try makeStore()
        try store.defineBucket("accounts", json: [
            "key": "id", "schema": ["id": ["type": "string"], "balance": ["type": "number", "min": 0], "email": ["type": "string", "unique": true]],
        ])
        try store.defineBucket("log", json: ["key": "id", "schema": ["id": ["type": "number", "generated": "autoincrement"], "msg": ["type": "string"]]])
        let accounts = try store.bucket("accounts")
        try accounts.insert(["id": "a", "balance": 100])
        try accounts.insert(["id": "b", "balance": 50])
        return (store, accounts, try store.bucket("log"))
    }

    @Test func commitsAcrossBucketsWithReadYourOwnWrites() throws {
        let (store, accounts, log) = try setup()
        let result = try store.transaction { tx throws(StoreError) -> [JSONValue] in
            let a = try tx.update("accounts", "a", ["balance": 70])
            let b = try tx.update("accounts", "b", ["balance": 80])
            #expect(try tx.get("accounts", "a")?["balance"] == 70)
            try tx.insert("log", ["msg": "transfer"])
            try tx.insert("log", ["msg": "audit"])
            #expect(try tx.count("log") == 2)
            #expect(try tx.findOne("log", ["msg": "audit"])?["id"] == 2)
            #expect(try tx.where("accounts", ["balance": 80]).map { $0["id"] } == ["b"])
            try tx.insert("accounts", ["id": "c", "balance": 1])
            try tx.delete("accounts", "b")
            #expect(try tx.all("accounts").map { $0["id"] } == ["a", "c"])
            #expect(try accounts.get("a")?["balance"] == 100, "nothing is visible outside before commit")
            return [a["_version"] ?? .null, b["_version"] ?? .null]
        }
        #expect(result == [2, 2])
        #expect(try accounts.all().map { $0["id"] } == ["a", "c"])
        #expect(try accounts.get("a")?["balance"] == 70)
        #expect(try log.all().map { $0["msg"] } == ["transfer", "audit"])
        #expect(try log.insert(["msg": "next"])["id"] == 3, "the autoincrement counter advanced")
    }

    @Test func bufferRules() throws {
        let (store, accounts, _) = try setup()
        try store.transaction { tx throws(StoreError) in
            try tx.insert("accounts", ["id": "n", "balance": 1])
            let updated = try tx.update("accounts", "n", ["balance": 2])
            #expect(updated["_version"] == 2)
            try tx.insert("accounts", ["id": "gone", "balance": 1])
            try tx.delete("accounts", "gone")
            try tx.update("accounts", "a", ["balance": 1])
            try tx.update("accounts", "a", ["balance": 2])
            try tx.update("accounts", "b", ["balance": 3])
            try tx.delete("accounts", "b")  // the reference would conflict here; we delete
            try tx.delete("accounts", "missing")
            #expect(try tx.get("accounts", "b") == nil)
        }
        #expect(try accounts.get("n")?["_version"] == 2)
        #expect(try accounts.get("gone") == nil)
        #expect(try accounts.get("a")?["balance"] == 2)
        #expect(try accounts.get("a")?["_version"] == 3)
        #expect(try accounts.get("b") == nil)
    }

    @Test func errorInBodyWritesNothing() throws {
        let (store, accounts, log) = try setup()
        let error = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.update("accounts", "a", ["balance": 0])
                try tx.insert("log", ["msg": "x"])
                try tx.update("accounts", "b", ["balance": -1])
            }
        }
        #expect(error?.code.rawValue == "VALIDATION_ERROR")
        #expect(try accounts.get("a")?["balance"] == 100)
        #expect(try log.count() == 0)
    }

    @Test func versionConflictAbortsEverything() throws {
        let (store, accounts, log) = try setup()
        let error = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("log", ["msg": "before"])
                try tx.update("accounts", "a", ["balance": 90])
                // Someone else changes "a" before the commit.
                try accounts.update("a", ["balance": 10])
            }
        }
        #expect(error == .transactionConflict(bucket: "accounts", key: "a", detail: "Version mismatch: expected 1, got 2"))
        #expect(error?.message == "Transaction conflict in bucket \"accounts\" for key \"a\": Version mismatch: expected 1, got 2")
        #expect(error?.code.rawValue == "CONFLICT")
        #expect(try accounts.get("a")?["balance"] == 10)
        #expect(try log.count() == 0, "the log bucket (committed first) was not written either")
    }

    @Test func insertAndDeleteConflicts() throws {
        let (store, accounts, _) = try setup()
        let inserted = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("accounts", ["id": "z", "balance": 1])
                try accounts.insert(["id": "z", "balance": 2])
            }
        }
        #expect(inserted?.message == "Transaction conflict in bucket \"accounts\" for key \"z\": Record with key \"z\" already exists")
        let deleted = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.update("accounts", "b", ["balance": 1])
                try accounts.delete("b")
            }
        }
        #expect(deleted?.message == "Transaction conflict in bucket \"accounts\" for key \"b\": Record with key \"b\" not found")
        #expect(storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in try tx.insert("accounts", ["id": "a", "balance": 1]) }
        } == .alreadyExists(bucket: "accounts", key: "a"))
        #expect(storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in try tx.update("accounts", "ghost", [:]) }
        } == .notFound(bucket: "accounts", key: "ghost"))
    }

    @Test func uniqueViolationAtCommitRollsBackAppliedBuckets() throws {
        let (store, accounts, log) = try setup()
        let error = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("log", ["msg": "first"])
                try tx.delete("accounts", "b")
                try tx.update("accounts", "a", ["email": "dup@x.cz"])
                try tx.insert("accounts", ["id": "c", "balance": 1, "email": "dup@x.cz"])
            }
        }
        #expect(error?.message == "Unique constraint violation in bucket \"accounts\": field \"email\" already has value \"dup@x.cz\"")
        #expect(try log.count() == 0)
        #expect(try accounts.all().map { $0["id"] } == ["a", "b"], "the delete was undone in place")
        #expect(try accounts.get("a")?["email"] == nil)
        #expect(try accounts.where(["email": "dup@x.cz"]).isEmpty, "indexes were rolled back")
        try accounts.insert(["id": "d", "balance": 1, "email": "dup@x.cz"])
    }

    @Test func unknownBucketIsBucketNotDefined() throws {
        let (store, _, _) = try setup()
        let error = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in _ = try tx.get("ghost", "k") }
        }
        #expect(error?.code.rawValue == "BUCKET_NOT_DEFINED")
        #expect(error?.message == "Bucket \"ghost\" is not defined")
    }

    @Test func eventsArePublishedAfterCommitInGroupedOrder() async throws {
        let (store, accounts, _) = try setup()
        let topics = Mutex<[String]>([])
        _ = store.onEvent("bucket.accounts.*") { e in topics.withLock { $0.append("\(e.type.rawValue):\(e.key.stringValue ?? "")") } }
        try store.transaction { tx throws(StoreError) in
            try tx.delete("accounts", "b")
            try tx.update("accounts", "a", ["balance": 1])
            try tx.insert("accounts", ["id": "c", "balance": 1])
        }
        _ = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("accounts", ["id": "d", "balance": 1])
                try accounts.insert(["id": "d", "balance": 2])
            }
        }
        await store.settle()
        #expect(topics.withLock { $0 } == ["inserted:c", "updated:a", "deleted:b", "inserted:d"],
            "the failed transaction published nothing; the direct insert did")
    }

    @Test func transactionInsertsGetTtl() throws {
        let store = try makeStore()
        try store.defineBucket("s", json: ["key": "id", "schema": ["id": ["type": "string"]], "ttl": "1h"])
        let record = try store.transaction { tx throws(StoreError) in try tx.insert("s", ["id": "x"]) }
        #expect(record["_expiresAt"] == .number((record["_createdAt"]?.numberValue ?? 0) + 3_600_000))
        #expect(try store.bucket("s").get("x")?["_expiresAt"] == record["_expiresAt"])
    }
}
