import Foundation
@testable import NoexStore
import NoexWire
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Damaged persisted data: no start loses a verifiable record without saying so, and a
/// repair keeps every record that verifies.
@Suite struct PersistenceRecoveryTests {
    static let definition: JSONObject = ["key": "id", "schema": ["id": ["type": "string"], "n": ["type": "number"]]]

    func open(_ persistence: PersistenceConfiguration, repair: Bool = false, _ notices: Notices) throws(StoreError) -> Store {
        try Store(configuration: .init(
            persistence: persistence, ttlCheckIntervalMs: 0, repair: repair, persistenceNotice: notices.add))
    }

    /// A directory whose log holds a bucket definition and three inserts (a, b, c).
    func fourLineLog() throws -> String {
        let dir = temporaryDirectory("recovery")
        let store = try makeStore(.file(directory: dir))
        try store.defineBucket("b", json: Self.definition)
        for (i, id) in ["a", "b", "c"].enumerated() { try store.bucket("b").insert(["id": .string(id), "n": .number(Double(i))]) }
        try store.close()
        return dir
    }

    func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// Flips one byte inside the JSON of `line` (1-based) of the file.
    func damage(line: Int, of path: String) throws {
        var content = bytes(path)
        var start = 0
        for _ in 1..<line { start = content[start...].firstIndex(of: UInt8(ascii: "\n"))! + 1 }
        let position = start + 20
        content[position] = content[position] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        try write(content, path)
    }

