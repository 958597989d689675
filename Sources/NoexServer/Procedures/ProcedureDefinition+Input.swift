import NoexWire

extension ProcedureDefinition {
    /// Checks a call's input against the `input` schema (spec-identity §6.5) and applies
    /// defaults. Keys the schema does not declare pass through; without a schema anything passes.
    ///
    /// A missing or null value takes the field's `default` without a type check; a missing
    /// required field without a default is an issue.
    /// - Parameter input: the call's `input` object.
    /// - Returns: the input with defaults filled in.
    /// - Throws: ``ProcedureError/invalidInput(_:)`` with every issue.
    func validateInput(_ input: JSONObject) throws(ProcedureError) -> JSONObject {
        guard let fields = self.input else { return input }
        var issues: [String] = []
        var result = input
        for field in fields {
            guard let value = input[field.name], !value.isNull else {
                if let fallback = field.defaultValue {
                    result[field.name] = fallback
                } else if field.required {
                    issues.append("Missing required input \"\(field.name)\"")
                }
                continue
            }
            if !field.type.matches(value) {
                issues.append("Input \"\(field.name)\": expected \(field.type.rawValue), got \(Self.typeofName(value))")
            }
        }
        guard issues.isEmpty else { throw .invalidInput(issues) }
        return result
    }

    /// JavaScript's `typeof` of a non-null JSON value (arrays report `object`).
    static func typeofName(_ value: JSONValue) -> String {
        switch value {
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null, .array, .object: "object"
        }
    }
}
