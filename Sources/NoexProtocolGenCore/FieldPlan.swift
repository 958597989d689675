/// The translation stage for one payload field: everything the renderers need to emit its
/// Swift property, its decoding call, its encoding and its conformance cases, derived once
/// from the validated ``FieldSpec``.
struct FieldPlan {
    /// What decoding a given wire value must do, for the generated conformance tests.
    enum Outcome: Equatable {
        /// Rejected with `VALIDATION_ERROR` and exactly this message.
        case rejected(String)
        /// Accepted and read as absent (re-encoding drops the member).
        case readAsAbsent
        /// Accepted and read as an explicit null (re-encoding writes `null`).
        case readAsNull
    }

    let spec: FieldSpec

    init(_ spec: FieldSpec) { self.spec = spec }

    var name: String { spec.name }
    var property: String { SwiftNames.identifier(spec.name) }

    /// The Swift type of the non-optional value.
    var baseType: String {
        if let items = spec.items { return "[\(items)]" }
        switch spec.kind {
        case .string: return "String"
        case .number: return "Double"
        case .integer: return "Int"
        case .boolean: return "Bool"
        case .object: return "JSONObject"
        case .array: return "[JSONValue]"
        case .any: return "JSONValue"
        }
    }

    /// Whether the property wraps its value in `Nullable` (optional field where null is a value).
    var isNullable: Bool { spec.optional && spec.nullPolicy == .value && spec.kind != .any }

    /// The Swift type of the property.
    var swiftType: String {
        if !spec.optional { return baseType }
        if isNullable { return "Nullable<\(baseType)>?" }
        return baseType + "?"
    }

    /// The text after `expected` in this field's messages.
    var expectation: String {
        if let override = spec.expectedOverride { return override }
        switch spec.kind {
        case .string:
            if !spec.allowed.isEmpty {
                let quoted = spec.allowed.map { "\"\($0)\"" }
                return quoted.count == 2 ? "\(quoted[0]) or \(quoted[1])" : "one of: " + quoted.joined(separator: ", ")
            }
            return spec.nonEmpty ? "non-empty string" : "string"
        case .number: return "number"
        case .integer: return spec.minimum == 1 ? "positive integer" : "integer"
        case .boolean: return "boolean"
        case .object: return "object"
        case .array: return "array"
        case .any: return spec.nullPolicy == .value ? "a value" : "non-null value"
        }
    }

    /// The `FieldKind` expression for typed fields.
    var kindExpression: String {
        var base: String
        switch spec.kind {
        case .string:
            if !spec.allowed.isEmpty {
                base = "FieldKind<String>.oneOf([" + spec.allowed.map(SwiftNames.stringLiteral).joined(separator: ", ") + "])"
            } else {
                base = spec.nonEmpty ? "FieldKind<String>.nonEmptyString" : "FieldKind<String>.string"
            }
        case .number: base = "FieldKind<Double>.number"
        case .integer: base = spec.minimum == 1 ? "FieldKind<Int>.positiveInteger" : "FieldKind<Int>.integer"
        case .boolean: base = "FieldKind<Bool>.boolean"
        case .object: base = "FieldKind<JSONObject>.object"
        case .array: base = "FieldKind<[JSONValue]>.array"
        case .any: base = "FieldKind<JSONValue>.nonNull"
        }
        if let override = spec.expectedOverride { base += ".expecting(\(SwiftNames.stringLiteral(override)))" }
        return base
    }

    /// The expression that reads the field from `payload`.
    var decodeExpression: String {
        let key = SwiftNames.stringLiteral(spec.name)
        let expecting = spec.expectedOverride.map { ", expecting: \(SwiftNames.stringLiteral($0))" } ?? ""
        if !spec.optional {
            if let items = spec.items { return "try payload.requiredArray(\(key), of: \(items).self\(expecting))" }
            if spec.kind == .any {
                return spec.nullPolicy == .value ? "try payload.requiredValue(\(key))" : "try payload.requiredNonNullValue(\(key))"
            }
            return "try payload.requiredField(\(key), \(kindExpression))"
        }
        if spec.kind == .any { return "payload.optionalValue(\(key), keepNull: \(spec.nullPolicy == .value))" }
        if let items = spec.items { return "try payload.optionalArray(\(key), of: \(items).self\(expecting))" }
        if isNullable {
            return "try payload.nullableField(\(key), \(kindExpression), mistypedAsNull: \(spec.mistyped == .null))"
        }
        if spec.mistyped == .ignore { return "payload.lenientField(\(key), \(kindExpression))" }
        let null = spec.nullPolicy == .invalid ? ", null: .invalid" : ""
        return "try payload.optionalField(\(key), \(kindExpression)\(null))"
    }