    func asideFiles(_ dir: String, _ prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(prefix + ".damaged-") }
    }

    @Test func aDamagedMiddleLogLineStopsTheStartAndRepairKeepsTheRest() throws {
        let dir = try fourLineLog()
        let log = dir + "/wal.log"
        try damage(line: 2, of: log)
        let original = bytes(log)
        let notices = Notices()
        let error = storeError { () throws(StoreError) in try open(.file(directory: dir), notices) }
        let message = try #require(error?.message)
        #expect(message.contains("Damaged write-ahead log \"\(log)\" at line 2 (byte offset "), "\(message)")
        #expect(message.contains("checksum mismatch"))
        #expect(message.contains("2 verifiable record(s) follow it"))
        #expect(message.contains("--repair"))
        #expect(bytes(log) == original, "a refused start changes nothing")
        #expect(!FileManager.default.fileExists(atPath: dir + "/snapshot.json"))

        let store = try open(.file(directory: dir), repair: true, notices)
        #expect(try store.bucket("b").all().map { $0["id"] } == ["b", "c"])
        let report = try #require(notices.lines.last)
        #expect(report.contains("kept 3 record(s), dropped 1 damaged line(s) (line 2 (byte offset"), "\(report)")
        let aside = asideFiles(dir, "wal.log")
        #expect(aside.count == 1)
        #expect(bytes(dir + "/" + aside[0]) == original, "the damaged original is kept")
        try store.close()
        let again = try open(.file(directory: dir), notices)
        #expect(try again.bucket("b").all().map { $0["id"] } == ["b", "c"])
        try again.close()
    }

    @Test func aLogFromBeforeChecksumsStillLoadsAndItsDamageIsFound() throws {
        let dir = temporaryDirectory("legacy")
        let lines = [
            #"{"s":1,"op":"define","b":"b","d":{"key":"id","schema":{"id":{"type":"string"}}},"c":0}"#,
            #"{"s":2,"op":"put","b":"b","k":"a","r":{"id":"a"},"c":0}"#,
            #"{"s":3,"op":"put","b":"b","k":"b","r":{"id":"b"},"c":0}"#,
            #"{"s":4,"op":"put","b":"b","k":"c","r":{"id":"c"},"c":0}"#,
        ]
        try write(Array((lines.joined(separator: "\n") + "\n").utf8), dir + "/wal.log")
        let notices = Notices()
        let store = try open(.file(directory: dir), notices)
        #expect(try store.bucket("b").all().map { $0["id"] } == ["a", "b", "c"])
        try store.close()

        // The issue's case: the second line of an old log is corrupted.
        let damaged = temporaryDirectory("legacy-damaged")
        var copy = lines
        copy[1] = #"{"s":2,"op":"put","b":"b","k":"a","r":{"id""#
        try write(Array((copy.joined(separator: "\n") + "\n").utf8), damaged + "/wal.log")
        let message = storeError { () throws(StoreError) in try open(.file(directory: damaged), notices) }?.message ?? ""
        #expect(message.contains("at line 2 (byte offset \(lines[0].utf8.count + 1)): not JSON"), "\(message)")
        let repaired = try open(.file(directory: damaged), repair: true, notices)
        #expect(try repaired.bucket("b").all().map { $0["id"] } == ["b", "c"])
        try repaired.close()
    }

    @Test func aDamagedSnapshotStopsTheStartAndRepairKeepsEveryOtherRecord() throws {
        let dir = try fourLineLog()
        // Reopening folds the log into the snapshot: header, bucket, a, b, c, end.
        try makeStore(.file(directory: dir)).close()
        let snapshot = dir + "/snapshot.json"
        #expect(bytes(dir + "/wal.log").isEmpty)
        try damage(line: 4, of: snapshot)
        let original = bytes(snapshot)
        let notices = Notices()
        let message = storeError { () throws(StoreError) in try open(.file(directory: dir), notices) }?.message ?? ""
        #expect(message.hasPrefix("Damaged snapshot \"\(snapshot)\" at line 4 (byte offset "), "\(message)")
        #expect(message.contains("--repair"))
        #expect(bytes(snapshot) == original)

        let store = try open(.file(directory: dir), repair: true, notices)
        #expect(try store.bucket("b").all().map { $0["id"] } == ["a", "c"])
        let report = try #require(notices.lines.last)
        #expect(report.contains("dropped 1 damaged line(s) (line 4"), "\(report)")
        #expect(report.contains("restored 1 bucket(s), 2 record(s)"), "\(report)")
        #expect(asideFiles(dir, "snapshot.json").count == 1)
        try store.close()
    }

    @Test func aTruncatedSnapshotIsDamageNotATornTail() throws {
        let dir = try fourLineLog()
        try makeStore(.file(directory: dir)).close()
        let snapshot = dir + "/snapshot.json"
        let content = bytes(snapshot)
        // Cut the end line off: the snapshot no longer proves it is complete.
        let lastLine = content.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1
        try write(Array(content[..<lastLine]), snapshot)
        let message = storeError { () throws(StoreError) in try open(.file(directory: dir), Notices()) }?.message ?? ""
        #expect(message.contains("snapshot is incomplete"), "\(message)")
    }

    @Test func aLostSnapshotIsNoticedNotReplacedByTheLogAlone() throws {
        let dir = try fourLineLog()
        try makeStore(.file(directory: dir)).close()  // folds a, b, c into the snapshot
        let store = try makeStore(.file(directory: dir))
        try store.bucket("b").insert(["id": "d", "n": 4])
        try store.close()
        // An emptied snapshot.
        let snapshot = dir + "/snapshot.json"
        let saved = bytes(snapshot)
        try write([], snapshot)
        var message = storeError { () throws(StoreError) in try open(.file(directory: dir), Notices()) }?.message ?? ""
        #expect(message.hasPrefix("Damaged snapshot \"\(snapshot)\": the file is empty."), "\(message)")
        // A deleted one: the log (starting after it) alone would silently lose a, b and c.
        try FileManager.default.removeItem(atPath: snapshot)
        message = storeError { () throws(StoreError) in try open(.file(directory: dir), Notices()) }?.message ?? ""
        #expect(message.hasPrefix("Damaged snapshot \"\(snapshot)\": the file is missing, but the log starts at sequence 5"),
            "\(message)")
        let notices = Notices()
        let repaired = try open(.file(directory: dir), repair: true, notices)
        #expect(repaired.bucketNames().isEmpty, "the log's put has no bucket definition to go to")
        #expect(notices.lines.last?.contains("kept 0 record(s), dropped 1 record(s) of a bucket that no longer exists; original kept as") == true, "\(notices.lines)")
        try repaired.close()
        #expect(asideFiles(dir, "wal.log").count == 1)
        #expect(asideFiles(dir, "snapshot.json").isEmpty, "there was no snapshot to keep")
        _ = saved
    }

    @Test func onlyAnIncompleteLastRecordIsATornTail() throws {
        // A complete last line that fails its checksum is damage, not a torn tail.
        let dir = try fourLineLog()
        try damage(line: 4, of: dir + "/wal.log")
        let message = storeError { () throws(StoreError) in try open(.file(directory: dir), Notices()) }?.message ?? ""
        #expect(message.contains("at line 4"), "\(message)")
        #expect(message.contains("0 verifiable record(s) follow it"))

        // A tail of zero bytes (a power cut after the file grew) is torn, and said so.
        let zeros = try fourLineLog()
        try write(bytes(zeros + "/wal.log") + [UInt8](repeating: 0, count: 300), zeros + "/wal.log")
        let notices = Notices()
        let store = try open(.file(directory: zeros), notices)
        #expect(try store.bucket("b").count() == 3)
        #expect(notices.lines.count == 1 && notices.lines[0].contains("line 5"), "\(notices.lines)")
        try store.close()
    }

    @Test func aFailedAppendIsCutBackSoLaterWritesSurvive() throws {
        let dir = temporaryDirectory("failed-append")
        let adapter = try FilePersistenceAdapter(directory: dir)
        let store = try makeStore(.custom(adapter))
        try store.defineBucket("b", json: Self.definition)
        try store.bucket("b").insert(["id": "a", "n": 1])
        // The disk fills up halfway through the next append.
        adapter.failWrites(afterBytes: 10)
        let refused = storeError { () throws(StoreError) in try store.bucket("b").insert(["id": "refused", "n": 2]) }
        #expect(refused?.code.rawValue == "INTERNAL_ERROR")
        #expect(refused?.message.hasPrefix("Not stored: Cannot write \"\(dir)/wal.log\": No space left on device") == true,
            "\(refused?.message ?? "")")
        #expect(try store.bucket("b").get("refused") == nil, "an error answer means not stored, also in memory")
        let failedUpdate = storeError { () throws(StoreError) in try store.bucket("b").update("a", ["n": 99]) }
        #expect(failedUpdate != nil)
        #expect(try store.bucket("b").get("a")?["n"] == 1)
        // Space returns: the store goes on by itself.
        adapter.failWrites(afterBytes: nil)
        try store.bucket("b").insert(["id": "later", "n": 3])
        try store.bucket("b").update("a", ["n": 4])
        try store.close()
        let notices = Notices()
        let again = try open(.file(directory: dir), notices)
        #expect(try again.bucket("b").all().map { $0["id"] } == ["a", "later"])
        #expect(try again.bucket("b").get("a")?["n"] == 4)
        #expect(notices.lines.isEmpty, "no partial line was left in the log: \(notices.lines)")
        try again.close()
    }

    @Test func aRefusedWriteIsUndoneInMemoryForEveryKindOfChange() throws {
        let adapter = FlakyAdapter()
        let store = try makeStore(.custom(adapter))
        try store.defineBucket("b", json: Self.definition)
        try store.defineBucket("scratch", json: ["key": "id", "schema": ["id": ["type": "string"]], "persistent": false])
        try store.bucket("b").insert(["id": "a", "n": 1])
        try store.bucket("scratch").insert(["id": "s"])
        adapter.failing.withLock { $0 = true }
        #expect(storeError { () throws(StoreError) in try store.bucket("b").insert(["id": "x", "n": 2]) } != nil)
        #expect(storeError { () throws(StoreError) in try store.bucket("b").update("a", ["n": 2]) } != nil)
        #expect(storeError { () throws(StoreError) in try store.bucket("b").delete("a") } != nil)
        #expect(storeError { () throws(StoreError) in try store.bucket("b").clear() } != nil)
        #expect(storeError { () throws(StoreError) in try store.defineBucket("c", json: Self.definition) } != nil)
        #expect(storeError { () throws(StoreError) in try store.dropBucket("b") } != nil)
        #expect(storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("b", ["id": "t", "n": 5])
                try tx.update("b", "a", ["n": 6])
            }
        } != nil)
        #expect(try store.bucket("b").all().map { $0["id"] } == ["a"])
        #expect(try store.bucket("b").get("a")?["n"] == 1)
        #expect(store.bucketNames().contains("c") == false)
        #expect(try store.bucket("scratch").count() == 1, "buckets that are not persisted are left alone")
        adapter.failing.withLock { $0 = false }
        try store.bucket("b").insert(["id": "y", "n": 7])
        try store.defineBucket("c", json: Self.definition)
        #expect(try store.bucket("b").all().map { $0["id"] } == ["a", "y"])
        try store.close()
        let reopened = try makeStore(.custom(adapter))
        #expect(try reopened.bucket("b").all().map { $0["id"] } == ["a", "y"])
        try reopened.close()
    }
}

