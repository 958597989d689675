public import NoexYAML

/// The validation stage: turns the YAML tree into a ``ProtocolSpec``, collecting every
/// problem as a ``Diagnostic`` with its line (unknown or duplicate keys, unknown types,
/// references to undeclared error codes, namespaces or validators, bad combinations).
public struct SpecBuilder {
    /// The file name used in diagnostics.
    public let file: String
    var diagnostics: [Diagnostic] = []

    static let jsonTypes: Set<String> = ["string", "number", "integer", "boolean", "object", "array", "any", "null"]

    init(file: String) { self.file = file }

    /// Validates a parsed document.
    /// - Parameters:
    ///   - root: the document root.
    ///   - file: the file name used in diagnostics.
    /// - Returns: the model.
    /// - Throws: ``DiagnosticsError`` with every problem found, in line order.
    public static func build(_ root: YAMLNode, file: String) throws(DiagnosticsError) -> ProtocolSpec {
        var builder = SpecBuilder(file: file)
        let spec = builder.buildSpec(root)
        let errors = builder.diagnostics.filter { $0.severity == .error }
        if let spec, errors.isEmpty { return spec }
        throw DiagnosticsError(builder.diagnostics.sorted { $0.line < $1.line })
    }

    // MARK: - Reporting and reading helpers

    mutating func error(_ line: Int, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: line, message: message))
    }

    /// The node as a mapping, reporting anything else.
    mutating func mapping(_ node: YAMLNode, _ context: String) -> YAMLMapping? {
        if case .mapping(let m) = node { return m }
        error(node.line, "\(context) must be a mapping, found a \(node.kindName)")
        return nil
    }

    /// Reports duplicate keys and keys not in `allowed`; returns first occurrences by key.
    mutating func entries(
        _ mapping: YAMLMapping, _ context: String, allowed: [String]? = nil, duplicateNoun: String = "key"
    ) -> [(key: YAMLScalar, value: YAMLNode)] {
        var firstLine: [String: Int] = [:]
        var result: [(key: YAMLScalar, value: YAMLNode)] = []
        for entry in mapping.entries {
            let key = entry.key.value
            if let first = firstLine[key] {
                error(entry.key.line, "duplicate \(duplicateNoun) \"\(key)\" in \(context) (first declared at line \(first))")
                continue
            }
            firstLine[key] = entry.key.line
            if let allowed, !allowed.contains(key) {
                error(
                    entry.key.line,
                    "unknown key \"\(key)\" in \(context); expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            result.append((entry.key, entry.value))
        }
        return result
    }

    func value(_ entries: [(key: YAMLScalar, value: YAMLNode)], _ key: String) -> YAMLNode? {
        entries.first { $0.key.value == key }?.value
    }

    mutating func string(_ node: YAMLNode?, _ context: String) -> String? {
        guard let node else { return nil }
        if case .scalar(let s) = node, !s.isNull { return s.value }
        error(node.line, "\(context) must be a string")
        return nil
    }

    mutating func requiredString(
        _ entries: [(key: YAMLScalar, value: YAMLNode)], _ key: String, _ context: String, line: Int
    ) -> String? {
        guard let node = value(entries, key) else {
            error(line, "\(context) is missing \"\(key)\"")
            return nil
        }
        return string(node, "\"\(key)\" of \(context)")
    }

    mutating func bool(_ node: YAMLNode?, _ context: String) -> Bool? {
        guard let node else { return nil }
        if case .scalar(let s) = node, let b = s.boolValue { return b }
        error(node.line, "\(context) must be true or false")
        return nil
    }

    mutating func stringList(_ node: YAMLNode?, _ context: String) -> [(String, Int)] {
        guard let node else { return [] }
        guard case .sequence(let seq) = node else {
            error(node.line, "\(context) must be a list")
            return []
        }
        var result: [(String, Int)] = []
        for item in seq.items {
            if let s = string(item, "an item of \(context)") { result.append((s, item.line)) }
        }
        return result
    }

    mutating func version(_ node: YAMLNode?, _ context: String, default fallback: String) -> String {
        guard let node else { return fallback }
        guard let text = string(node, context) else { return fallback }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count != 3 || parts.contains(where: { $0.isEmpty || !$0.allSatisfy(\.isNumber) }) {
            error(node.line, "\(context) must be a version like 1.0.0, found \"\(text)\"")
            return fallback
        }
        return text
    }
}
