import Foundation
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// The `noex-server` executable with `--shutdown-grace-ms`: SIGTERM notifies the connected
/// clients, keeps serving them during the grace period, and closes the ones still there at
/// its end.
@Suite(.serialized) struct ShutdownGraceTests {
    /// The executable sits next to the test bundle in the build directory.
    static var executable: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("noex-server").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A running `noex-server` and everything it printed so far.
    final class RunningServer: Sendable {
        /// What the process printed, appended from the pipe's reader thread.
        final class Output: Sendable {
            let data = Mutex(Data())
            /// Set once the pipe reached end of file: everything printed has been collected.
            let ended = Mutex(false)
        }

        let process: Process
        private let output = Output()

        init(_ executable: String, _ arguments: [String]) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [output] handle in
                let chunk = handle.availableData
                // End of file: stop, or the handler is called again and again.
                guard !chunk.isEmpty else {
                    handle.readabilityHandler = nil
                    output.ended.withLock { $0 = true }
                    return
                }
                output.data.withLock { $0.append(chunk) }
            }
            try process.run()
        }

        var text: String { output.data.withLock { String(decoding: $0, as: UTF8.self) } }

        /// The port of the banner's URL line, once printed.
        func port(timeout: Duration = .seconds(60)) async throws -> Int {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                for line in text.split(separator: "\n") where line.contains("URL:") {
                    if let port = line.split(separator: ":").last.flatMap({ Int($0) }) { return port }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestClient.Timeout(description: "no banner: \(text)")
        }

        /// Waits for the exit; kills the process when it overruns `timeout`.
        func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    process.terminate()
                    throw TestClient.Timeout(description: "noex-server did not exit: \(text)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            // The process may exit before the reader thread has drained the pipe: wait for
            // its end of file, so `text` holds everything that was printed.
            while !output.ended.withLock({ $0 }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            return process.terminationStatus
        }
    }

    @Test func sigtermNotifiesClientsServesThemAndClosesAtTheEndOfTheGrace() async throws {
        let executable = try #require(Self.executable, "build the noex-server product (swift build) before the tests")
        let server = try RunningServer(executable, ["--host", "127.0.0.1", "--port", "0", "--shutdown-grace-ms", "1500"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port()
        let client = try await TestClient.live(port: port)
        _ = try await client.result("store.defineBucket", ["name": "n", "config": ["key": "id", "schema": ["id": ["type": "string"]]]])

        let started = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        let notice = try await client.next(timeout: .seconds(10), "shutdown notice") { $0["type"] == "system" }
        #expect(notice == ["type": "system", "event": "shutdown", "gracePeriodMs": 1500])
        // Still served during the grace period.
        #expect(try await client.result("store.insert", ["bucket": "n", "data": ["id": "a"]])["id"] == "a")
        // Closed at its end, since this client stays.
        #expect(try await client.closed(timeout: .seconds(20)) == 1000)
        #expect(ContinuousClock.now - started >= .milliseconds(1400))
        #expect(try await server.exitStatus() == 0)
        #expect(server.text.contains("Shutting down (notifying clients, up to 1500 ms)..."))
    }

    @Test func theServerExitsAsSoonAsTheLastClientLeaves() async throws {
        let executable = try #require(Self.executable, "build the noex-server product (swift build) before the tests")
        let server = try RunningServer(executable, ["--host", "127.0.0.1", "--port", "0", "--shutdown-grace-ms", "60000"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let client = try await TestClient.live(port: try await server.port())
        let started = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        _ = try await client.next(timeout: .seconds(10), "shutdown notice") { $0["event"] == "shutdown" }
        await client.close()
        #expect(try await server.exitStatus(timeout: .seconds(30)) == 0)
        // Well before the 60 s grace period.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aPortInUseIsNamed() async throws {
        let executable = try #require(Self.executable, "build the noex-server product (swift build) before the tests")
        let first = try RunningServer(executable, ["--host", "127.0.0.1", "--port", "0"])
        defer { if first.process.isRunning { first.process.terminate() } }
        let port = try await first.port()
        let second = try RunningServer(executable, ["--host", "127.0.0.1", "--port", String(port)])
        #expect(try await second.exitStatus() == 1)
        #expect(second.text.contains("Error: 127.0.0.1:\(port) already in use"))
        kill(first.process.processIdentifier, SIGTERM)
        #expect(try await first.exitStatus() == 0)
    }
}
