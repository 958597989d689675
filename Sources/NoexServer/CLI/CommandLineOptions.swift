/// The flags of the `noex-server` command (spec-server §6), as given, before validation.
public struct CommandLineOptions: Sendable, Hashable {
    /// `--port`/`-p`, unconverted.
    public var port: String?
    /// `--host`/`-H`.
    public var host: String?
    /// `--config`/`-c`: a JSON (or YAML) config file.
    public var config: String?
    /// `--name`.
    public var name: String?
    /// `--persistence memory|file|sqlite`.
    public var persistence: String?
    /// `--data-dir` for file persistence.
    public var dataDir: String?
    /// `--db` for SQLite persistence.
    public var db: String?
    /// `--repair`: start over damaged persisted data, keeping what verifies.
    public var repair = false
    /// `--auth`: built-in identity.
    public var auth = false
    /// `--admin-secret`.
    public var adminSecret: String?
    /// `--no-rules`.
    public var noRules = false
    /// `--rules FILE`: rule definitions loaded at start.
    public var rulesFile: String?
    /// `--audit`.
    public var audit = false
    /// `--audit-file PATH`: also append audit entries to a file as JSON lines (implies `--audit`).
    public var auditFile: String?
    /// `--no-error-details`.
    public var noErrorDetails = false
    /// `--allowed-origins a,b`.
    public var allowedOrigins: String?
    /// `--max-connections-per-ip`, unconverted.
    public var maxConnectionsPerIp: String?
    /// `--max-connections`, unconverted: the cap on open sockets (default: from the descriptor limit).
    public var maxConnections: String?
    /// `--handshake-timeout-ms`, unconverted.
    public var handshakeTimeoutMs: String?
    /// `--schema FILE`: buckets, queries, procedures and rules applied at start.
    public var schemaFile: String?
    /// `--shutdown-grace-ms`, unconverted.
    public var shutdownGraceMs: String?
    /// `--max-result-bytes`, unconverted.
    public var maxResultBytes: String?
    /// `--max-transaction-operations`, unconverted.
    public var maxTransactionOperations: String?
    /// `--max-buckets`, unconverted.
    public var maxBuckets: String?
    /// `--max-records-per-bucket`, unconverted.
    public var maxRecordsPerBucket: String?
    /// `--max-record-bytes`, unconverted.
    public var maxRecordBytes: String?
    /// `--help`/`-h`.
    public var help = false
    /// `--version`/`-v`.
    public var version = false

    /// Creates empty options.
    public init() {}

    /// A command-line error, reported as `Error: <message>` followed by the usage hint.
    public struct ParseError: Error, Hashable, Sendable {
        /// What was wrong.
        public var message: String

        /// Creates an error with its message.
        public init(message: String) { self.message = message }
    }

    private enum Flag {
        case value(WritableKeyPath<CommandLineOptions, String?>)
        case toggle(WritableKeyPath<CommandLineOptions, Bool>)
    }

    private static func flag(named name: String) -> Flag? {
        switch name {
        case "port": .value(\.port)
        case "host": .value(\.host)
        case "config": .value(\.config)
        case "name": .value(\.name)
        case "persistence": .value(\.persistence)
        case "data-dir": .value(\.dataDir)
        case "db": .value(\.db)
        case "repair": .toggle(\.repair)
        case "auth": .toggle(\.auth)
        case "admin-secret": .value(\.adminSecret)
        case "no-rules": .toggle(\.noRules)
        case "rules": .value(\.rulesFile)
        case "audit": .toggle(\.audit)
        case "audit-file": .value(\.auditFile)
        case "no-error-details": .toggle(\.noErrorDetails)
        case "allowed-origins": .value(\.allowedOrigins)
        case "max-connections-per-ip": .value(\.maxConnectionsPerIp)
        case "max-connections": .value(\.maxConnections)
        case "handshake-timeout-ms": .value(\.handshakeTimeoutMs)
        case "schema": .value(\.schemaFile)
        case "shutdown-grace-ms": .value(\.shutdownGraceMs)
        case "max-result-bytes": .value(\.maxResultBytes)
        case "max-transaction-operations": .value(\.maxTransactionOperations)
        case "max-buckets": .value(\.maxBuckets)
        case "max-records-per-bucket": .value(\.maxRecordsPerBucket)
        case "max-record-bytes": .value(\.maxRecordBytes)
        case "help": .toggle(\.help)
        case "version": .toggle(\.version)
        default: nil
        }
    }

