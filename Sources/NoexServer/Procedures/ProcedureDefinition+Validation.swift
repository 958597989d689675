import NoexWire

extension ProcedureDefinition {
    /// Validates a definition and parses it (spec-identity §6.5). Every issue is collected before
    /// failing; members the engine does not know are kept in ``json``.
    ///
    /// A member set to `null` counts as present (as in the reference, where only `undefined` is
    /// absent): `"description": null` is an issue, `"value": null` on `return` is allowed.
    /// - Parameters:
    ///   - config: the definition as received.
    ///   - limits: the step-count and nesting limits.
    /// - Returns: the parsed definition.
    /// - Throws: ``ProcedureError/invalidDefinition(_:)`` with every issue, in the order found.
    static func parse(_ config: JSONValue, limits: ProcedureLimits) throws(ProcedureError) -> ProcedureDefinition {
        guard case .object(let object) = config else {
            throw .invalidDefinition(["Procedure config must be an object"])
        }
        var parser = DefinitionParser(limits: limits)
        let definition = parser.parse(object)
        guard parser.issues.isEmpty, let definition else { throw .invalidDefinition(parser.issues) }
        return definition
    }

    /// The static step count the `maxSteps` limit applies to: every step, plus the steps of
    /// every `then`/`else` array of an `if` (counted even when the steps are malformed).
    static func countSteps(_ steps: [JSONValue]) -> Int {
        steps.reduce(0) { total, step in
            guard case .object(let object) = step, object["action"] == "if" else { return total + 1 }
            let nested = [object["then"], object["else"]].reduce(0) { sum, branch in
                sum + (branch?.arrayValue.map(countSteps) ?? 0)
            }
            return total + 1 + nested
        }
    }
}

/// Collects issues while building a definition; one instance per validation.
private struct DefinitionParser {
    let limits: ProcedureLimits
    var issues: [String] = []

    init(limits: ProcedureLimits) { self.limits = limits }

    static let actions = [
        "store.get", "store.where", "store.findOne", "store.insert", "store.update", "store.delete", "store.count",
        "aggregate", "rules.emit", "rules.setFact", "rules.getFact", "if", "transform", "return",
    ]

