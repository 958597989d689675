// The fixed list of files the generator writes. This file is shared with the build-tool
// plugin through a symlink (Plugins/NoexProtocolPlugin/OutputFiles.swift), because a plugin
// cannot depend on a library: keep it free of imports and of references to other files.

/// The names of every file the generator produces, known before it runs.
enum ProtocolOutputFiles {
    /// Namespaces that get a payload file each, in declaration order of protocol.yaml.
    static let namespaces = ["store", "rules", "auth", "identity", "audit", "procedures", "server"]

    /// The payload file of a namespace.
    static func payloadFile(namespace: String) -> String {
        "Payloads+" + namespace.prefix(1).uppercased() + namespace.dropFirst() + ".swift"
    }

    /// Swift sources of the `NoexProtocol` module.
    static var sources: [String] {
        [
            "ProtocolInfo.swift",
            "ErrorCode+Catalogue.swift",
            "OperationDescriptor.swift",
            "Operations.swift",
            "Request.swift",
            "Request+Dispatch.swift",
            "Handlers.swift",
            "PushChannel.swift",
            "SystemEvent.swift",
            "CloseCode.swift",
        ] + namespaces.map(payloadFile(namespace:))
    }

    /// The generated client file of a namespace (one per namespace, in the `NoexClient` module).
    static func clientFile(namespace: String) -> String {
        "Client+" + namespace.prefix(1).uppercased() + namespace.dropFirst() + ".swift"
    }

    /// Swift sources generated into the `NoexClient` module: one typed method per operation.
    static var client: [String] { namespaces.map(clientFile(namespace:)) }

    /// Swift sources of the `NoexProtocolConformanceTests` test target.
    static let conformanceTests = ["ConformanceCases.swift", "ConformanceTests.swift"]

    /// The Markdown protocol reference, written to `docs/`.
    static let reference = "protocol.md"
}
