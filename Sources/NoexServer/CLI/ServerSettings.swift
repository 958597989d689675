public import NoexRules
public import NoexStore
public import NoexWire

/// The `noex-server` settings after merging flags, the config file and defaults (spec-server §6).
public struct ServerSettings: Sendable, Hashable {
    /// Where records are kept.
    public enum Persistence: String, Sendable, Hashable {
        /// In memory only.
        case memory
        /// A directory of files (`dataDir`).
        case file
        /// One SQLite database (`db`).
        case sqlite
    }

    public var port = 8080
    public var host = "0.0.0.0"
    public var name = "noex-server"
    public var persistence = Persistence.memory
    public var dataDir = "./data"
    public var db = "./noex.db"
    /// `--repair` (flag only: a config file must not turn a damaged start into a silent repair).
    public var repair = false
    public var auth = false
    public var adminSecret: String?
    public var rules = true
    public var rulesFile: String?
    public var audit = false
    /// Where audit entries are also appended as JSON lines (`--audit-file`, file key `auditFile`).
    public var auditFile: String?
    /// Built-in identity limits from the config file (`sessionTtl`, `passwordMinLength`,
    /// `maxSessionsPerUser`, `loginRateLimit{maxAttempts, windowMs}`); the defaults otherwise.
    public var identityLimits = IdentityLimits()
    public var exposeErrorDetails = true
    public var allowedOrigins: [String]?
    public var maxConnectionsPerIp: Int?
    /// `--max-connections` / `maxConnections`: the cap on open sockets; `nil` derives it from
    /// the descriptor limit (the CLI fills in the cap in force before printing the banner).
    public var maxConnections: Int?
    /// `--handshake-timeout-ms` / `handshakeTimeoutMs`.
    public var handshakeTimeoutMs = 10_000
    public var rateLimit: RateLimitConfiguration?
    public var heartbeat = HeartbeatConfiguration()
    public var backpressure = BackpressureConfiguration()
    public var connectionLimits = ConnectionLimits()
    /// The schema file applied at start (`--schema`, file key `schema`).
    public var schemaFile: String?
    /// How long SIGTERM/SIGINT waits for clients after the `system shutdown` notice
    /// (`--shutdown-grace-ms`, file key `shutdownGraceMs`); 0 closes at once.
    public var shutdownGraceMs = 0
    /// The longest grace period accepted: one hour.
    public static let maxShutdownGraceMs = 3_600_000
    /// Config-file key `forwardStoreEvents` (ours, additive): store changes become rules events.
    public var forwardStoreEvents = false
    /// Config-file key `rulesLimits` (ours, additive): the rule engine's cost bounds.
    public var rulesLimits = RuleEngineLimits()
    /// `--max-result-bytes`, file key `maxResultBytes` (see `ServerConfiguration.maxResultBytes`).
    public var maxResultBytes = ServerSettings.defaultMaxResultBytes
    /// `--max-transaction-operations`, file key `maxTransactionOperations`.
    public var maxTransactionOperations = ServerSettings.defaultMaxTransactionOperations
    /// `--max-buckets`, `--max-records-per-bucket`, `--max-record-bytes` (file keys `maxBuckets`,
    /// `maxRecordsPerBucket`, `maxRecordBytes`): the store's limits.
    public var storeLimits = StoreLimits()

    /// Creates the defaults.
    public init() {}