    /// Converts a non-optional value expression to `JSONValue`.
    func encode(_ value: String) -> String {
        if spec.items != nil { return ".array(\(value).map(\\.jsonValue))" }
        switch spec.kind {
        case .string: return ".string(\(value))"
        case .number: return ".number(\(value))"
        case .integer: return ".number(Double(\(value)))"
        case .boolean: return ".bool(\(value))"
        case .object: return ".object(\(value))"
        case .array: return ".array(\(value))"
        case .any: return value
        }
    }

    /// Statements appending the field to `object`.
    var encodeStatements: [String] {
        let key = SwiftNames.stringLiteral(spec.name)
        if !spec.optional { return ["object.appendUnchecked(key: \(key), value: \(encode(property)))"] }
        if isNullable {
            return [
                "switch \(property) {",
                "case nil: break",
                "case .null?: object.appendUnchecked(key: \(key), value: .null)",
                "case .value(let value)?: object.appendUnchecked(key: \(key), value: \(encode("value")))",
                "}",
            ]
        }
        return ["if let value = \(property) { object.appendUnchecked(key: \(key), value: \(encode("value"))) }"]
    }

    // MARK: - Conformance expectations

    /// A valid value: the YAML example, else a typical value of the kind.
    var sampleValue: JSONLiteral {
        if let example = spec.example { return example }
        switch spec.kind {
        case .string: return .string(spec.allowed.first ?? "sample-\(spec.name)")
        case .number: return .number(2.5)
        case .integer: return .number(3)
        case .boolean: return .bool(true)
        case .object: return .object([("k", .string("v"))])
        case .array: return .array([.string("a")])
        case .any: return .string("value-\(spec.name)")
        }
    }

    /// The outcome of decoding without this member.
    var missingOutcome: Outcome? {
        if spec.optional { return nil }
        if spec.kind == .any { return .rejected(#"Missing "\#(spec.name)": expected \#(expectation)"#) }
        return .rejected(#"Missing or invalid "\#(spec.name)": expected \#(expectation)"#)
    }

    /// Values of the wrong kind (and `null`), each with the outcome the protocol specifies.
    var probes: [(label: String, value: JSONLiteral, outcome: Outcome)] {
        var wrong: [(String, JSONLiteral)] = []
        switch spec.kind {
        case .string:
            wrong.append(("a number", .number(42)))
            if spec.nonEmpty { wrong.append(("an empty string", .string(""))) }
            if !spec.allowed.isEmpty { wrong.append(("a value not allowed", .string("not-an-allowed-value"))) }
        case .number: wrong.append(("a string", .string("1")))
        case .integer:
            wrong.append(("a string", .string("1")))
            wrong.append(("a fraction", .number(1.5)))
            if spec.minimum == 1 {
                wrong.append(("zero", .number(0)))
                wrong.append(("a negative number", .number(-1)))
            }
        case .boolean: wrong.append(("a string", .string("true")))
        case .object:
            wrong.append(("an array", .array([])))
            wrong.append(("a string", .string("x")))
        case .array:
            wrong.append(("an object", .object([])))
            wrong.append(("a string", .string("x")))
        case .any: break
        }

        var result: [(String, JSONLiteral, Outcome)] = []
        if spec.optional {
            for (label, value) in wrong {
                switch spec.mistyped {
                case .error: result.append((label, value, .rejected(#"Invalid "\#(spec.name)": expected \#(expectation)"#)))
                case .ignore: result.append((label, value, .readAsAbsent))
                case .null: result.append((label, value, .readAsNull))
                }
            }
            switch spec.nullPolicy {
            case .absent: result.append(("null", .null, .readAsAbsent))
            case .invalid: result.append(("null", .null, .rejected(#"Invalid "\#(spec.name)": expected \#(expectation)"#)))
            case .value: result.append(("null", .null, .readAsNull))
            }
        } else {
            let message =
                spec.kind == .any
                ? #"Missing "\#(spec.name)": expected \#(expectation)"#
                : #"Missing or invalid "\#(spec.name)": expected \#(expectation)"#
            for (label, value) in wrong { result.append((label, value, .rejected(message))) }
            if !(spec.kind == .any && spec.nullPolicy == .value) {
                result.append(("null", .null, .rejected(message)))
            }
        }
        return result
    }
}
