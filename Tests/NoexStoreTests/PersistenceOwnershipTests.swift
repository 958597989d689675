import Foundation
import NoexStore
import NoexWire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One owner per data directory or database file.
@Suite struct PersistenceOwnershipTests {
    @Test func aSecondOwnerOfADataDirectoryIsRefusedWithThePathAndTheHolder() throws {
        let dir = temporaryDirectory("owner-file")
        let first = try makeStore(.file(directory: dir))
        let error = storeError { () throws(StoreError) in try makeStoreTyped(.file(directory: dir)) }
        let message = try #require(error?.message)
        #expect(message.contains("Data directory \"\(dir)\" is already in use by another process (pid \(getpid()) on "), "\(message)")
        #expect(message.contains("lock file \"\(dir)/.lock\""))
        #expect(error?.code.rawValue == "INTERNAL_ERROR")
        try first.close()
        // Closing releases the lock.
        try makeStore(.file(directory: dir)).close()
    }

    @Test func aSecondOwnerOfASQLiteDatabaseIsRefused() throws {
        let path = temporaryDirectory("owner-sqlite") + "/s.db"
        let first = try makeStore(.sqlite(path: path))
        let message = storeError { () throws(StoreError) in try makeStoreTyped(.sqlite(path: path)) }?.message ?? ""
        #expect(message.contains("SQLite database \"\(path)\" is already in use by another process (pid \(getpid())"), "\(message)")
        #expect(message.contains("\(path).lock"))
        try first.close()
        try makeStore(.sqlite(path: path)).close()
    }
}

/// SQLite page damage: reported at start, repaired on request.
@Suite struct SQLiteDamageTests {
    @Test func aDamagedPageStopsTheStartAndRepairKeepsEveryReadableRecord() throws {
        let dir = temporaryDirectory("sqlite-damage")
        let path = dir + "/s.db"
        let count = 3000
        do {
            let store = try makeStore(.sqlite(path: path))
            try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "number"], "pad": ["type": "string"]]])
            let pad = String(repeating: "p", count: 100)
            try store.transaction { tx throws(StoreError) in
                for i in 0..<count { try tx.insert("b", ["id": .number(Double(i)), "pad": .string(pad)]) }
            }
            try store.close()
        }
        var content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pageSize = 4096
        let pages = content.count / pageSize
        #expect(pages > 50)
        // Scribble over the body of one page in the middle (a leaf of the records table).
        let page = pages / 2
        for i in (page * pageSize + 16)..<((page + 1) * pageSize) { content[i] = UInt8(truncatingIfNeeded: i &* 131) }
        try Data(content).write(to: URL(fileURLWithPath: path))

        let notices = Notices()
        let error = storeError { () throws(StoreError) in
            try Store(configuration: .init(persistence: .sqlite(path: path), ttlCheckIntervalMs: 0, persistenceNotice: notices.add))
        }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("SQLite database \"\(path)\" failed its integrity check: "), "\(message)")
        #expect(message.contains("--repair"))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == content, "a refused start changes nothing")

        let store = try Store(configuration: .init(
            persistence: .sqlite(path: path), ttlCheckIntervalMs: 0, repair: true, persistenceNotice: notices.add))
        let kept = try store.bucket("b").all()
        // One damaged leaf holds a few dozen records; everything on other pages is kept intact.
        #expect(kept.count < count)
        #expect(kept.count >= count - 200, "kept \(kept.count) of \(count)")
        for record in kept { #expect(record["pad"]?.stringValue?.count == 100) }
        let report = try #require(notices.lines.last)
        print("SQLiteDamageTests: \(report)")
        #expect(report.contains("kept 1 bucket(s) and \(kept.count) record(s)"), "\(report)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("s.db.damaged-") }
        #expect(!aside.isEmpty)
        try store.bucket("b").insert(["id": .number(Double(count)), "pad": "new"])
        try store.close()
        let again = try makeStore(.sqlite(path: path))
        #expect(try again.bucket("b").count() == kept.count + 1)
        try again.close()
    }
}

/// A file that is not a database at all.
@Suite struct SQLiteNotADatabaseTests {
    @Test func repairReplacesAFileThatIsNotADatabase() throws {
        let dir = temporaryDirectory("sqlite-notadb")
        let path = dir + "/x.db"
        let text = Data(String(repeating: "this is not a database, only text. ", count: 200).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        let message = storeError { () throws(StoreError) in try makeStoreTyped(.sqlite(path: path)) }?.message ?? ""
        #expect(message.contains("failed its integrity check: file is not a database"), "\(message)")
        let notices = Notices()
        let store = try Store(configuration: .init(
            persistence: .sqlite(path: path), ttlCheckIntervalMs: 0, repair: true, persistenceNotice: notices.add))
        #expect(store.bucketNames().isEmpty)
        #expect(notices.lines.last?.contains("kept 0 bucket(s) and 0 record(s)") == true, "\(notices.lines)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("x.db.damaged-") }
        #expect(aside.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + aside[0])) == text, "the original is kept as it was")
        try store.close()
    }
}
