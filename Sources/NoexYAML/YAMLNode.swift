/// A YAML document as a tree that remembers where every node came from.
///
/// Only what the project's YAML files need: scalars (with their style, so a quoted `"true"` stays a
/// string), mappings with ordered entries (duplicates kept, so the validator can report them
/// with both lines) and sequences. Anchors, aliases and tags are rejected by the parser.
public indirect enum YAMLNode: Hashable, Sendable {
    /// A scalar.
    case scalar(YAMLScalar)
    /// A mapping.
    case mapping(YAMLMapping)
    /// A sequence.
    case sequence(YAMLSequence)

    /// The 1-based line the node starts on.
    public var line: Int {
        switch self {
        case .scalar(let s): s.line
        case .mapping(let m): m.line
        case .sequence(let s): s.line
        }
    }

    /// A short name of the node's kind, for messages.
    public var kindName: String {
        switch self {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "sequence"
        }
    }
}

/// A scalar node.
public struct YAMLScalar: Hashable, Sendable {
    /// The scalar's text.
    public var value: String
    /// Whether it was written without quotes (only plain scalars can be null, booleans or numbers).
    public var isPlain: Bool
    /// 1-based line.
    public var line: Int

    /// Creates a scalar.
    /// - Parameters:
    ///   - value: the text.
    ///   - isPlain: whether it was unquoted.
    ///   - line: the 1-based line.
    public init(value: String, isPlain: Bool, line: Int) {
        self.value = value
        self.isPlain = isPlain
        self.line = line
    }

    /// Whether this is a plain `null`, `~` or empty scalar.
    public var isNull: Bool { isPlain && (value == "null" || value == "~" || value == "" || value == "Null" || value == "NULL") }

    /// The boolean value of a plain `true`/`false`, else `nil`.
    public var boolValue: Bool? {
        guard isPlain else { return nil }
        switch value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// The integer value of a plain decimal integer, else `nil`.
    public var intValue: Int? { isPlain ? Int(value) : nil }

    /// The number value of a plain integer or float, else `nil`.
    public var numberValue: Double? {
        guard isPlain, let first = value.first, first.isNumber || first == "-" || first == "+" || first == "." else {
            return nil
        }
        return Double(value)
    }
}

/// A mapping node: ordered key-value entries.
public struct YAMLMapping: Hashable, Sendable {
    /// One entry.
    public struct Entry: Hashable, Sendable {
        /// The key (always a scalar).
        public var key: YAMLScalar
        /// The value.
        public var value: YAMLNode
    }

    /// The entries in document order, duplicates included.
    public var entries: [Entry]
    /// 1-based line of the mapping's start.
    public var line: Int
}

/// A sequence node.
public struct YAMLSequence: Hashable, Sendable {
    /// The items in document order.
    public var items: [YAMLNode]
    /// 1-based line of the sequence's start.
    public var line: Int
}
