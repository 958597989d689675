public import NoexWire

/// A declarative schema applied at start (`--schema FILE`, config key `schema`): the buckets,
/// declarative queries, procedures and rules a deployment needs, so it can be rebuilt from
/// files. Applying it is idempotent: what is already in place unchanged is left alone, what
/// is missing is created, and a changed definition replaces the one in place (and is
/// reported). See docs/configuration.md, "Schema file".
///
/// ```yaml
/// buckets:
///   messages: {key: id, schema: {id: {type: string, generated: uuid}, text: {type: string}}}
/// queries:
///   recent: {bucket: messages, sort: {_createdAt: desc}, limit: 50}
/// procedures:
///   - {name: post, steps: [{type: store.insert, bucket: messages, data: {text: "{{ input.text }}"}}]}
/// rules:
///   - {id: greet, trigger: {type: event, topic: user.joined}, actions: []}
/// ```
public struct ServerSchema: Sendable, Hashable {
    /// A named definition.
    public struct Entry: Sendable, Hashable {
        /// The bucket, query or procedure name, or the rule id.
        public var name: String
        /// Its definition, in the form the matching wire operation takes.
        public var config: JSONObject

        /// Creates an entry.
        public init(name: String, config: JSONObject) {
            self.name = name
            self.config = config
        }
    }

    /// A schema document that cannot be used; the message names the offending path.
    public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong, e.g. `queries.recent: must be an object`.
        public var message: String

        /// Creates an error.
        public init(message: String) { self.message = message }

        public var description: String { message }
    }

    /// Buckets (`store.defineBucket` configs), in file order.
    public var buckets: [Entry] = []
    /// Declarative queries (`store.defineQuery` configs), in file order.
    public var queries: [Entry] = []
    /// Procedures (`procedures.register` definitions, `name` filled in), in file order.
    public var procedures: [Entry] = []
    /// Rules (`rules.registerRule` inputs or rule-file forms, `id` filled in), in file order.
    public var rules: [Entry] = []

    /// An empty schema.
    public init() {}

    /// The top-level keys a schema may have.
    static let sections: Set<String> = ["buckets", "queries", "procedures", "rules"]

    /// Reads a schema document.
    ///
    /// `buckets` and `queries` are objects from name to definition. `procedures` and `rules`
    /// are either such objects (the key gives `name` or `id`) or arrays of definitions that
    /// carry their own `name` or `id`. Unknown top-level keys are refused, so a misspelt
    /// section is not silently ignored.
    /// - Throws: ``FormatError`` naming the offending path.
    public init(json: JSONValue) throws(FormatError) {
        guard case .object(let root) = json else { throw FormatError(message: "(root): must be an object") }
        for member in root.members where !Self.sections.contains(member.key) {
            throw FormatError(
                message: "\(member.key): unknown section (expected buckets, queries, procedures or rules)")
        }
        buckets = try Self.named(root["buckets"], section: "buckets", nameKey: nil)
        queries = try Self.named(root["queries"], section: "queries", nameKey: nil)
        procedures = try Self.named(root["procedures"], section: "procedures", nameKey: "name")
        rules = try Self.named(root["rules"], section: "rules", nameKey: "id")
        for entry in buckets + queries + procedures + rules where entry.name.hasPrefix("_") {
            throw FormatError(message: "\(entry.name): names starting with \"_\" are reserved for the system")
        }
    }

    /// Whether the schema declares nothing.
    public var isEmpty: Bool { buckets.isEmpty && queries.isEmpty && procedures.isEmpty && rules.isEmpty }

    private static func named(_ value: JSONValue?, section: String, nameKey: String?) throws(FormatError) -> [Entry] {
        var entries: [Entry] = []
        var seen = Set<String>()
        func add(_ name: String, _ config: JSONObject, path: String) throws(FormatError) {
            guard !name.isEmpty else { throw FormatError(message: "\(path): the name must not be empty") }
            guard seen.insert(name).inserted else { throw FormatError(message: "\(path): \"\(name)\" is declared twice") }
            var config = config
            if let nameKey { config[nameKey] = .string(name) }
            entries.append(Entry(name: name, config: config))
        }
        switch value {
        case nil, .null?:
            return []
        case .object(let object)?:
            for member in object.members {
                let path = "\(section).\(member.key)"
                guard case .object(let config) = member.value else { throw FormatError(message: "\(path): must be an object") }
                if let nameKey, let given = config[nameKey], given != .string(member.key) {
                    throw FormatError(message: "\(path): \(nameKey) \(JSONSerializer.string(given)) differs from the key")
                }
                try add(member.key, config, path: path)
            }
        case .array(let array)? where nameKey != nil:
            let nameKey = nameKey ?? ""
            for (index, item) in array.enumerated() {
                let path = "\(section)[\(index)]"
                guard case .object(let config) = item else { throw FormatError(message: "\(path): must be an object") }
                guard case .string(let name)? = config[nameKey] else {
                    throw FormatError(message: "\(path): \(nameKey) must be a string")
                }
                try add(name, config, path: path)
            }
        default:
            throw FormatError(
                message: nameKey == nil
                    ? "\(section): must be an object from name to definition"
                    : "\(section): must be an object from \(nameKey ?? "") to definition, or an array")
        }
        return entries
    }
}
