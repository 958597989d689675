import NoexAuth
import NoexProtocol
import NoexServer
import NoexStore
import NoexWire
import Testing

/// `--auth`, `--admin-secret`, `--audit`, `--audit-file` and the identity config-file keys.
@Suite struct ServerSettingsIdentityTests {
    private func settings(_ arguments: [String], file: JSONObject? = nil) throws -> ServerSettings {
        try ServerSettings.resolve(options: CommandLineOptions.parse(arguments), file: file).get()
    }

    private func configuration(_ settings: ServerSettings) throws -> ServerConfiguration {
        var configuration = ServerConfiguration(store: try Store())
        settings.apply(to: &configuration)
        return configuration
    }

    @Test func authFlagsBuildBuiltInIdentity() throws {
        let applied = try configuration(settings(["--auth", "--admin-secret", "s3cret"]))
        #expect(applied.identity == BuiltInIdentityConfiguration(adminSecret: "s3cret"))
        #expect(applied.requiresAuth)
        #expect(applied.audit == nil)
        #expect(try configuration(settings([])).identity == nil)
    }

    @Test func configFileKeys() throws {
        let file: JSONObject = [
            "auth": true, "adminSecret": "from-file", "sessionTtl": 60_000, "passwordMinLength": 12,
            "maxSessionsPerUser": 3, "loginRateLimit": ["maxAttempts": 4, "windowMs": 1_000], "auditFile": "audit.jsonl",
        ]
        let resolved = try settings([], file: file)
        #expect(resolved.audit)
        let identity = try #require(try configuration(resolved).identity)
        #expect(identity.adminSecret == "from-file")
        #expect(identity.sessionTtlMs == 60_000)
        #expect(identity.passwordMinLength == 12)
        #expect(identity.maxSessionsPerUser == 3)
        #expect(identity.loginRateLimit == LoginRateLimitConfiguration(maxAttempts: 4, windowMs: 1_000))
        #expect(try configuration(resolved).audit?.filePath?.hasSuffix("/audit.jsonl") == true)
        // Flags win over the file; nonsense values keep the defaults.
        let flagged = try settings(["--admin-secret", "flag", "--audit-file", "/tmp/x.jsonl"], file: file)
        #expect(try configuration(flagged).identity?.adminSecret == "flag")
        #expect(try configuration(flagged).audit?.filePath == "/tmp/x.jsonl")
        let silly = try configuration(settings(["--auth", "--admin-secret", "s"], file: ["passwordMinLength": -4, "sessionTtl": "soon"]))
        #expect(silly.identity?.passwordMinLength == 8)
        #expect(silly.identity?.sessionTtlMs == 86_400_000)
    }

    @Test func auditFlagAlone() throws {
        let applied = try configuration(settings(["--audit"]))
        #expect(applied.audit?.tiers == [.admin])
        #expect(applied.audit?.maxEntries == 10_000)
        #expect(applied.audit?.filePath == nil)
    }

    @Test func authWithoutSecretFails() throws {
        let result = ServerSettings.resolve(options: try CommandLineOptions.parse(["--auth"]), file: nil)
        guard case .failure(let errors) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(errors.messages == ["--admin-secret is required when --auth is enabled"])
    }
}