    private static let shortFlags: [Character: String] = [
        "p": "port", "H": "host", "c": "config", "h": "help", "v": "version",
    ]

    /// Parses arguments strictly: unknown flags, positional arguments and missing values are errors.
    /// - Parameter arguments: the arguments after the program name.
    /// - Throws: `ParseError` naming the offending argument.
    public static func parse(_ arguments: [String]) throws(ParseError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            let name: String
            var inlineValue: String?
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    name = String(body[..<equals])
                    inlineValue = String(body[body.index(after: equals)...])
                } else {
                    name = String(body)
                }
            } else if argument.hasPrefix("-"), argument.count == 2, let long = argument.last.flatMap({ shortFlags[$0] }) {
                name = long
            } else if argument.hasPrefix("-"), argument != "-" {
                throw ParseError(message: "Unknown option '\(argument)'")
            } else {
                throw ParseError(message: "Unexpected argument '\(argument)'. This command does not take positional arguments")
            }
            guard let flag = flag(named: name) else { throw ParseError(message: "Unknown option '--\(name)'") }
            switch flag {
            case .toggle(let path):
                if inlineValue != nil {
                    throw ParseError(message: "Option '--\(name)' does not take an argument")
                }
                options[keyPath: path] = true
            case .value(let path):
                if let inlineValue {
                    options[keyPath: path] = inlineValue
                } else if index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" {
                    options[keyPath: path] = arguments[index]
                    index += 1
                } else {
                    throw ParseError(message: "Option '--\(name) <value>' argument missing")
                }
            }
        }
        return options
    }

    /// The `--help` text.
    public static let usage = """
        Usage: noex-server [options]

        Options:
          -p, --port <n>                  Port to listen on (default: 8080, 0 = ephemeral)
          -H, --host <addr>               Address to bind (default: 0.0.0.0)
          -c, --config <path>             JSON or YAML config file
              --name <name>               Server name in stats (default: noex-server)
              --persistence <type>        memory | file | sqlite (default: memory)
              --data-dir <path>           Directory for file persistence (default: ./data)
              --db <path>                 Database file for sqlite persistence (default: ./noex.db)
              --repair                    Start over damaged data: keep every verifiable record,
                                          keep the damaged file aside, report what was dropped
              --auth                      Enable built-in identity (requires --admin-secret)
              --admin-secret <secret>     Secret for identity.loginWithSecret
              --no-rules                  Disable the rules engine
              --rules <path>              Load rule definitions (JSON or YAML array) at start
              --audit                     Enable the audit log (admin tier)
              --audit-file <path>         Also append audit entries to a file (JSON lines)
              --no-error-details          Omit error details from responses
              --allowed-origins <list>    Comma-separated allowed Origin values
              --max-connections-per-ip <n>
                                          Limit simultaneous connections per IP
              --max-connections <n>       Cap on open sockets, handshaking or not (default:
                                          the file-descriptor limit minus 256)
              --handshake-timeout-ms <n>  Time allowed for the upgrade request (default: 10000)
              --schema <path>             Apply a schema file (JSON or YAML: buckets, queries,
                                          procedures, rules) at start
              --shutdown-grace-ms <n>     On SIGTERM/SIGINT, notify clients and wait up to n ms
                                          before closing (default: 0)
              --max-result-bytes <n>      Largest answer in bytes (default: 16777216)
              --max-transaction-operations <n>
                                          Most operations per store.transaction (default: 1000)
              --max-buckets <n>           Most buckets in the store (default: 10000)
              --max-records-per-bucket <n>
                                          Most records per bucket (default: 10000000)
              --max-record-bytes <n>      Largest record's JSON in bytes (default: 1048576)
          -h, --help                      Show this help
          -v, --version                   Show the version
        """
}
