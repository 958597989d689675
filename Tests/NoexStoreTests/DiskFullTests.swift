import Foundation
import NoexStore
import NoexWire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real full disk (a 1 MiB tmpfs, so these run as root only, as in CI): a write that fails
/// is answered with an error and not stored, nothing acknowledged is lost, also what is
/// acknowledged after space returns, and the store goes on by itself.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    /// Mounts a 1 MiB tmpfs; nil when this system does not allow it.
    static func mountSmallDisk() -> String? {
        let path = temporaryDirectory("diskfull")
        return run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", path]) ? path : nil
    }

    @discardableResult static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(arguments: ["file", "sqlite"]) func writesOnAFullDiskFailAreNotStoredAndNothingAcknowledgedIsLost(_ mode: String)
        throws
    {
        guard let disk = Self.mountSmallDisk() else {
            print("DiskFullTests: cannot mount a tmpfs here; skipped")
            return
        }
        defer { Self.run("/bin/umount", [disk]) }
        // Space taken by something else, freed later.
        let filler = disk + "/filler"
        try Data(count: 256 << 10).write(to: URL(fileURLWithPath: filler))
        let persistence: PersistenceConfiguration = mode == "file" ? .file(directory: disk + "/data") : .sqlite(path: disk + "/s.db")
        let store = try makeStore(persistence)
        try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"], "pad": ["type": "string"]]])
        let pad = JSONValue.string(String(repeating: "p", count: 2000))
        var acknowledged: [String] = []
        var refused: [String] = []
        var messages = Set<String>()
        var i = 0
        while refused.count < 5, i < 5000 {
            let key = "k\(i)"
            i += 1
            if let error = storeError({ () throws(StoreError) in try store.bucket("b").insert(["id": .string(key), "pad": pad]) }) {
                refused.append(key)
                messages.insert(error.message)
                #expect(error.code.rawValue == "INTERNAL_ERROR")
            } else {
                acknowledged.append(key)
            }
        }
        #expect(refused.count == 5, "the disk filled up")
        #expect(messages.contains { $0.contains("No space left on device") || $0.contains("database or disk is full") }, "\(messages)")
        for key in refused { #expect(try store.bucket("b").get(.string(key)) == nil, "refused \(key) is not in memory") }
        // Space returns: later writes are acknowledged without a restart.
        try FileManager.default.removeItem(atPath: filler)
        // (Small records: SQLite's WAL grows by whole pages per commit until its checkpoint.)
        for j in 0..<10 {
            let key = "after\(j)"
            do {
                try store.bucket("b").insert(["id": .string(key), "pad": "small"])
            } catch {
                Issue.record("after space returned, insert \(j) failed: \(error)")
                throw error
            }
            acknowledged.append(key)
        }
        print("DiskFullTests \(mode): \(acknowledged.count) acknowledged, \(refused.count) refused: \(messages)")
        try store.close()
        let notices = Notices()
        let reopened = try Store(configuration: .init(persistence: persistence, ttlCheckIntervalMs: 0, persistenceNotice: notices.add))
        let stored = Set(try reopened.bucket("b").all().compactMap { $0["id"]?.stringValue })
        #expect(acknowledged.filter { !stored.contains($0) }.isEmpty, "acknowledged writes are all there")
        #expect(refused.filter { stored.contains($0) }.isEmpty, "refused writes are not stored")
        #expect(stored.count == acknowledged.count)
        // (Folding the log into a snapshot may not fit on the small disk: that is said and skipped.)
        #expect(!notices.lines.contains { $0.contains("incomplete") }, "no partial record was left: \(notices.lines)")
        try reopened.close()
    }
}
