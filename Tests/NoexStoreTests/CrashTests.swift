import Foundation
import NoexStore
import NoexWire
import Testing

/// Kills `noex-store-crashtest` with SIGKILL at random moments (also while it restores) and
/// checks that every acknowledged record survives, over 20 kill/restart cycles per adapter
/// and durability level.
@Suite(.serialized) struct CrashTests {
    /// The executable sits next to the test bundle in the build directory.
    static var executable: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("noex-store-crashtest").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// When a cycle's writer is killed.
    enum KillPlan {
        /// This long after launch: before, during or after the restore.
        case afterMilliseconds(Int)
        /// Once it has acknowledged this many writes.
        case afterAcks(Int)

        /// Half by time, half by acknowledgements (fewer with `fsync`: one costs milliseconds).
        static func random(_ durability: String) -> KillPlan {
            Bool.random()
                ? .afterMilliseconds(Int.random(in: 0...250))
                : .afterAcks(Int.random(in: 1...(durability == "fsync" ? 60 : 250)))
        }
    }

    /// A running writer.
    struct Writer {
        let process = Process()
        let output = Pipe()
        let errors = Pipe()

        init(_ executable: String, _ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        /// Reads lines until `stop` says so or the writer's output ends.
        func read(until stop: (_ line: String) -> Bool) {
            var buffer = Data()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return }  // the writer is gone
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    if stop(line) { return }
                }
            }
        }
    }

    /// One cycle: runs the writer, kills it as planned, returns the keys it acknowledged
    /// (every complete `ack` line, also those still in the pipe when it died).
    func cycle(_ executable: String, _ arguments: [String], _ plan: KillPlan) throws -> [String] {
        let writer = try Writer(executable, arguments)
        let pid = writer.process.processIdentifier
        let timer = DispatchWorkItem { kill(pid, SIGKILL) }
        var limit = Int.max
        switch plan {
        case .afterMilliseconds(let ms): DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms), execute: timer)
        case .afterAcks(let n): limit = n
        }
        var acked: [String] = []
        writer.read { line in
            if line.hasPrefix("ack ") { acked.append(String(line.dropFirst(4))) }
            if acked.count >= limit { kill(pid, SIGKILL) }
            return false  // read to the end: lines already in the pipe were acknowledged
        }
        timer.cancel()
        kill(pid, SIGKILL)  // (a no-op when it is already dead; it is not reaped yet)
        writer.process.waitUntilExit()
        let errors = String(decoding: writer.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(writer.process.terminationReason == .uncaughtSignal, "the writer was killed, not stopped: \(errors)")
        return acked
    }

    @Test(arguments: [("file", "sync"), ("sqlite", "sync"), ("file", "fsync"), ("sqlite", "fsync")])
    func noAcknowledgedWriteIsLostOverTwentyKills(_ mode: String, _ durability: String) throws {
        let executable = try #require(Self.executable, "build the noex-store-crashtest product (swift build) before the tests")
        let dir = temporaryDirectory("crash-\(mode)-\(durability)")
        let path = mode == "file" ? dir + "/data" : dir + "/store.db"
        var acknowledged: [String] = []
        for n in 0..<20 {
            acknowledged += try cycle(executable, [mode, path, "1000000", durability, "c\(n)-"], .random(durability))
        }
        #expect(acknowledged.count >= 20)
        let configuration: PersistenceConfiguration = mode == "file" ? .file(directory: path) : .sqlite(path: path)
        let notices = Notices()
        let store = try Store(configuration: .init(persistence: configuration, ttlCheckIntervalMs: 0, persistenceNotice: notices.add))
        let stored = Set(try store.bucket("items").all().compactMap { $0["id"]?.stringValue })
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        #expect(Set(acknowledged).count == acknowledged.count)
        print("CrashTests \(mode)/\(durability): 20 kills, \(acknowledged.count) acknowledged, \(stored.count) stored, "
            + "\(missing.count) missing, notices: \(notices.lines)")
        try store.close()
    }

    @Test(arguments: ["file", "sqlite"]) func aRunningWriterOwnsItsData(_ mode: String) throws {
        let executable = try #require(Self.executable)
        let dir = temporaryDirectory("crash-owner-\(mode)")
        let path = mode == "file" ? dir + "/data" : dir + "/store.db"
        let writer = try Writer(executable, [mode, path, "1000000"])
        writer.read { $0.hasPrefix("ready") }
        let configuration: PersistenceConfiguration = mode == "file" ? .file(directory: path) : .sqlite(path: path)
        let message = storeError { () throws(StoreError) in try makeStoreTyped(configuration) }?.message ?? ""
        kill(writer.process.processIdentifier, SIGKILL)
        writer.process.waitUntilExit()
        #expect(message.contains("\"\(path)\" is already in use by another process (pid \(writer.process.processIdentifier) on "),
            "\(message)")
        // Its death releases the lock.
        try makeStore(configuration).close()
    }
}
