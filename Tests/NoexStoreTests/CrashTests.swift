import Foundation
import NoexStore
import NoexWire
import Testing

/// Kills `noex-store-crashtest` with SIGKILL mid-write and checks that every acknowledged
/// record survives the restart.
@Suite(.serialized) struct CrashTests {
    /// The executable sits next to the test bundle in the build directory.
    static var executable: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("noex-store-crashtest").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the writer until it has acknowledged `killAfter` keys, SIGKILLs it, and returns
    /// every key it acknowledged (lines already in the pipe count: they were acknowledged).
    func runAndKill(_ executable: String, _ mode: String, _ path: String, killAfter: Int) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [mode, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var buffer = Data()
        var acked: [String] = []
        let deadline = Date().addingTimeInterval(60)
        let reader = pipe.fileHandleForReading
        while acked.count < killAfter, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // the child exited early
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.hasPrefix("ack ") { acked.append(String(line.dropFirst(4))) }
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        buffer.append(reader.readDataToEndOfFile())
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix("ack ") {
            acked.append(String(line.dropFirst(4)))
        }
        #expect(process.terminationReason == .uncaughtSignal, "the writer was killed, not finished")
        return acked
    }

    @Test(arguments: ["file", "sqlite"]) func acknowledgedWritesSurviveSigkill(_ mode: String) throws {
        let executable = try #require(Self.executable, "build the noex-store-crashtest product (swift build) before the tests")
        let dir = temporaryDirectory("crash-\(mode)")
        let path = mode == "file" ? dir + "/data" : dir + "/store.db"
        var acknowledged: [String] = []
        // Two kill/restart cycles: the second writer starts from restored data.
        for _ in 0..<2 {
            acknowledged += try runAndKill(executable, mode, path, killAfter: Int.random(in: 50...600))
        }
        #expect(acknowledged.count >= 100)
        let configuration: PersistenceConfiguration = mode == "file" ? .file(directory: path) : .sqlite(path: path)
        let store = try Store(configuration: .init(persistence: configuration, ttlCheckIntervalMs: 0))
        let items = try store.bucket("items")
        let missing = try acknowledged.filter { try items.get(.string($0)) == nil }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        #expect(Set(acknowledged).count == acknowledged.count)
        try store.close()
    }
}
