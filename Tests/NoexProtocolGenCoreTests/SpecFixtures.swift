import NoexProtocolGenCore

/// A small but complete protocol.yaml, with `operations` supplied by each test.
enum SpecFixtures {
    static func yaml(operations: String, extraErrors: String = "", namespaces: String? = nil) -> String {
        """
        protocol:
          name: test
          version: 1.0.0
          description: A test protocol.
        namespaces:
        \(namespaces ?? ProtocolOutputFilesMirror.namespaces.map { "  \($0): {description: The \($0) namespace.}" }.joined(separator: "\n"))
        commonErrors: [INTERNAL_ERROR]
        messages:
          welcome:
            direction: server
            type: welcome
            description: Hello.
            fields:
              version: string
        errors:
          VALIDATION_ERROR: {description: Bad payload.}
          UNKNOWN_OPERATION: {description: No such operation.}
          NOT_FOUND: {description: Missing.}
          INTERNAL_ERROR: {description: Oops.}
        \(extraErrors)
        validators:
          ItemCheck: {description: Checks items.}
        shapes:
          Thing:
            description: A thing.
            fields:
              id: string
        channels:
          event: {description: Events., data: {type: object, description: The event.}}
        systemEvents:
          shutdown:
            description: Stopping.
            fields:
              gracePeriodMs: integer
        closeCodes:
          serverShutdown: {code: 1000, reason: server_shutdown, description: Stopped.}
        operations:
        \(operations)
        """
    }

    /// The namespaces the generator's fixed output list expects.
    enum ProtocolOutputFilesMirror {
        static let namespaces = ["store", "rules", "auth", "identity", "audit", "procedures", "server"]
    }

    static func spec(operations: String) throws -> ProtocolSpec {
        try Generator.spec(fromYAML: yaml(operations: operations), file: "protocol.yaml")
    }

    /// The diagnostics of a spec that must fail, as printed.
    static func diagnostics(_ text: String) -> [String] {
        do {
            _ = try Generator.spec(fromYAML: text, file: "protocol.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}
