import Foundation
import NoexStore
import NoexWire
import Testing

@Suite struct PersistenceTests {
    enum Kind: String, CaseIterable { case memoryAdapter, file, sqlite }

    /// A configuration factory that reopens the same storage each time.
    func storage(_ kind: Kind) -> () -> PersistenceConfiguration {
        switch kind {
        case .memoryAdapter:
            let adapter = MemoryPersistenceAdapter()
            return { .custom(adapter) }
        case .file:
            let dir = temporaryDirectory("file")
            return { .file(directory: dir) }
        case .sqlite:
            let path = temporaryDirectory("sqlite") + "/store.db"
            return { .sqlite(path: path) }
        }
    }

    @Test(arguments: Kind.allCases) func roundTripRestoresBucketsRecordsAndCounters(_ kind: Kind) throws {
        let config = storage(kind)
        do {
            let store = try makeStore(config())
            try store.defineBucket("users", json: usersDefinition)
            try store.defineBucket("seq", json: ["key": "id", "schema": ["id": ["type": "number", "generated": "autoincrement"], "v": ["type": "string"]]])
            try store.defineBucket("temp", json: ["key": "id", "schema": ["id": ["type": "string"]], "persistent": false])
            try store.defineBucket("gone", json: ["key": "id", "schema": ["id": ["type": "string"]]])
            let users = try store.bucket("users")
            for name in ["a", "b", "c", "d"] { try users.insert(["id": .string(name), "name": .string(name), "email": .string("\(name)@x.cz")]) }
            try users.update("b", ["age": 7])
            try users.delete("a")
            try users.insert(["id": "a", "name": "a2"])
            let seq = try store.bucket("seq")
            for v in ["x", "y", "z"] { try seq.insert(["v": .string(v)]) }
            try seq.delete(3)
            try store.bucket("temp").insert(["id": "t"])
            try store.bucket("gone").insert(["id": "g"])
            try store.dropBucket("gone")
            try store.updateBucket("users", json: ["addFields": ["nick": ["type": "string"]], "addIndexes": ["age"]])
            #expect(store.stats()["persistence"] == ["enabled": true])
            try store.close()
        }
        let store = try makeStore(config())
        #expect(store.bucketNames() == ["users", "seq"], "non-persistent and dropped buckets are not restored")
        let users = try store.bucket("users")
        #expect(try users.all().map { $0["id"] } == ["b", "c", "d", "a"], "table order survives")
        #expect(try users.get("b")?["age"] == 7)
        #expect(try users.get("b")?["_version"] == 2)
        #expect(try users.where(["age": 7]).count == 1, "indexes are rebuilt, including added ones")
        #expect(storeError { () throws(StoreError) in try users.insert(["name": "dup", "email": "c@x.cz"]) }?.code.rawValue == "ALREADY_EXISTS")
        #expect(try store.bucketSchema("users")["schema"]?["nick"] == ["type": "string"])
        #expect(try store.bucket("seq").insert(["v": "w"])["id"] == 4, "the autoincrement counter is restored")
        // Restored buckets may be defined again at start-up (as reference apps do): data is kept.
        try store.defineBucket("users", json: usersDefinition)
        #expect(try users.count() == 4)
        #expect(storeError { () throws(StoreError) in try store.defineBucket("users", json: usersDefinition) } == .bucketAlreadyExists("users"))
        try store.close()
    }

    @Test(arguments: Kind.allCases) func clearAndRedefinePersist(_ kind: Kind) throws {
        let config = storage(kind)
        do {
            let store = try makeStore(config())
            try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
            try store.bucket("b").insert(["id": "1"])
            try store.bucket("b").clear()
            try store.bucket("b").insert(["id": "2"])
            try store.close()
        }
        let store = try makeStore(config())
        #expect(try store.bucket("b").all().map { $0["id"] } == ["2"])
        try store.close()
    }

