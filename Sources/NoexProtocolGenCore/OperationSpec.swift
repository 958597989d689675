/// One operation: its metadata, payload fields, result and errors.
public struct OperationSpec: Hashable, Sendable {
    /// Tier of the legacy role check and of audit.
    public enum Tier: String, Hashable, Sendable, CaseIterable {
        /// Reads and subscriptions.
        case read
        /// Mutations.
        case write
        /// Administration and introspection.
        case admin
    }

    /// The role gate an identity handler applies before looking at the payload.
    public enum Gate: String, Hashable, Sendable, CaseIterable {
        /// The connection must be authenticated.
        case authenticated
        /// The session must hold `admin` or `superadmin`.
        case admin
        /// The session must hold `superadmin`.
        case superadmin
    }

    /// Full name, e.g. `store.insert`.
    public var name: String
    /// The part before the dot.
    public var namespace: String
    /// The part after the dot; the handler method's name.
    public var method: String
    /// One-line summary.
    public var summary: String
    /// Longer description (may be empty).
    public var description: String
    /// Tier, or `nil` when the operation is not in the tier map.
    public var tier: Tier?
    /// Whether the auth check skips it.
    public var isAuthExempt: Bool
    /// The payload field naming the permission resource.
    public var resourceField: String?
    /// Identity role gate.
    public var gate: Gate?
    /// Version that introduced it.
    public var since: String
    /// Payload fields in validation order.
    public var payload: [FieldSpec]
    /// The result.
    public var result: ResultSpec
    /// Error codes the handler can answer, in declaration order.
    public var errors: [String]
    /// Line in protocol.yaml.
    public var line: Int
}

/// The result of an operation (documentation only: handlers return JSON).
public struct ResultSpec: Hashable, Sendable {
    /// JSON type expression, e.g. `object`, `Record | null`.
    public var type: String
    /// What it holds.
    public var description: String
    /// Members, for objects described inline.
    public var fields: [ShapeFieldSpec]
    /// Line in protocol.yaml.
    public var line: Int
}

/// One payload field and how it is validated.
public struct FieldSpec: Hashable, Sendable {
    /// The JSON kinds a payload field can be declared with.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A JSON string (`nonEmpty`, `enum` refine it).
        case string
        /// Any JSON number.
        case number
        /// An integral number (`minimum: 1` makes it a positive integer).
        case integer
        /// `true` or `false`.
        case boolean
        /// A JSON object (not null, not an array).
        case object
        /// A JSON array (`items` names a handwritten element validator).
        case array
        /// Any JSON value (`null` only with `null: value`).
        case any
    }

    /// What an optional field does with an explicit `null`.
    public enum NullPolicy: String, Hashable, Sendable, CaseIterable {
        /// `null` reads as absent (the default).
        case absent
        /// `null` is rejected as the wrong kind.
        case invalid
        /// `null` is a value, distinct from absence.
        case value
    }

    /// What an optional field does with a value of the wrong kind.
    public enum MistypedPolicy: String, Hashable, Sendable, CaseIterable {
        /// Rejected with `Invalid "x": expected ...` (the default).
        case error
        /// Read as absent.
        case ignore
        /// Read as `null` (requires `null: value`).
        case null
    }

    /// Member name.
    public var name: String
    /// Declared kind.
    public var kind: Kind
    /// Whether it may be absent.
    public var optional: Bool
    /// Strings: whether the empty string is rejected.
    public var nonEmpty: Bool
    /// Integers: the smallest accepted value (only 1 is supported, "positive integer").
    public var minimum: Int?
    /// Strings: the accepted values.
    public var allowed: [String]
    /// Treatment of `null`.
    public var nullPolicy: NullPolicy
    /// Treatment of wrong kinds (optional fields).
    public var mistyped: MistypedPolicy
    /// Replacement for the generated expectation text in messages.
    public var expectedOverride: String?
    /// Arrays: the handwritten element validator.
    public var items: String?
    /// A valid example value, as JSON text (conformance tests and docs).
    public var example: JSONLiteral?
    /// What it is.
    public var description: String
    /// Line in protocol.yaml.
    public var line: Int
}

/// A JSON value written in protocol.yaml (examples), kept as a small tree.
public indirect enum JSONLiteral: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONLiteral])
    /// An object, members in written order.
    case object([(String, JSONLiteral)])

    /// Structural equality (member order matters: examples are compared as written).
    public static func == (lhs: JSONLiteral, rhs: JSONLiteral) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// Hashes the structure, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o):
            for (k, v) in o {
                hasher.combine(k)
                hasher.combine(v)
            }
        }
    }
}