    /// Merges flags over a config file over defaults and validates the result.
    /// - Parameters:
    ///   - options: the parsed flags.
    ///   - file: the config file's top-level object, if one was given. Unknown keys are ignored.
    /// - Returns: the settings, or every validation message (each printed as `Error: <message>`).
    public static func resolve(options: CommandLineOptions, file: JSONObject?) -> Result<ServerSettings, ResolveErrors> {
        var settings = ServerSettings()
        var errors: [String] = []
        let file = file ?? [:]

        if let port = numericSetting(flag: options.port, key: "port", in: file) {
            settings.port = validPort(port.number, raw: port.raw, errors: &errors)
        }
        settings.host = options.host ?? file["host"]?.stringValue ?? settings.host
        settings.name = options.name ?? file["name"]?.stringValue ?? settings.name
        let persistence = options.persistence ?? file["persistence"]?.stringValue ?? "memory"
        if let kind = Persistence(rawValue: persistence) {
            settings.persistence = kind
        } else {
            errors.append("Unknown persistence type: \(persistence) (must be memory, file, or sqlite)")
        }
        settings.dataDir = options.dataDir ?? file["dataDir"]?.stringValue ?? settings.dataDir
        settings.db = options.db ?? file["db"]?.stringValue ?? settings.db
        settings.repair = options.repair
        settings.auth = options.auth || file["auth"]?.boolValue == true
        settings.adminSecret = options.adminSecret ?? file["adminSecret"]?.stringValue
        if settings.auth, settings.adminSecret?.isEmpty ?? true {
            errors.append("--admin-secret is required when --auth is enabled")
        }
        settings.rules = options.noRules ? false : (file["rules"]?.boolValue ?? true)
        settings.rulesFile = options.rulesFile ?? file["rulesFile"]?.stringValue
        settings.auditFile = options.auditFile ?? file["auditFile"]?.stringValue
        settings.audit = options.audit || file["audit"]?.boolValue == true || settings.auditFile != nil
        settings.identityLimits = IdentityLimits(file: file)
        settings.exposeErrorDetails = options.noErrorDetails ? false : (file["exposeErrorDetails"]?.boolValue ?? true)
        if let list = options.allowedOrigins {
            settings.allowedOrigins = list.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingWhitespace() }
        } else if let list = file["allowedOrigins"]?.arrayValue {
            settings.allowedOrigins = list.compactMap(\.stringValue)
        }
        if let flag = options.maxConnectionsPerIp {
            settings.maxConnectionsPerIp = integerLimit(javaScriptNumber(flag))
        } else if let value = file["maxConnectionsPerIp"]?.numberValue {
            settings.maxConnectionsPerIp = integerLimit(value)
        }
        // A null `maxConnections` in the file asks for the derived cap, like leaving it out.
        let cap = options.maxConnections != nil || file["maxConnections"] != .null
            ? numericSetting(flag: options.maxConnections, key: "maxConnections", in: file) : nil
        if let cap {
            settings.maxConnections = positiveInteger(cap.number, raw: cap.raw, name: "max connections", errors: &errors)
        }
        if let timeout = numericSetting(flag: options.handshakeTimeoutMs, key: "handshakeTimeoutMs", in: file) {
            settings.handshakeTimeoutMs = positiveInteger(
                timeout.number, raw: timeout.raw, name: "handshake timeout", errors: &errors) ?? settings.handshakeTimeoutMs
        }
        if let object = file["rateLimit"]?.objectValue,
            let maxRequests = object["maxRequests"]?.integerValue, let windowMs = object["windowMs"]?.integerValue
        {
            settings.rateLimit = RateLimitConfiguration(maxRequests: maxRequests, windowMs: windowMs)
        }
        if let object = file["heartbeat"]?.objectValue {
            settings.heartbeat = HeartbeatConfiguration(
                intervalMs: object["intervalMs"]?.integerValue ?? settings.heartbeat.intervalMs,
                timeoutMs: object["timeoutMs"]?.integerValue ?? settings.heartbeat.timeoutMs)
        }
        if let object = file["backpressure"]?.objectValue {
            settings.backpressure = BackpressureConfiguration(
                maxBufferedBytes: object["maxBufferedBytes"]?.integerValue ?? settings.backpressure.maxBufferedBytes,
                highWaterMark: object["highWaterMark"]?.numberValue ?? settings.backpressure.highWaterMark)
        }
        if let object = file["connectionLimits"]?.objectValue {
            settings.connectionLimits = ConnectionLimits(
                maxSubscriptionsPerConnection: object["maxSubscriptionsPerConnection"]?.integerValue
                    ?? settings.connectionLimits.maxSubscriptionsPerConnection,
                maxTotalSubscriptions: object["maxTotalSubscriptions"]?.integerValue
                    ?? settings.connectionLimits.maxTotalSubscriptions)
        }
        settings.forwardStoreEvents = file["forwardStoreEvents"]?.boolValue ?? false
        settings.schemaFile = options.schemaFile ?? file["schema"]?.stringValue
        if let grace = numericSetting(flag: options.shutdownGraceMs, key: "shutdownGraceMs", in: file) {
            settings.shutdownGraceMs = validGrace(grace.number, raw: grace.raw, errors: &errors)
        }
        settings.rulesLimits = rulesLimits(file["rulesLimits"]?.objectValue ?? [:])
        settings.resolveResourceLimits(options: options, file: file, errors: &errors)
        return errors.isEmpty ? .success(settings) : .failure(ResolveErrors(messages: errors))
    }

    /// The validation messages of a failed `resolve`.
    public struct ResolveErrors: Error, Hashable, Sendable {
        /// Each message, printed as `Error: <message>`.
        public var messages: [String]
    }

    /// The start-up banner.
    public var banner: String {
        let persistenceLine: String
        switch persistence {
        case .memory: persistenceLine = "memory"
        case .file: persistenceLine = "file (\(dataDir))"
        case .sqlite: persistenceLine = "sqlite (\(db))"
        }
        return """
            \(ServerBuild.versionLine)
              URL:          ws://\(host):\(port)
              Persistence:  \(persistenceLine)
              Auth:         \(auth ? "built-in" : "disabled")
              Rules:        \(rules ? "enabled" : "disabled")
              Audit:        \(audit ? "enabled" : "disabled")
              Error details: \(exposeErrorDetails ? "exposed" : "hidden")
              Origins:      \(allowedOrigins.map { $0.joined(separator: ", ") } ?? "any")
              Max conn/IP:  \(maxConnectionsPerIp.map(String.init) ?? "unlimited")
              Max conn:     \(maxConnections.map(String.init) ?? "auto")
            """
    }

    /// The release `--version` and the banner print (``ServerBuild/version``).
    public static var version: String { ServerBuild.version }

    // MARK: Conversions with JavaScript's semantics

    /// `Number(text)` as JavaScript computes it for the CLI's numeric flags.
    static func javaScriptNumber(_ text: String) -> Double {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return 0 }
        let lower = trimmed.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            return Int(lower.dropFirst(2), radix: radix).map(Double.init) ?? .nan
        }
        if trimmed == "Infinity" || trimmed == "+Infinity" { return .infinity }
        if trimmed == "-Infinity" { return -.infinity }
        guard trimmed.allSatisfy({ "0123456789+-.eE".contains($0) }), let value = Double(trimmed) else { return .nan }
        return value
    }

    private static func validPort(_ value: Double, raw: String, errors: inout [String]) -> Int {
        if value.isFinite, value.rounded() == value, value >= 0, value <= 65_535 { return Int(value) }
        errors.append("Invalid port: \(raw) (must be integer 0-65535)")
        return 8080
    }

    /// A whole number from 1 to 2^31 - 1 (a bound on our side: these are counts and milliseconds).
    private static func positiveInteger(_ value: Double, raw: String, name: String, errors: inout [String]) -> Int? {
        if value.isFinite, value.rounded() == value, value >= 1, value <= 2_147_483_647 { return Int(value) }
        errors.append("Invalid \(name): \(raw) (must be integer 1-2147483647)")
        return nil
    }

    private static func validGrace(_ value: Double, raw: String, errors: inout [String]) -> Int {
        if value.isFinite, value.rounded() == value, value >= 0, value <= Double(maxShutdownGraceMs) { return Int(value) }
        errors.append("Invalid shutdown grace: \(raw) (must be integer 0-\(maxShutdownGraceMs) ms)")
        return 0
    }

    /// NaN disables the limit, as in the reference; other values are truncated to an integer.
    private static func integerLimit(_ value: Double) -> Int? {
        guard value.isFinite else { return nil }
        // Saturate: `Int(1e300)` would trap.
        return Int(exactly: value.rounded(.towardZero)) ?? (value < 0 ? Int.min : Int.max)
    }

    /// A numeric setting as given: its flag (read as JavaScript's `Number(text)` reads it) or
    /// else its config-file key, with the text an error message quotes (`render` of the file's
    /// value); `nil` when neither is present.
    static func numericSetting(
        flag: String?, key: String, in file: JSONObject, render: (JSONValue) -> String = rendered
    ) -> (number: Double, raw: String)? {
        if let flag { return (javaScriptNumber(flag), flag) }
        guard let value = file[key] else { return nil }
        return (value.numberValue ?? .nan, render(value))
    }

    private static func rendered(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
        default: JSONSerializer.string(value)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
