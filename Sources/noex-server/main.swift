// The `noex-server` command: flags and config file → store, rules engine, server; SIGTERM and
// SIGINT shut it down gracefully (spec-server §6).
import Dispatch
import Foundation
import NoexRules
import NoexServer
import NoexStore
import NoexWire
import NoexYAML

/// The YAML reader for `--config` and `--rules` files.
let yamlParser: ConfigFile.YAMLParser = { text in try YAMLParser.parse(text).jsonValue() }

/// Prints to standard error, unbuffered: warnings and errors appear at once.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints to standard output without buffering, so a supervisor reading through a pipe sees
/// the banner at once.
func printLine(_ message: String) {
    FileHandle.standardOutput.write(Data((message + "\n").utf8))
}

let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    printError("Error: \(error.message)")
    printError("Run \"noex-server --help\" for usage information.")
    exit(1)
}
if options.help {
    printLine(CommandLineOptions.usage)
    exit(0)
}
if options.version {
    printLine(ServerBuild.versionLine)
    exit(0)
}

var fileSettings: JSONObject?
if let path = options.config {
    do {
        fileSettings = try ConfigFile.load(path: path, yamlParser: yamlParser)
    } catch {
        printError("Error loading config file: \(error.message)")
        exit(1)
    }
}

let settings: ServerSettings
switch ServerSettings.resolve(options: options, file: fileSettings) {
case .success(let resolved):
    settings = resolved
case .failure(let failure):
    for message in failure.messages { printError("Error: \(message)") }
    exit(1)
}

// Read before anything is opened, so a bad file fails the start at once.
var schema: ServerSchema?
if let path = settings.schemaFile {
    do {
        schema = try ServerSchema(json: ConfigFile.loadDocument(path: path, yamlParser: yamlParser))
    } catch let error as ConfigFile.LoadError {
        printError("Error loading schema file: \(error.message)")
        exit(1)
    } catch {
        printError("Error loading schema file \(path): \(error)")
        exit(1)
    }
}

let persistenceFiles = StartupSummary.persistenceFiles(settings)
if let line = StartupSummary.restoring(settings, files: persistenceFiles) { printLine(line) }
let restoreStarted = ContinuousClock.now
let store: Store
do {
    let progress = RestoreProgress(print: printLine)
    defer { progress.stop() }
    store = try Store(configuration: settings.storeConfiguration)
} catch {
    printError("Error: Failed to initialize \(settings.persistence.rawValue) persistence: \(error.message)")
    exit(1)
}

let rules: RuleEngine? = settings.rules ? RuleEngine(configuration: settings.ruleEngineConfiguration) : nil
if let path = settings.rulesFile {
    guard let rules else {
        printError("Error: --rules needs the rules engine (remove --no-rules)")
        exit(1)
    }
    do {
        let loaded = try rules.loadRules(json: ConfigFile.loadDocument(path: path, yamlParser: yamlParser))
        printLine("Loaded \(loaded.count) rule(s) from \(path)")
    } catch let error as ConfigFile.LoadError {
        printError("Error loading rules file: \(error.message)")
        exit(1)
    } catch let error as RulesError {
        printError("Error loading rules file: \(error.message)")
        if let details = error.details { printError(JSONSerializer.string(details)) }
        exit(1)
    } catch {
        printError("Error loading rules file: \(error)")
        exit(1)
    }
}

var configuration = ServerConfiguration(store: store, rules: rules)
settings.apply(to: &configuration)
configuration.schema = schema
configuration.logWarning = printError

let server: NoexServer
do {
    server = try await NoexServer.start(configuration)
} catch {
    printError("Error: \(StartupSummary.startFailure(error, host: settings.host, port: settings.port))")
    exit(1)
}
let restoreMs = Int((ContinuousClock.now - restoreStarted).components.seconds * 1000)
    + Int((ContinuousClock.now - restoreStarted).components.attoseconds / 1_000_000_000_000_000)

for line in StartupSummary.restored(
    settings, files: persistenceFiles, storeStats: store.stats(), report: server.startupReport, restoreMs: restoreMs)
{
    printLine(line)
}
if let path = settings.schemaFile { printLine(StartupSummary.schema(path: path, report: server.startupReport)) }

var banner = settings
banner.port = server.port
banner.maxConnections = server.maxConnections
printLine(banner.banner)
let raised = server.descriptorLimitBeforeStart < server.descriptorLimit
    ? " (raised from \(server.descriptorLimitBeforeStart))" : ""
printLine(
    "File descriptors: limit \(server.descriptorLimit)\(raised), \(server.descriptorLimit - server.maxConnections) kept from connections")
if let asked = settings.maxConnections, asked > server.maxConnections {
    printError(
        "Warning: max connections \(asked) lowered to \(server.maxConnections): the descriptor limit is \(server.descriptorLimit) and 256 are kept for files and the runtime")
}

/// Turns SIGTERM/SIGINT into one graceful shutdown; a second signal meanwhile is ignored.
let shutdownSignals = ShutdownSignals()
await shutdownSignals.wait()
if settings.shutdownGraceMs > 0 {
    printLine("\nShutting down (notifying clients, up to \(settings.shutdownGraceMs) ms)...")
} else {
    printLine("\nShutting down...")
}
await server.stop(gracePeriod: .milliseconds(settings.shutdownGraceMs))
rules?.stop()
do {
    try store.close()
} catch {
    printError("[persistence] \(error.message)")
}
exit(0)
