internal import Dispatch
internal import Foundation
public import NoexWire

/// The value types a schema field can declare.
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case string, number, boolean, object, array, date
}

/// How a field's value is generated on insert when the input leaves it out.
public enum GeneratedKind: String, Sendable, Hashable, CaseIterable {
    /// A random UUID v4 string (lowercase).
    case uuid
    /// `"c"` followed by 32 lowercase hex characters.
    case cuid
    /// The bucket's insert counter after it is bumped (starts at 1).
    case autoincrement
    /// The insert time in integer milliseconds.
    case timestamp
}

/// String formats a field can require.
public enum FieldFormat: String, Sendable, Hashable, CaseIterable {
    case email, url
    case isoDate = "iso-date"
}

/// A field's default: a fixed value or one computed at each insert.
public enum FieldDefault: Sendable {
    /// A fixed value.
    case value(JSONValue)
    /// A value computed at each insert (cannot be expressed on the wire; not persisted).
    case dynamic(@Sendable () -> JSONValue)
}

/// A compiled `pattern` constraint. JS semantics: no flags, no implicit anchors.
///
/// ICU backtracks, so a pattern such as `^(a+)+$` costs seconds on a short string; the pattern
/// is set by whoever defines the bucket, but every writer's insert runs it. Patterns are
/// bounded in length when defined, and every search runs against a clock (ICU calls back
/// periodically with `.reportProgress`): a search that runs out of time counts as no match,
/// so the write is refused rather than stored unchecked.
struct FieldPattern: @unchecked Sendable {
    /// The longest pattern accepted, in UTF-8 bytes.
    static let maxLength = 512
    /// How long one search may run before it is abandoned (and the value refused).
    static let timeLimitNs: UInt64 = 10_000_000

    // NSRegularExpression is immutable after creation and documented thread-safe for matching.
    let source: String
    let regex: NSRegularExpression

    init(_ source: String) throws(StoreError) {
        self.source = source
        guard source.utf8.count <= Self.maxLength else {
            throw .invalidDefinition(
                "Pattern is too long: \(source.utf8.count) bytes (the limit is \(Self.maxLength))")
        }
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw .invalidDefinition("Invalid pattern \"\(source)\"")
        }
    }

    /// Whether `s` contains a match; `false` also when the search ran out of time.
    func matches(_ s: String) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ Self.timeLimitNs
        var found = false
        regex.enumerateMatches(in: s, options: [.reportProgress], range: NSRange(s.startIndex..., in: s)) {
            match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds >= deadline {
                stop.pointee = true
            }
        }
        return found
    }
}

/// The definition of one schema field: its type and every constraint option of the spec.
public struct FieldDefinition: Sendable {
    /// The value type.
    public var type: FieldType
    /// Whether the value may be neither missing nor null.
    public var required: Bool
    /// Applied when the value is missing on insert (`null` is kept).
    public var defaultValue: FieldDefault?
    /// Generated on insert when the value is missing.
    public var generated: GeneratedKind?
    /// Whether the field gets a unique index.
    public var unique: Bool
    /// Allowed values (strict equality).
    public var enumValues: [JSONValue]?
    /// A format the string value must have.
    public var format: FieldFormat?
    /// Numeric bounds (checked for numbers only).
    public var min: Double?
    /// Numeric upper bound.
    public var max: Double?
    /// String length bounds (checked for strings only, in UTF-16 code units as JS does).
    public var minLength: Int?
    /// String length upper bound.
    public var maxLength: Int?
    /// A regular expression a string value must contain a match of.
    public var pattern: String? {
        get { compiledPattern?.source }
    }
    /// The name of a bucket this field refers to (declared, not enforced, as in the reference).
    public var ref: String?

    var compiledPattern: FieldPattern?

    /// Creates a field definition.
    /// - Throws: `StoreError.invalidDefinition` if `pattern` is not a valid regular expression.
    public init(
        type: FieldType, required: Bool = false, default defaultValue: FieldDefault? = nil,
        generated: GeneratedKind? = nil, unique: Bool = false, enum enumValues: [JSONValue]? = nil,
        format: FieldFormat? = nil, min: Double? = nil, max: Double? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, pattern: String? = nil, ref: String? = nil
    ) throws(StoreError) {
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.generated = generated
        self.unique = unique
        self.enumValues = enumValues
        self.format = format
        self.min = min
        self.max = max
        self.minLength = minLength
        self.maxLength = maxLength
        self.ref = ref
        compiledPattern = try pattern.map { s throws(StoreError) in try FieldPattern(s) }
    }

    /// The wire form of the definition (a dynamic default cannot be represented and is left out).
    public var json: JSONObject {
        var o = JSONObject()
        o["type"] = .string(type.rawValue)
        if required { o["required"] = .bool(true) }
        if case .value(let v) = defaultValue { o["default"] = v }
        if let generated { o["generated"] = .string(generated.rawValue) }
        if unique { o["unique"] = .bool(true) }
        if let enumValues { o["enum"] = .array(enumValues) }
        if let format { o["format"] = .string(format.rawValue) }
        if let min { o["min"] = .number(min) }
        if let max { o["max"] = .number(max) }
        if let minLength { o["minLength"] = .number(Double(minLength)) }
        if let maxLength { o["maxLength"] = .number(Double(maxLength)) }
        if let pattern { o["pattern"] = .string(pattern) }
        if let ref { o["ref"] = .string(ref) }
        return o
    }
}
