import Foundation
import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import NoexYAML
import Testing

/// `--schema`, `--shutdown-grace-ms`, the start-up summary and start failure messages.
@Suite struct StartupOptionsTests {
    @Test func schemaAndShutdownGraceFlagsAndKeys() throws {
        let options = try CommandLineOptions.parse(["--schema", "s.yaml", "--shutdown-grace-ms=2500"])
        #expect(options.schemaFile == "s.yaml")
        #expect(options.shutdownGraceMs == "2500")
        let settings = try ServerSettings.resolve(options: options, file: nil).get()
        #expect(settings.schemaFile == "s.yaml")
        #expect(settings.shutdownGraceMs == 2500)

        let fromFile = try ServerSettings.resolve(
            options: CommandLineOptions(), file: ["schema": "deploy/schema.json", "shutdownGraceMs": 10_000]
        ).get()
        #expect(fromFile.schemaFile == "deploy/schema.json")
        #expect(fromFile.shutdownGraceMs == 10_000)
        // The flag wins over the file.
        let both = try ServerSettings.resolve(
            options: CommandLineOptions.parse(["--shutdown-grace-ms", "0", "--schema", "a.json"]),
            file: ["schema": "b.json", "shutdownGraceMs": 10_000]
        ).get()
        #expect(both.shutdownGraceMs == 0)
        #expect(both.schemaFile == "a.json")
        #expect(try ServerSettings.resolve(options: CommandLineOptions(), file: nil).get().shutdownGraceMs == 0)
        #expect(CommandLineOptions.usage.contains("--schema <path>"))
        #expect(CommandLineOptions.usage.contains("--shutdown-grace-ms <n>"))
    }

    @Test func shutdownGraceOutOfRangeIsRefused() throws {
        for raw in ["-1", "1.5", "abc", "3600001", "Infinity"] {
            let result = ServerSettings.resolve(options: try CommandLineOptions.parse(["--shutdown-grace-ms=\(raw)"]), file: nil)
            #expect(result.failureMessages == ["Invalid shutdown grace: \(raw) (must be integer 0-3600000 ms)"])
        }
        let fromFile = ServerSettings.resolve(options: CommandLineOptions(), file: ["shutdownGraceMs": "soon"])
        #expect(fromFile.failureMessages == ["Invalid shutdown grace: soon (must be integer 0-3600000 ms)"])
        #expect(try ServerSettings.resolve(options: CommandLineOptions.parse(["--shutdown-grace-ms", "3600000"]), file: nil).get()
            .shutdownGraceMs == 3_600_000)
    }

    @Test func bindFailuresNameTheAddress() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        var configuration = ServerConfiguration(store: try Store())
        configuration.host = "127.0.0.1"
        configuration.port = harness.server.port
        configuration.logWarning = { _ in }
        await #expect {
            _ = try await NoexServer.start(configuration)
        } throws: { error in
            StartupSummary.startFailure(error, host: "127.0.0.1", port: harness.server.port)
                == "127.0.0.1:\(harness.server.port) already in use"
        }
        configuration.host = "no-such-host.invalid"
        configuration.port = 0
        await #expect {
            _ = try await NoexServer.start(configuration)
        } throws: { error in
            StartupSummary.startFailure(error, host: "no-such-host.invalid", port: 0)
                .hasPrefix("cannot listen on no-such-host.invalid:0")
        }
    }

    @Test func schemaFailuresNameTheDefinition() async throws {
        var configuration = ServerConfiguration(store: try Store())
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.schema = try ServerSchema(json: ["queries": ["q": ["bucket": "nowhere"]]])
        await #expect {
            _ = try await NoexServer.start(configuration)
        } throws: { error in
            StartupSummary.startFailure(error, host: "127.0.0.1", port: 0) == #"schema: query "q": Bucket "nowhere" is not defined"#
        }
    }

    @Test func summaryNamesFilesCountsAndTime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("noex-summary-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = ServerSettings()
        settings.persistence = .file
        settings.dataDir = directory
        #expect(StartupSummary.persistenceFiles(settings).isEmpty)
        #expect(StartupSummary.restoring(settings, files: []) == "Store: \(directory) is new, nothing to restore")

        let store = try Store(configuration: settings.storeConfiguration)
        try store.defineBucket("notes", json: ["key": "id", "schema": ["id": ["type": "string", "generated": "uuid"]]])
        for _ in 0..<3 { _ = try store.bucket("notes").insert([:]) }
        try store.defineBucket("_sessions", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        _ = try store.bucket("_sessions").insert(["id": "s1"])
        try store.close()

        let files = StartupSummary.persistenceFiles(settings)
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.path.hasPrefix(directory + "/") && $0.bytes >= 0 })
        #expect(StartupSummary.restoring(settings, files: files)?.hasPrefix("Restoring store from \(directory) (") == true)
        let reopened = try Store(configuration: settings.storeConfiguration)
        defer { try? reopened.close() }
        var report = StartupReport()
        report.restoredQueries = 2
        report.restoredRules = 1
        let lines = StartupSummary.restored(
            settings, files: files, storeStats: reopened.stats(), report: report, restoreMs: 42)
        #expect(
            lines.first
                == "Restored in 42 ms: 1 bucket(s) (+1 system), 3 record(s), 1 session(s), 2 query(ies), 0 procedure(s), 1 rule(s)")
        #expect(lines.last?.hasPrefix("  from \(directory)/") == true)
        #expect(StartupSummary.progress(elapsedSeconds: 3) == "  still restoring... 3 s")

        report.schemaChanges = ["created bucket \"a\""]
        report.schemaUnchanged = 2
        #expect(StartupSummary.schema(path: "s.yaml", report: report) == #"Schema s.yaml: created bucket "a"; 2 unchanged"#)
        settings.persistence = .memory
        #expect(StartupSummary.restored(settings, files: [], storeStats: [:], report: report, restoreMs: 1).isEmpty)
    }

    @Test func theExampleSchemaFileApplies() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/examples/schema.yaml").path
        let document = try ConfigFile.loadDocument(path: path) { text in try YAMLParser.parse(text).jsonValue() }
        let schema = try ServerSchema(json: document)
        let harness = try await Harness.start { $0.schema = schema }
        defer { Task { await harness.stop() } }
        #expect(harness.server.startupReport.schemaChanges.count == 4)
        let client = try await harness.client()
        _ = try await client.result(
            "procedures.call", ["name": "post-message", "input": ["room": "lobby", "author": "ann", "text": "hi"]])
        let subscribed = try await client.result("store.subscribe", ["query": "chat-room", "params": ["room": "lobby"]])
        #expect(subscribed["data"]?.arrayValue?.first?["text"] == "hi")
        try await waitUntil { harness.rules?.getFact("chat:last-room") == "lobby" }
    }
}

extension Result where Failure == ServerSettings.ResolveErrors {
    /// The validation messages of a failed resolve; empty on success.
    fileprivate var failureMessages: [String] {
        if case .failure(let errors) = self { return errors.messages }
        return []
    }
}
