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
    .target(name: "NoexWire", swiftSettings: swiftSettings),
    .testTarget(name: "NoexWireTests", dependencies: ["NoexWire"], swiftSettings: swiftSettings),
]

// MARK: - Protocol contract and generator (protocol.yaml → Swift)
// The generator is a library (unit-tested) behind a thin CLI; the plugin runs the CLI on every
// build and feeds the generated Swift to `NoexProtocol` and to the conformance test target.
products.append(.library(name: "NoexProtocol", targets: ["NoexProtocol"]))
products.append(.executable(name: "noex-protocol-gen", targets: ["noex-protocol-gen"]))
products.append(.plugin(name: "NoexProtocolPlugin", targets: ["NoexProtocolPlugin"]))
targets += [
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .target(name: "NoexProtocolGenCore", dependencies: ["CYAML"], swiftSettings: swiftSettings),
    .executableTarget(
        name: "noex-protocol-gen", dependencies: ["NoexProtocolGenCore"], swiftSettings: swiftSettings),
    .plugin(
        name: "NoexProtocolPlugin", capability: .buildTool(), dependencies: ["noex-protocol-gen"]),
    .target(
        name: "NoexProtocol", dependencies: ["NoexWire"], swiftSettings: swiftSettings,
        plugins: ["NoexProtocolPlugin"]),
    .testTarget(
        name: "NoexProtocolGenCoreTests", dependencies: ["NoexProtocolGenCore"],
        swiftSettings: swiftSettings),
    .testTarget(
        name: "NoexProtocolConformanceTests", dependencies: ["NoexProtocol", "NoexWire"],
        swiftSettings: swiftSettings, plugins: ["NoexProtocolPlugin"]),
]

// MARK: - NoexWebSocket: RFC 6455 server and client

// MARK: - NoexStore: schema-driven reactive store

// MARK: - NoexRules: rules engine

// MARK: - NoexServer and the noex-server executable

let package = Package(
    name: "noex-server",
    products: products,
    targets: targets,
    swiftLanguageModes: [.v6]
)
