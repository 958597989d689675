// swift-tools-version: 6.1
// noex-server: a self-hosted real-time backend speaking the noex protocol 1.0.0 over WebSocket.
//
// No package dependencies: the toolchain plus Debian C libraries through `.systemLibrary`
// targets. Each module owns one region below so parallel work touches separate hunks.
import PackageDescription

/// One set of compiler settings shared by every Swift target.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

var products: [Product] = []
var targets: [Target] = []

// MARK: - NoexWire: spec-agnostic JSON value, codec, errors
products.append(.library(name: "NoexWire", targets: ["NoexWire"]))
targets += [
    .target(
        name: "NoexWire", swiftSettings: swiftSettings,
        // `Double.rounded` calls libm, which a Foundation-free executable does not link by itself.
        linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
    .testTarget(
        name: "NoexWireTests", dependencies: ["NoexWire"],
        exclude: ["Fixtures/make-js-fixtures.js"], swiftSettings: swiftSettings),
    // Hot-path micro-benchmarks; other modules add their cases to this one executable.
    .executableTarget(
        name: "noex-microbench", dependencies: ["NoexWire", "NoexProtocol", "NoexWebSocket", "NoexStore"],
        swiftSettings: swiftSettings),
]

// MARK: - Protocol contract and generator (protocol.yaml → Swift)
// The generator is a library (unit-tested) behind a thin CLI; the plugin runs the CLI on every
// build and feeds the generated Swift to `NoexProtocol` and to the conformance test target.
products.append(.library(name: "NoexProtocol", targets: ["NoexProtocol"]))
products.append(.executable(name: "noex-protocol-gen", targets: ["noex-protocol-gen"]))
products.append(.plugin(name: "NoexProtocolPlugin", targets: ["NoexProtocolPlugin"]))
targets += [
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .target(name: "NoexYAML", dependencies: ["CYAML", "NoexWire"], swiftSettings: swiftSettings),
    .testTarget(name: "NoexYAMLTests", dependencies: ["NoexYAML", "NoexWire"], swiftSettings: swiftSettings),
    .target(name: "NoexProtocolGenCore", dependencies: ["NoexYAML"], swiftSettings: swiftSettings),
    .executableTarget(
        name: "noex-protocol-gen", dependencies: ["NoexProtocolGenCore"], swiftSettings: swiftSettings),
    .plugin(
        name: "NoexProtocolPlugin", capability: .buildTool(), dependencies: ["noex-protocol-gen"]),
    .target(
        name: "NoexProtocol", dependencies: ["NoexWire"], swiftSettings: swiftSettings,
        plugins: ["NoexProtocolPlugin"]),
    .testTarget(
        name: "NoexProtocolGenCoreTests", dependencies: ["NoexProtocolGenCore", "NoexYAML"],
        swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexProtocolConformanceTests", dependencies: ["NoexProtocol", "NoexWire"],
        swiftSettings: swiftSettings, plugins: ["NoexProtocolPlugin"]),
]

// MARK: - NoexClient: the typed Swift client
// Handwritten runtime plus one typed method per operation, generated from protocol.yaml by the
// same plugin (committed copy in Generated/NoexClient, checked by .ci/checks/10-generated-fresh.sh).
products.append(.library(name: "NoexClient", targets: ["NoexClient"]))
products.append(.executable(name: "noex-example-chat", targets: ["noex-example-chat"]))
targets += [
    .target(
        name: "NoexClient", dependencies: ["NoexProtocol", "NoexWire", "NoexWebSocket"], swiftSettings: swiftSettings,
        plugins: ["NoexProtocolPlugin"]),
    .executableTarget(name: "noex-example-chat", dependencies: ["NoexClient", "NoexWire"], swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexClientTests",
        dependencies: [
            "NoexClient", "NoexServer", "NoexAuth", "NoexStore", "NoexRules", "NoexWire", "NoexProtocol", "NoexWebSocket",
        ],
        swiftSettings: swiftSettings),
]

// MARK: - NoexWebSocket: RFC 6455 server and client
products.append(.library(name: "NoexWebSocket", targets: ["NoexWebSocket"]))
products.append(.executable(name: "noex-ws-echo", targets: ["noex-ws-echo"]))
targets += [
    // SHA-1 for Sec-WebSocket-Accept, from the system's libcrypto.
    .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // epoll and eventfd declarations (no library to link).
    .systemLibrary(name: "CEpoll"),
    .target(name: "NoexWebSocket", dependencies: ["CCrypto", "CEpoll"], swiftSettings: swiftSettings),
    .executableTarget(name: "noex-ws-echo", dependencies: ["NoexWebSocket"], swiftSettings: swiftSettings),
    .testTarget(name: "NoexWebSocketTests", dependencies: ["NoexWebSocket"], swiftSettings: swiftSettings),
]

// MARK: - NoexStore: schema-driven reactive store
products.append(.library(name: "NoexStore", targets: ["NoexStore"]))
targets += [
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .target(name: "NoexStore", dependencies: ["NoexWire", "CSQLite"], swiftSettings: swiftSettings),
    .executableTarget(name: "noex-store-crashtest", dependencies: ["NoexStore", "NoexWire"], swiftSettings: swiftSettings),
    .executableTarget(name: "noex-store-bench", dependencies: ["NoexStore", "NoexWire"], swiftSettings: swiftSettings),
    .testTarget(name: "NoexStoreTests", dependencies: ["NoexStore", "NoexWire"], swiftSettings: swiftSettings),
]

// MARK: - NoexRules: rules engine
products.append(.library(name: "NoexRules", targets: ["NoexRules"]))
products.append(.executable(name: "noex-rules-bench", targets: ["noex-rules-bench"]))
targets += [
    .target(name: "NoexRules", dependencies: ["NoexWire"], swiftSettings: swiftSettings),
    .executableTarget(
        name: "noex-rules-bench", dependencies: ["NoexRules", "NoexWire"], swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexRulesTests", dependencies: ["NoexRules", "NoexWire"], swiftSettings: swiftSettings),
]

// MARK: - NoexAuth: built-in identity, sessions, ACL, password hashing, audit log
products.append(.library(name: "NoexAuth", targets: ["NoexAuth"]))
targets += [
    .target(
        name: "NoexAuth", dependencies: ["NoexWire", "NoexProtocol", "NoexStore", "CCrypto"],
        swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexAuthTests", dependencies: ["NoexAuth", "NoexStore", "NoexWire", "NoexProtocol"], swiftSettings: swiftSettings),
]

// MARK: - Build facts (commit and date) for `--version`, the banner and `server.stats`
// scripts/release.sh sets NOEX_BUILD_COMMIT and NOEX_BUILD_DATE; only characters that cannot
// break out of a C string literal are kept.
let buildInfoDefines: [CSetting] = ["NOEX_BUILD_COMMIT", "NOEX_BUILD_DATE"].compactMap { key in
    guard let raw = Context.environment[key] else { return nil }
    let safe = String(raw.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_".contains($0)) }.prefix(64))
    return safe.isEmpty ? nil : .define(key, to: "\"\(safe)\"")
}
targets.append(.target(name: "CBuildInfo", cSettings: buildInfoDefines))

// MARK: - NoexServer and the noex-server executable
products += [
    .library(name: "NoexServer", targets: ["NoexServer"]),
    .library(name: "NoexTesting", targets: ["NoexTesting"]),
    .executable(name: "noex-server", targets: ["noex-server"]),
]
targets += [
    .target(
        name: "NoexServer",
        dependencies: ["NoexWire", "NoexProtocol", "NoexWebSocket", "NoexStore", "NoexRules", "NoexAuth", "CBuildInfo"],
        swiftSettings: swiftSettings),
    .target(
        name: "NoexTesting", dependencies: ["NoexServer", "NoexWebSocket", "NoexWire"], swiftSettings: swiftSettings),
    .executableTarget(
        name: "noex-server", dependencies: ["NoexServer", "NoexStore", "NoexRules", "NoexWire", "NoexYAML"],
        swiftSettings: swiftSettings),
    // Issue 14: a healthy client's latency while others loop the worst allowed requests.
    .executableTarget(
        name: "noex-loop-latency", dependencies: ["NoexServer", "NoexStore", "NoexRules", "NoexTesting", "NoexWire"],
        swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexServerTests",
        dependencies: [
            "NoexServer", "NoexTesting", "NoexStore", "NoexRules", "NoexWire", "NoexProtocol", "NoexYAML", "NoexAuth",
        ],
        exclude: ["Fixtures"], swiftSettings: swiftSettings),
]

// MARK: - Fuzz targets (libFuzzer), declared only when NOEX_FUZZ=1 so the normal build and
// `swift test` never compile them. Build and run them with Fuzz/run.sh (docs/fuzzing.md).
if Context.environment["NOEX_FUZZ"] == "1" {
    products.append(.executable(name: "noex-fuzz", targets: ["noex-fuzz"]))
    targets.append(
        .executableTarget(
            name: "noex-fuzz",
            dependencies: [
                "NoexWire", "NoexYAML", "NoexProtocol", "NoexWebSocket", "NoexStore", "NoexRules", "NoexServer",
            ],
            path: "Fuzz/noex-fuzz",
            // libFuzzer supplies `main`; the target only defines `LLVMFuzzerTestOneInput`.
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]))
}

let package = Package(
    name: "noex-server",
    products: products,
    targets: targets,
    swiftLanguageModes: [.v6]
)