/// When a refused write cannot even be undone, the store refuses every later write.
@Suite struct UndoFailureTests {
    @Test func aStoreThatCannotUndoRefusesWritesAndStillCloses() throws {
        let adapter = FlakyAdapter()
        let store = try makeStore(.custom(adapter))
        try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        adapter.failing.withLock { $0 = true }
        adapter.failingReload.withLock { $0 = true }
        let first = storeError { () throws(StoreError) in try store.bucket("b").insert(["id": "x"]) }?.message ?? ""
        #expect(first.hasPrefix("A write failed (Disk full (test)) and the data could not be re-read to undo it (Read error (test))"),
            "\(first)")
        adapter.failing.withLock { $0 = false }
        let later = storeError { () throws(StoreError) in try store.bucket("b").insert(["id": "y"]) }?.message ?? ""
        #expect(later == first)
        try store.close()
        #expect(try adapter.inner.load().buckets.first?.records.isEmpty == true)
    }
}

/// Subscribers see the restored data after a refused write.
@Suite struct RefusedWriteSubscriptionTests {
    @Test func aSubscriptionEndsOnTheRestoredData() async throws {
        let adapter = FlakyAdapter()
        let store = try makeStore(.custom(adapter))
        try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        try store.defineQuery("ids", json: ["bucket": "b"])
        try store.bucket("b").insert(["id": "a"])
        let recorder = Recorder()
        let (initial, _) = try store.subscribe(query: "ids") { recorder.record($0) }
        #expect(initial?.arrayValue?.count == 1)
        adapter.failing.withLock { $0 = true }
        #expect(storeError { () throws(StoreError) in try store.bucket("b").insert(["id": "refused"]) } != nil)
        await store.settle()
        // Whether or not the refused record was pushed in between, the last push is the restored data.
        let last = recorder.all.last ?? initial
        #expect(last?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a"], "\(recorder.all)")
        try store.close()
    }
}

