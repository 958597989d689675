// Fuzz target `config`: the config file as `noex-server --config` reads it (YAML or JSON) and
// the settings resolved from it, plus the command line.
import NoexRules
import NoexServer
import NoexStore
import NoexWire
import NoexYAML

/// Input: a config file (YAML, which covers JSON); lines starting with `--` are also taken as
/// command-line arguments. Checks: the YAML loader and its JSON conversion never crash; a
/// resolved configuration has a port in 0...65535 and applies to a `ServerConfiguration`.
let configTarget = FuzzTarget(
    name: "config", summary: "YAMLParser + YAMLNode.jsonValue + CommandLineOptions + ServerSettings.resolve"
) { input in
    let text = String(decoding: input, as: UTF8.self)
    let file: JSONObject?
    if let document = try? YAMLParser.parse(text).jsonValue() {
        file = document.objectValue
    } else {
        file = input.json?.objectValue
    }
    let arguments = text.split(separator: "\n").filter { $0.hasPrefix("--") }.flatMap { $0.split(separator: " ", maxSplits: 1) }.map(String.init)
    let options = (try? CommandLineOptions.parse(arguments)) ?? CommandLineOptions()
    guard file != nil || !arguments.isEmpty else { return }
    guard case .success(let settings) = ServerSettings.resolve(options: options, file: file) else { return }
    fuzzCheck((0...65_535).contains(settings.port), "resolved port \(settings.port)")
    guard let store = fuzzStore else { return }
    var configuration = ServerConfiguration(store: store, rules: nil)
    settings.apply(to: &configuration)
    _ = settings.storeConfiguration
}

/// One empty in-memory store for targets that only need a value to configure.
let fuzzStore: Store? = try? Store()
