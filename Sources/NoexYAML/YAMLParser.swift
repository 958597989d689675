internal import CYAML

/// A YAML document that could not be read: where, and why.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line, or 0 when the problem concerns the input as a whole.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Parses YAML text into a ``YAMLNode`` tree with line numbers, using libyaml's event API.
///
/// Used by the protocol generator (which needs lines and duplicate keys for its diagnostics)
/// and by the server's YAML config and rules files (through ``YAMLNode/jsonValue()``).
public enum YAMLParser {
    /// Parses one YAML document.
    /// - Parameter text: the YAML source.
    /// - Returns: the document's root node.
    /// - Throws: ``YAMLError`` for syntax errors and unsupported features (aliases, anchors,
    ///   non-scalar keys, several documents, an empty document).
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        let result: Result<YAMLNode, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var builder = TreeBuilder()
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) != 0 else {
                return .failure(YAMLError(line: 0, message: "cannot initialise libyaml"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else {
                    return .failure(syntaxError(parser))
                }
                defer { yaml_event_delete(&event) }
                let done = event.type == YAML_STREAM_END_EVENT
                if let failure = builder.consume(event) { return .failure(failure) }
                if done { break }
            }
            guard let root = builder.root else {
                return .failure(YAMLError(line: 1, message: "the document is empty"))
            }
            return .success(root)
        }
        return try result.get()
    }

    private static func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
        let context = parser.context.map { String(cString: $0) }
        let line = Int(parser.problem_mark.line) + 1
        let message = context.map { "YAML syntax error: \(problem) (\($0))" } ?? "YAML syntax error: \(problem)"
        return YAMLError(line: line, message: message)
    }
}

/// Turns the event stream into a tree with an explicit stack.
private struct TreeBuilder {
    enum Frame {
        case mapping(line: Int, entries: [YAMLMapping.Entry], pendingKey: YAMLScalar?)
        case sequence(line: Int, items: [YAMLNode])
    }

    var stack: [Frame] = []
    var root: YAMLNode?
    var documents = 0

    /// Consumes one event; returns a diagnostic when the document uses something unsupported.
    mutating func consume(_ event: yaml_event_t) -> YAMLError? {
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { return YAMLError(line: line, message: "only one YAML document is allowed") }
        case YAML_ALIAS_EVENT:
            return YAMLError(line: line, message: "YAML aliases are not supported")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            if scalar.anchor != nil {
                return YAMLError(line: line, message: "YAML anchors are not supported")
            }
            let value = scalar.value.map { pointer in
                String(decoding: UnsafeBufferPointer(start: pointer, count: scalar.length), as: UTF8.self)
            } ?? ""
            let node = YAMLScalar(value: value, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: line)
            return add(.scalar(node), isScalar: node)
        case YAML_MAPPING_START_EVENT:
            if event.data.mapping_start.anchor != nil {
                return YAMLError(line: line, message: "YAML anchors are not supported")
            }
            if let problem = checkKeyPosition(line: line, kind: "mapping") { return problem }
            stack.append(.mapping(line: line, entries: [], pendingKey: nil))
        case YAML_SEQUENCE_START_EVENT:
            if event.data.sequence_start.anchor != nil {
                return YAMLError(line: line, message: "YAML anchors are not supported")
            }
            if let problem = checkKeyPosition(line: line, kind: "sequence") { return problem }
            stack.append(.sequence(line: line, items: []))
        case YAML_MAPPING_END_EVENT:
            guard case .mapping(let start, let entries, _)? = stack.popLast() else { return nil }
            return add(.mapping(YAMLMapping(entries: entries, line: start)), isScalar: nil)
        case YAML_SEQUENCE_END_EVENT:
            guard case .sequence(let start, let items)? = stack.popLast() else { return nil }
            return add(.sequence(YAMLSequence(items: items, line: start)), isScalar: nil)
        default:
            break
        }
        return nil
    }

    /// Mappings and sequences cannot be mapping keys.
    private func checkKeyPosition(line: Int, kind: String) -> YAMLError? {
        if case .mapping(_, _, nil)? = stack.last {
            return YAMLError(line: line, message: "a \(kind) cannot be a mapping key")
        }
        return nil
    }

    private mutating func add(_ node: YAMLNode, isScalar scalar: YAMLScalar?) -> YAMLError? {
        guard let top = stack.popLast() else {
            root = node
            return nil
        }
        switch top {
        case .sequence(let line, var items):
            items.append(node)
            stack.append(.sequence(line: line, items: items))
        case .mapping(let line, var entries, let pendingKey):
            if let key = pendingKey {
                entries.append(YAMLMapping.Entry(key: key, value: node))
                stack.append(.mapping(line: line, entries: entries, pendingKey: nil))
            } else if let scalar {
                stack.append(.mapping(line: line, entries: entries, pendingKey: scalar))
            } else {
                return YAMLError(line: node.line, message: "mapping keys must be scalars")
            }
        }
        return nil
    }
}