/// Concurrent writers sharing group commits while every few adapter writes fail.
@Suite struct RefusedWriteConcurrencyTests {
    @Test func underConcurrentWritersMemoryAndStorageHoldExactlyTheAcknowledgedWrites() throws {
        let adapter = FlakyAdapter()
        adapter.failEvery.withLock { $0 = 5 }
        let store = try makeStore(.custom(adapter))
        try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let acknowledged = Mutex<Set<String>>([])
        let refused = Mutex<Set<String>>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<300 {
                let key = "w\(worker)-\(i)"
                if storeError({ () throws(StoreError) in try store.bucket("b").insert(["id": .string(key)]) }) == nil {
                    acknowledged.withLock { _ = $0.insert(key) }
                } else {
                    refused.withLock { _ = $0.insert(key) }
                }
            }
        }
        let acked = acknowledged.withLock { $0 }
        #expect(!refused.withLock { $0 }.isEmpty)
        #expect(acked.count + refused.withLock { $0.count } == 1200)
        let inMemory = Set(try store.bucket("b").all().compactMap { $0["id"]?.stringValue })
        #expect(inMemory == acked)
        try store.close()
        adapter.failEvery.withLock { $0 = 0 }
        let reopened = try makeStore(.custom(adapter))
        #expect(Set(try reopened.bucket("b").all().compactMap { $0["id"]?.stringValue }) == acked)
        try reopened.close()
    }
}

/// A memory adapter whose writes can be made to fail.
final class FlakyAdapter: PersistenceAdapter {
    let inner = MemoryPersistenceAdapter()
    let failing = Mutex(false)
    /// Whether re-reading the stored state fails too.
    let failingReload = Mutex(false)
    /// When > 0, every n-th write fails.
    let failEvery = Mutex(0)
    private let writes = Mutex(0)

    func load() throws(StoreError) -> PersistedState { try inner.load() }

    func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        if failing.withLock({ $0 }) { throw .persistence("Disk full (test)") }
        let every = failEvery.withLock { $0 }
        if every > 0, writes.withLock({ w in w += 1; return w % every == 0 }) { throw .persistence("Disk full (test)") }
        try inner.write(changes, durability: durability)
    }

    func reload() throws(StoreError) -> PersistedState {
        if failingReload.withLock({ $0 }) { throw .persistence("Read error (test)") }
        return try inner.load()
    }

    var wantsSnapshot: Bool { false }
    func writeSnapshot(_ state: PersistedState) throws(StoreError) { try inner.writeSnapshot(state) }
    func close() throws(StoreError) {}
}

extension FilePersistenceAdapter {
    /// Makes log appends behave like a disk that fills up after `afterBytes` more bytes
    /// (a short write, then `ENOSPC`); nil restores normal writes.
    func failWrites(afterBytes: Int?) {
        guard let afterBytes else {
            writeHook.withLock { $0 = nil }
            return
        }
        let budget = Mutex(afterBytes)
        writeHook.withLock {
            $0 = { fd, pointer, count in
                let allowed = budget.withLock { b in
                    let n = Swift.min(b, count)
                    b -= n
                    return n
                }
                guard allowed > 0 else {
                    errno = ENOSPC
                    return -1
                }
                return Glibc.write(fd, pointer, allowed)
            }
        }
    }
}
