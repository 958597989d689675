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

// MARK: - NoexWebSocket: RFC 6455 server and client

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

// MARK: - NoexServer and the noex-server executable

let package = Package(
    name: "noex-server",
    products: products,
    targets: targets,
    swiftLanguageModes: [.v6]
)
