import NoexProtocol
import NoexStore
import NoexServer
import NoexStore
import NoexWire
import Testing

@Suite struct CommandLineOptionsTests {
    @Test func parsesLongShortAndInlineForms() throws {
        let options = try CommandLineOptions.parse([
            "-p", "9000", "--host=127.0.0.1", "--persistence", "sqlite", "--db", "x.db", "--no-rules",
            "--allowed-origins", "a, b", "-c", "cfg.json", "--audit", "--no-error-details",
        ])
        #expect(options.port == "9000")
        #expect(options.host == "127.0.0.1")
        #expect(options.persistence == "sqlite")
        #expect(options.db == "x.db")
        #expect(options.noRules)
        #expect(options.allowedOrigins == "a, b")
        #expect(options.config == "cfg.json")
        #expect(options.audit)
        #expect(options.noErrorDetails)
        #expect(!options.auth)
    }

    @Test func rejectsUnknownFlagsPositionalsAndMissingValues() {
        #expect(throws: CommandLineOptions.ParseError(message: "Unknown option '--bogus'")) {
            try CommandLineOptions.parse(["--bogus"])
        }
        #expect(throws: CommandLineOptions.ParseError(message: "Unknown option '-x'")) {
            try CommandLineOptions.parse(["-x"])
        }
        #expect(
            throws: CommandLineOptions.ParseError(
                message: "Unexpected argument 'serve'. This command does not take positional arguments")
        ) {
            try CommandLineOptions.parse(["serve"])
        }
        #expect(throws: CommandLineOptions.ParseError(message: "Option '--port <value>' argument missing")) {
            try CommandLineOptions.parse(["--port"])
        }
        #expect(throws: CommandLineOptions.ParseError(message: "Option '--name <value>' argument missing")) {
            try CommandLineOptions.parse(["--name", "--auth"])
        }
        #expect(throws: CommandLineOptions.ParseError(message: "Option '--auth' does not take an argument")) {
            try CommandLineOptions.parse(["--auth=yes"])
        }
    }

    @Test func helpAndVersionFlags() throws {
        #expect(try CommandLineOptions.parse(["-h"]).help)
        #expect(try CommandLineOptions.parse(["--version"]).version)
        #expect(try CommandLineOptions.parse(["-v"]).version)
    }
}

@Suite struct ServerSettingsTests {
    private func resolve(_ arguments: [String], file: JSONObject? = nil) throws -> Result<ServerSettings, ServerSettings.ResolveErrors> {
        ServerSettings.resolve(options: try CommandLineOptions.parse(arguments), file: file)
    }

    @Test func defaultsMatchTheReference() throws {
        let settings = try resolve([]).get()
        #expect(settings.port == 8080)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.name == "noex-server")
        #expect(settings.persistence == .memory)
        #expect(settings.rules)
        #expect(!settings.audit)
        #expect(settings.exposeErrorDetails)
        #expect(settings.allowedOrigins == nil)
        #expect(settings.maxConnectionsPerIp == nil)
        #expect(settings.rateLimit == nil)
    }