    /// The definition, or `nil` when an issue was found.
    mutating func parse(_ object: JSONObject) -> ProcedureDefinition? {
        let name = object["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if name == nil { issues.append(#"Missing or invalid "name": expected non-empty string"#) }

        var description: String?
        if let value = object["description"] {
            if case .string(let text) = value { description = text } else { issues.append(#""description" must be a string"#) }
        }

        let input = object["input"].flatMap { parseInput($0) }

        var transaction = false
        if let value = object["transaction"] {
            if case .bool(let flag) = value { transaction = flag } else { issues.append(#""transaction" must be a boolean"#) }
        }

        var timeoutMs: Double?
        if let value = object["timeoutMs"] {
            if case .number(let ms) = value, ms > 0 { timeoutMs = ms } else { issues.append(#""timeoutMs" must be a positive number"#) }
        }

        var steps: [ProcedureStep]?
        if case .array(let list) = object["steps"] {
            if list.isEmpty {
                issues.append(#""steps" must contain at least one step"#)
            } else {
                let total = ProcedureDefinition.countSteps(list)
                if total > limits.maxSteps {
                    issues.append("Total step count (\(total)) exceeds maximum (\(limits.maxSteps))")
                }
                steps = parseSteps(list, path: "steps", depth: 0)
            }
        } else {
            issues.append(#"Missing or invalid "steps": expected array"#)
        }

        guard let name, let steps else { return nil }
        return ProcedureDefinition(
            name: name, description: description, input: input, steps: steps, transaction: transaction,
            timeoutMs: timeoutMs, json: object)
    }

    private mutating func parseInput(_ value: JSONValue) -> [ProcedureInputField]? {
        guard case .object(let object) = value else {
            issues.append(#""input" must be an object"#)
            return nil
        }
        var fields: [ProcedureInputField] = []
        for (key, definition) in object {
            guard case .object(let field) = definition else {
                issues.append("input.\(key): expected field definition object")
                continue
            }
            guard let type = field["type"]?.stringValue.flatMap(ProcedureInputType.init(rawValue:)) else {
                let kinds = ProcedureInputType.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append("input.\(key).type: expected one of: \(kinds)")
                continue
            }
            fields.append(
                ProcedureInputField(
                    name: key, type: type, required: field["required"] != .bool(false), defaultValue: field["default"]))
        }
        return fields
    }

    /// The steps, or `nil` when any of them has an issue.
    private mutating func parseSteps(_ list: [JSONValue], path prefix: String, depth: Int) -> [ProcedureStep]? {
        var steps: [ProcedureStep] = []
        var valid = true
        for (index, element) in list.enumerated() {
            let path = "\(prefix)[\(index)]"
            guard case .object(let object) = element else {
                issues.append("\(path): expected step object")
                valid = false
                continue
            }
            guard let action = object["action"]?.stringValue, Self.actions.contains(action) else {
                issues.append("\(path).action: expected one of: \(Self.actions.joined(separator: ", "))")
                valid = false
                continue
            }
            if let step = parseStep(object, action: action, path: path, depth: depth) {
                steps.append(step)
            } else {
                valid = false
            }
        }
        return valid ? steps : nil
    }

    /// One step; its issues are recorded and `nil` returned when it has any.
    private mutating func parseStep(_ s: JSONObject, action: String, path: String, depth: Int) -> ProcedureStep? {
        let before = issues.count
        let step: ProcedureStep?
        switch action {
        case "store.get":
            let (bucket, key, name) = (string(s, "bucket", path), string(s, "key", path), string(s, "as", path))
            step = zip3(bucket, key, name).map { .storeGet(bucket: $0, key: $1, as: $2) }
        case "store.where", "store.findOne":
            let (bucket, filter, name) = (string(s, "bucket", path), object(s, "filter", path), string(s, "as", path))
            step = zip3(bucket, filter, name).map {
                action == "store.where" ? .storeWhere(bucket: $0, filter: $1, as: $2) : .storeFindOne(bucket: $0, filter: $1, as: $2)
            }
        case "store.insert":
            let (bucket, data) = (string(s, "bucket", path), object(s, "data", path))
            let name = s["as"] == nil ? nil : string(s, "as", path)
            step = bucket.flatMap { bucket in data.map { .storeInsert(bucket: bucket, data: $0, as: name) } }
        case "store.update":
            let (bucket, key, data) = (string(s, "bucket", path), string(s, "key", path), object(s, "data", path))
            let name = s["as"] == nil ? nil : string(s, "as", path)
            step = zip3(bucket, key, data).map { .storeUpdate(bucket: $0, key: $1, data: $2, as: name) }
        case "store.delete":
            let (bucket, key) = (string(s, "bucket", path), string(s, "key", path))
            step = bucket.flatMap { bucket in key.map { .storeDelete(bucket: bucket, key: $0) } }
        case "store.count":
            let bucket = string(s, "bucket", path)
            let filter = s["filter"] == nil ? nil : object(s, "filter", path)
            let name = string(s, "as", path)
            step = bucket.flatMap { bucket in name.map { .storeCount(bucket: bucket, filter: filter, as: $0) } }
        case "aggregate":
            step = parseAggregate(s, path: path)
        case "rules.emit":
            let topic = string(s, "topic", path)
            let data = s["data"] == nil ? nil : object(s, "data", path)
            step = topic.map { .emit(topic: $0, data: data) }
        case "rules.setFact":
            let key = string(s, "key", path)
            if s["value"] == nil { issues.append("\(path).value: required") }
            step = key.flatMap { key in s["value"].map { .setFact(key: key, value: $0) } }
        case "rules.getFact":
            let (key, name) = (string(s, "key", path), string(s, "as", path))
            step = key.flatMap { key in name.map { .getFact(key: key, as: $0) } }
        case "if":
            step = parseCondition(s, path: path, depth: depth)
        case "transform":
            step = parseTransform(s, path: path)
        default:  // "return"
            if s["value"] == nil { issues.append("\(path).value: required") }
            step = s["value"].map { .return($0) }
        }
        return issues.count == before ? step : nil
    }

    private mutating func parseAggregate(_ s: JSONObject, path: String) -> ProcedureStep? {
        let (source, name) = (string(s, "source", path), string(s, "as", path))
        let operation = s["op"]?.stringValue.flatMap(AggregateOperation.init(rawValue:))
        if operation == nil {
            let names = AggregateOperation.allCases.map(\.rawValue).joined(separator: ", ")
            issues.append("\(path).op: expected one of: \(names)")
        }
        let field = operation == .count ? s["field"]?.stringValue : string(s, "field", path)
        guard let source, let name, let operation else { return nil }
        return .aggregate(source: source, operation: operation, field: field, as: name)
    }

    private mutating func parseTransform(_ s: JSONObject, path: String) -> ProcedureStep? {
        let (source, name) = (string(s, "source", path), string(s, "as", path))
        let operation = s["operation"]?.stringValue.flatMap(TransformOperation.init(rawValue:))
        if operation == nil {
            let names = TransformOperation.allCases.map(\.rawValue).joined(separator: ", ")
            issues.append("\(path).operation: expected one of: \(names)")
        }
        if s["args"] == nil { issues.append("\(path).args: required") }
        guard let source, let name, let operation, let args = s["args"] else { return nil }
        return .transform(source: source, operation: operation, args: args, as: name)
    }

    private mutating func parseCondition(_ s: JSONObject, path: String, depth: Int) -> ProcedureStep? {
        if depth >= limits.maxConditionDepth {
            issues.append("\(path): condition nesting depth exceeds maximum (\(limits.maxConditionDepth))")
            return nil
        }
        var condition: ProcedureCondition?
        if case .object(let c) = s["condition"] {
            let ref = c["ref"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            if ref == nil { issues.append("\(path).condition.ref: expected non-empty string") }
            let comparison = c["operator"]?.stringValue.flatMap(ConditionOperator.init(rawValue:))
            if comparison == nil {
                let names = ConditionOperator.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append("\(path).condition.operator: expected one of: \(names)")
            }
            if let ref, let comparison { condition = ProcedureCondition(ref: ref, comparison: comparison, value: c["value"]) }
        } else {
            issues.append("\(path).condition: expected object")
        }
        let then = branch(s["then"], path: "\(path).then", depth: depth, required: true)
        let otherwise = branch(s["else"], path: "\(path).else", depth: depth, required: false)
        guard let condition, let then = then ?? nil, let otherwise else { return nil }
        return .condition(condition, then: then, otherwise: otherwise)
    }

    /// A branch: `.some(nil)` for an absent optional branch, `nil` when invalid.
    private mutating func branch(_ value: JSONValue?, path: String, depth: Int, required: Bool) -> [ProcedureStep]?? {
        if value == nil, !required { return .some(nil) }
        guard case .array(let list) = value, !list.isEmpty else {
            issues.append("\(path): expected non-empty array of steps")
            return nil
        }
        return parseSteps(list, path: path, depth: depth + 1).map { .some($0) }
    }

    private mutating func string(_ s: JSONObject, _ field: String, _ path: String) -> String? {
        if case .string(let text) = s[field], !text.isEmpty { return text }
        issues.append("\(path).\(field): expected non-empty string")
        return nil
    }

    private mutating func object(_ s: JSONObject, _ field: String, _ path: String) -> JSONObject? {
        if case .object(let value) = s[field] { return value }
        issues.append("\(path).\(field): expected object")
        return nil
    }
}

private func zip3<A, B, C>(_ a: A?, _ b: B?, _ c: C?) -> (A, B, C)? {
    guard let a, let b, let c else { return nil }
    return (a, b, c)
}