    @Test(arguments: [Kind.file, Kind.sqlite]) func asynchronousDurabilityFlushesOnClose(_ kind: Kind) throws {
        let config = storage(kind)
        do {
            let store = try Store(configuration: .init(persistence: config(), durability: .none, ttlCheckIntervalMs: 0, flushIntervalMs: 10_000))
            try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "number"]]])
            for i in 0..<100 { try store.bucket("b").insert(["id": .number(Double(i))]) }
            try store.close()
        }
        let store = try makeStore(config())
        #expect(try store.bucket("b").count() == 100)
        try store.close()
    }

    @Test func fileLogSurvivesWithoutCloseAndIgnoresATornTail() throws {
        let dir = temporaryDirectory("torn")
        do {
            let adapter = try FilePersistenceAdapter(directory: dir)
            let store = try makeStore(.custom(adapter))
            try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
            try store.bucket("b").insert(["id": "kept"])
            try store.bucket("b").update("kept", ["x": 1])
            // No store.close(): the process "dies" here (its files and lock are released by
            // the kernel, as `adapter.close()` does); the log already holds both writes.
            try adapter.close()
        }
        let log = dir + "/wal.log"
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"s":99,"op":"put","b":"b","k":"torn","r":{"id":"#.utf8))
        try handle.close()
        let notices = Notices()
        let store = try Store(configuration: .init(
            persistence: .file(directory: dir), ttlCheckIntervalMs: 0, persistenceNotice: notices.add))
        #expect(notices.lines.count == 1)
        #expect(notices.lines.first?.contains("dropped an incomplete last record at line 4") == true, "\(notices.lines)")
        #expect(try store.bucket("b").all().map { $0["id"] } == ["kept"])
        #expect(try store.bucket("b").get("kept")?["x"] == 1)
        // The restart folded the log into a snapshot, and new writes go on from there.
        try store.bucket("b").insert(["id": "after"])
        try store.close()
        let again = try makeStore(.file(directory: dir))
        #expect(try again.bucket("b").all().map { $0["id"] } == ["kept", "after"])
        try again.close()
    }

    @Test func sqliteSurvivesWithoutClose() throws {
        let path = temporaryDirectory("sqlite-noclose") + "/s.db"
        do {
            let adapter = try SQLitePersistenceAdapter(path: path)
            let store = try makeStore(.custom(adapter))
            try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
            try store.bucket("b").insert(["id": "a"])
            try store.transaction { tx throws(StoreError) in
                try tx.insert("b", ["id": "t1"])
                try tx.update("b", "a", ["v": 2])
            }
            // No store.close() (a real kill -9 is CrashTests' job); release what the kernel would.
            try adapter.close()
        }
        let store = try makeStore(.sqlite(path: path))
        #expect(try store.bucket("b").all().map { $0["id"] } == ["a", "t1"])
        #expect(try store.bucket("b").get("a")?["v"] == 2)
        try store.close()
    }

    @Test func corruptStorageIsAPersistenceError() throws {
        let dir = temporaryDirectory("corrupt")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/snapshot.json"))
        #expect(storeError { () throws(StoreError) in try makeStoreTyped(.file(directory: dir)) }?.code.rawValue == "INTERNAL_ERROR")
        let db = temporaryDirectory("corrupt-db") + "/x.db"
        try Data("this is not a database, it is just text padded out to look like a header".utf8).write(to: URL(fileURLWithPath: db))
        #expect(storeError { () throws(StoreError) in try makeStoreTyped(.sqlite(path: db)) } != nil)
    }

    @Test func fileLogCompactsIntoSnapshots() throws {
        let dir = temporaryDirectory("compact")
        let store = try makeStore(.file(directory: dir))
        try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "number"], "pad": ["type": "string"]]])
        let pad = String(repeating: "p", count: 1000)
        // ~10 MB of updates to 100 records: the log must be folded at least once.
        for i in 0..<10_000 {
            let key = JSONValue.number(Double(i % 100))
            if i < 100 { try store.bucket("b").insert(["id": key, "pad": .string(pad)]) } else { try store.bucket("b").update(key, ["n": .number(Double(i))]) }
        }
        let logSize = (try FileManager.default.attributesOfItem(atPath: dir + "/wal.log")[.size] as? Int) ?? 0
        #expect(logSize < 9 << 20, "the log was compacted (now \(logSize) bytes)")
        try store.close()
        let reopened = try makeStore(.file(directory: dir))
        #expect(try reopened.bucket("b").count() == 100)
        #expect(try reopened.bucket("b").get(99)?["n"] == 9999)
        try reopened.close()
    }
}

/// `makeStore` with a typed throw for `storeError`.
func makeStoreTyped(_ persistence: PersistenceConfiguration) throws(StoreError) -> Store {
    try Store(configuration: .init(persistence: persistence, ttlCheckIntervalMs: 0))
}