    @Test func collectsEveryValidationError() throws {
        let failure = try #require(
            try resolve(["--port", "70000", "--auth", "--persistence", "redis"]).failure)
        #expect(
            failure.messages == [
                "Invalid port: 70000 (must be integer 0-65535)",
                "Unknown persistence type: redis (must be memory, file, or sqlite)",
                "--admin-secret is required when --auth is enabled",
            ])
    }

    @Test func portUsesJavaScriptNumberConversion() throws {
        #expect(try resolve(["--port", "0x50"]).get().port == 80)
        #expect(try resolve(["--port", " 81 "]).get().port == 81)
        #expect(try resolve(["--port", ""]).get().port == 0)
        #expect(try resolve(["--port", "8.5"]).failure?.messages == ["Invalid port: 8.5 (must be integer 0-65535)"])
        #expect(try resolve(["--port", "abc"]).failure?.messages == ["Invalid port: abc (must be integer 0-65535)"])
        #expect(try resolve([], file: ["port": "80"]).failure?.messages == ["Invalid port: 80 (must be integer 0-65535)"])
    }

    @Test func flagsOverrideTheFileWhichOverridesDefaults() throws {
        let file: JSONObject = [
            "port": 9001, "host": "127.0.0.1", "name": "from-file", "rules": false, "exposeErrorDetails": false,
            "allowedOrigins": ["https://a"], "maxConnectionsPerIp": 3, "unknownKey": true,
            "rateLimit": ["maxRequests": 10, "windowMs": 1000], "heartbeat": ["intervalMs": 500, "timeoutMs": 100],
            "connectionLimits": ["maxSubscriptionsPerConnection": 7],
        ]
        let fromFile = try resolve([], file: file).get()
        #expect(fromFile.port == 9001)
        #expect(fromFile.host == "127.0.0.1")
        #expect(fromFile.name == "from-file")
        #expect(!fromFile.rules)
        #expect(!fromFile.exposeErrorDetails)
        #expect(fromFile.allowedOrigins == ["https://a"])
        #expect(fromFile.maxConnectionsPerIp == 3)
        #expect(fromFile.rateLimit == RateLimitConfiguration(maxRequests: 10, windowMs: 1000))
        #expect(fromFile.heartbeat == HeartbeatConfiguration(intervalMs: 500, timeoutMs: 100))
        #expect(fromFile.connectionLimits == ConnectionLimits(maxSubscriptionsPerConnection: 7, maxTotalSubscriptions: 10_000))

        let flags = try resolve(["--port", "9002", "--name", "cli", "--allowed-origins", " x ,y"], file: file).get()
        #expect(flags.port == 9002)
        #expect(flags.name == "cli")
        #expect(flags.allowedOrigins == ["x", "y"])
    }

    @Test func maxConnectionsPerIpNaNDisablesTheLimit() throws {
        #expect(try resolve(["--max-connections-per-ip", "nope"]).get().maxConnectionsPerIp == nil)
        #expect(try resolve(["--max-connections-per-ip", "2"]).get().maxConnectionsPerIp == 2)
    }

    @Test func connectionCapAndHandshakeTimeout() throws {
        let defaults = try resolve([]).get()
        #expect(defaults.maxConnections == nil)
        #expect(defaults.handshakeTimeoutMs == 10_000)
        let flags = try resolve(["--max-connections", "500", "--handshake-timeout-ms", "2500"]).get()
        #expect(flags.maxConnections == 500)
        #expect(flags.handshakeTimeoutMs == 2500)
        let file = try resolve([], file: ["maxConnections": 300, "handshakeTimeoutMs": 4000]).get()
        #expect(file.maxConnections == 300)
        #expect(file.handshakeTimeoutMs == 4000)
        #expect(try resolve(["--max-connections", "7"], file: ["maxConnections": 300]).get().maxConnections == 7)
        #expect(try resolve([], file: ["maxConnections": .null]).get().maxConnections == nil)
        #expect(
            try resolve(["--max-connections", "0", "--handshake-timeout-ms", "1e12"]).failure?.messages == [
                "Invalid max connections: 0 (must be integer 1-2147483647)",
                "Invalid handshake timeout: 1e12 (must be integer 1-2147483647)",
            ])
        #expect(
            try resolve([], file: ["maxConnections": "many", "handshakeTimeoutMs": 1.5]).failure?.messages == [
                "Invalid max connections: many (must be integer 1-2147483647)",
                "Invalid handshake timeout: 1.5 (must be integer 1-2147483647)",
            ])
        var configuration = ServerConfiguration(store: try Store())
        flags.apply(to: &configuration)
        #expect(configuration.maxConnections == 500)
        #expect(configuration.handshakeTimeoutMs == 2500)
    }

    @Test func bannerListsEverySetting() throws {
        var settings = try resolve(["--persistence", "file", "--data-dir", "/tmp/d", "--max-connections-per-ip", "4"]).get()
        settings.port = 1234
        #expect(
            settings.banner == """
                \(ServerBuild.versionLine)
                  URL:          ws://0.0.0.0:1234
                  Persistence:  file (/tmp/d)
                  Auth:         disabled
                  Rules:        enabled
                  Audit:        disabled
                  Error details: exposed
                  Origins:      any
                  Max conn/IP:  4
                  Max conn:     auto
                """)
    }

    @Test func versionComesFromTheContract() {
        // One place: protocol.yaml's `serverVersion`, through the generated ProtocolInfo.
        #expect(ServerBuild.version == ProtocolInfo.serverVersion)
        #expect(ServerBuild.version.split(separator: ".").count == 3)
        #expect(ServerBuild.versionLine.hasPrefix("noex-server v\(ProtocolInfo.serverVersion) ("))
        #expect(ServerBuild.wire["version"] == .string(ProtocolInfo.serverVersion))
        #expect(ServerBuild.wire["protocolVersion"] == .string(ProtocolInfo.version))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

/// The cost limits of issue 14: flags over config-file keys over defaults.
@Suite struct ResourceLimitSettingsTests {
    private func resolve(_ arguments: [String], file: JSONObject? = nil) throws -> Result<ServerSettings, ServerSettings.ResolveErrors> {
        ServerSettings.resolve(options: try CommandLineOptions.parse(arguments), file: file)
    }

    @Test func defaultsAreGenerous() throws {
        let settings = try resolve([]).get()
        #expect(settings.maxResultBytes == 16 * 1_048_576)
        #expect(settings.maxTransactionOperations == 1_000)
        #expect(settings.storeLimits == StoreLimits(maxBuckets: 10_000, maxRecordsPerBucket: 10_000_000, maxRecordBytes: 1_048_576))
        var configuration = ServerConfiguration(store: try Store())
        settings.apply(to: &configuration)
        #expect(configuration.maxResultBytes == 16 * 1_048_576)
        #expect(configuration.maxTransactionOperations == 1_000)
    }

    @Test func flagsOverrideFileKeys() throws {
        let file: JSONObject = [
            "maxResultBytes": 1_000, "maxTransactionOperations": 20, "maxBuckets": 3, "maxRecordsPerBucket": 4,
            "maxRecordBytes": 500,
        ]
        let fromFile = try resolve([], file: file).get()
        #expect(fromFile.maxResultBytes == 1_000)
        #expect(fromFile.maxTransactionOperations == 20)
        #expect(fromFile.storeLimits == StoreLimits(maxBuckets: 3, maxRecordsPerBucket: 4, maxRecordBytes: 500))
        #expect(fromFile.storeConfiguration.limits == fromFile.storeLimits)
        let flags = try resolve(
            ["--max-result-bytes", "2000", "--max-transaction-operations=7", "--max-buckets", "1",
             "--max-records-per-bucket", "9", "--max-record-bytes", "64"], file: file).get()
        #expect(flags.maxResultBytes == 2_000)
        #expect(flags.maxTransactionOperations == 7)
        #expect(flags.storeLimits == StoreLimits(maxBuckets: 1, maxRecordsPerBucket: 9, maxRecordBytes: 64))
        var configuration = ServerConfiguration(store: try Store())
        flags.apply(to: &configuration)
        #expect(configuration.maxResultBytes == 2_000)
        #expect(configuration.maxTransactionOperations == 7)
    }

    @Test func nonPositiveOrNonIntegralLimitsAreErrors() throws {
        let failure = try #require(
            try resolve(["--max-result-bytes", "0", "--max-buckets", "1.5"], file: ["maxRecordBytes": "big", "maxTransactionOperations": 1e300])
                .failure)
        #expect(failure.messages.contains("Invalid maxResultBytes: 0 (must be a positive integer)"))
        #expect(failure.messages.contains("Invalid maxBuckets: 1.5 (must be a positive integer)"))
        #expect(failure.messages.contains(#"Invalid maxRecordBytes: "big" (must be a positive integer)"#))
        #expect(failure.messages.contains("Invalid maxTransactionOperations: 1e+300 (must be a positive integer)"))
    }

    @Test func hugeConnectionLimitsSaturateInsteadOfTrapping() throws {
        #expect(try resolve(["--max-connections-per-ip", "1e300"]).get().maxConnectionsPerIp == Int.max)
    }
}
