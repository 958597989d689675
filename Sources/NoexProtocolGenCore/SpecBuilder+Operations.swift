import NoexYAML

extension SpecBuilder {
    static let operationKeys = [
        "summary", "description", "tier", "authExempt", "resource", "gate", "since", "payload", "result", "errors",
    ]
    static let fieldKeys = [
        "type", "description", "optional", "nonEmpty", "minimum", "enum", "null", "mistyped", "expected", "items",
        "example",
    ]
    /// Members every request carries; a payload field cannot reuse them.
    static let envelopeMembers: Set<String> = ["id", "type"]

    mutating func buildOperations(_ node: YAMLNode, spec: ProtocolSpec, types: Set<String>) -> [OperationSpec] {
        guard let map = mapping(node, "\"operations\"") else { return [] }
        var result: [OperationSpec] = []
        var methodNames: [String: Int] = [:]
        for (key, value) in entries(map, "\"operations\"", duplicateNoun: "operation") {
            guard let operation = buildOperation(key, value, spec: spec, types: types) else { continue }
            let swiftName = SwiftNames.requestCase(operation.name)
            if let first = methodNames[swiftName] {
                error(key.line, "operation \"\(operation.name)\" maps to the Swift name \"\(swiftName)\" already used at line \(first)")
                continue
            }
            methodNames[swiftName] = key.line
            result.append(operation)
        }
        return result
    }

    mutating func buildOperation(_ key: YAMLScalar, _ node: YAMLNode, spec: ProtocolSpec, types: Set<String>) -> OperationSpec? {
        let name = key.value
        let context = "operation \"\(name)\""
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, SwiftNames.isLowerIdentifier(String(parts[0])), SwiftNames.isLowerIdentifier(String(parts[1])) else {
            error(key.line, "\(context) must be named <namespace>.<operation> with lowerCamelCase parts")
            return nil
        }
        let namespace = String(parts[0])
        if !spec.namespaces.contains(where: { $0.name == namespace }) {
            error(key.line, "\(context) is in the undeclared namespace \"\(namespace)\"")
        }
        guard let body = mapping(node, context) else { return nil }
        let fields = entries(body, context, allowed: Self.operationKeys)
        let summary = requiredString(fields, "summary", context, line: key.line) ?? ""
        let description = string(value(fields, "description"), "\"description\" of \(context)") ?? ""
        var tier: OperationSpec.Tier?
        if let tierNode = value(fields, "tier"), let text = string(tierNode, "\"tier\" of \(context)") {
            tier = OperationSpec.Tier(rawValue: text)
            if tier == nil { error(tierNode.line, "\"tier\" of \(context) must be read, write or admin, found \"\(text)\"") }
        }
        var gate: OperationSpec.Gate?
        if let gateNode = value(fields, "gate"), let text = string(gateNode, "\"gate\" of \(context)") {
            gate = OperationSpec.Gate(rawValue: text)
            if gate == nil {
                error(gateNode.line, "\"gate\" of \(context) must be authenticated, admin or superadmin, found \"\(text)\"")
            }
        }
        let authExempt = bool(value(fields, "authExempt"), "\"authExempt\" of \(context)") ?? false
        let since = version(value(fields, "since"), "\"since\" of \(context)", default: spec.version)

        var payload: [FieldSpec] = []
        if let payloadNode = value(fields, "payload"), let payloadMap = mapping(payloadNode, "\"payload\" of \(context)") {
            for (fieldKey, fieldNode) in entries(payloadMap, "\"payload\" of \(context)", duplicateNoun: "payload field") {
                if let field = buildField(fieldKey, fieldNode, operation: name, spec: spec) { payload.append(field) }
            }
        }

        var resourceField: String?
        if let resourceNode = value(fields, "resource"), let text = string(resourceNode, "\"resource\" of \(context)") {
            if payload.contains(where: { $0.name == text }) { resourceField = text } else {
                error(resourceNode.line, "\"resource\" of \(context) names \"\(text)\", which is not one of its payload fields")
            }
        }

        var result = ResultSpec(type: "any", description: "", fields: [], line: key.line)
        if let resultNode = value(fields, "result") {
            result = buildResult(resultNode, context, types: types)
        } else {
            error(key.line, "\(context) has no result")
        }

        let declared = Set(spec.errors.map(\.code))
        var errors: [String] = []
        for (code, line) in stringList(value(fields, "errors"), "\"errors\" of \(context)") {
            if !declared.contains(code) {
                error(line, "\(context) names the undeclared error code \"\(code)\"")
            } else if errors.contains(code) {
                error(line, "\(context) lists the error code \"\(code)\" twice")
            } else {
                errors.append(code)
            }
        }
        let canReject = payload.map(FieldPlan.init).contains { plan in
            plan.missingOutcome != nil || plan.probes.contains { if case .rejected = $0.outcome { true } else { false } }
        }
        if canReject, !errors.contains("VALIDATION_ERROR"), declared.contains("VALIDATION_ERROR") {
            error(key.line, "\(context) has payload fields that can be rejected but does not list VALIDATION_ERROR")
        }

        return OperationSpec(
            name: name, namespace: namespace, method: String(parts[1]), summary: summary, description: description,
            tier: tier, isAuthExempt: authExempt, resourceField: resourceField, gate: gate, since: since,
            payload: payload, result: result, errors: errors, line: key.line)
    }

    mutating func buildResult(_ node: YAMLNode, _ context: String, types: Set<String>) -> ResultSpec {
        let resultContext = "\"result\" of \(context)"
        guard let map = mapping(node, resultContext) else { return ResultSpec(type: "any", description: "", fields: [], line: node.line) }
        let fields = entries(map, resultContext, allowed: ["type", "description", "fields"])
        let type = requiredString(fields, "type", resultContext, line: node.line) ?? "any"
        checkTypeExpression(type, line: value(fields, "type")?.line ?? node.line, types: types)
        let description = string(value(fields, "description"), "\"description\" of \(resultContext)") ?? ""
        let members = value(fields, "fields").map { shapeFields($0, resultContext, types: types) } ?? []
        if !members.isEmpty, type != "object" {
            error(node.line, "\(resultContext) lists fields, so its type must be object")
        }
        return ResultSpec(type: type, description: description, fields: members, line: node.line)
    }

    mutating func buildField(_ key: YAMLScalar, _ node: YAMLNode, operation: String, spec: ProtocolSpec) -> FieldSpec? {
        let name = key.value
        let context = "field \"\(name)\" of operation \"\(operation)\""
        if Self.envelopeMembers.contains(name) {
            error(key.line, "\(context) reuses the envelope member \"\(name)\"")
        }
        if !SwiftNames.isLowerIdentifier(name) { error(key.line, "\(context) must be a lowerCamelCase identifier") }
        guard let body = mapping(node, context) else { return nil }
        let fields = entries(body, context, allowed: Self.fieldKeys)
        let line = key.line

        var kind = FieldSpec.Kind.any
        if let typeNode = value(fields, "type"), let text = string(typeNode, "\"type\" of \(context)") {
            if let parsed = FieldSpec.Kind(rawValue: text) { kind = parsed } else {
                error(
                    typeNode.line,
                    "unknown type \"\(text)\" for \(context); expected one of: \(FieldSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
        } else if value(fields, "type") == nil {
            error(line, "\(context) is missing \"type\"")
            return nil
        }
        let optional = bool(value(fields, "optional"), "\"optional\" of \(context)") ?? false
        let description = requiredString(fields, "description", context, line: line) ?? ""
        let nonEmpty = bool(value(fields, "nonEmpty"), "\"nonEmpty\" of \(context)") ?? false
        if nonEmpty, kind != .string { error(value(fields, "nonEmpty")?.line ?? line, "\"nonEmpty\" applies to strings only (\(context))") }

        var minimum: Int?
        if let minNode = value(fields, "minimum") {
            if case .scalar(let s) = minNode, let n = s.intValue { minimum = n } else {
                error(minNode.line, "\"minimum\" of \(context) must be an integer")
            }
            if kind != .integer { error(minNode.line, "\"minimum\" applies to integers only (\(context))") }
            if let n = minimum, n != 1 { error(minNode.line, "\"minimum\" of \(context) must be 1 (positive integer); other bounds have no standard message") }
        }

        var allowed: [String] = []
        if let enumNode = value(fields, "enum") {
            allowed = stringList(enumNode, "\"enum\" of \(context)").map(\.0)
            if kind != .string { error(enumNode.line, "\"enum\" applies to strings only (\(context))") }
            if allowed.count < 2 { error(enumNode.line, "\"enum\" of \(context) needs at least two values") }
            if nonEmpty { error(enumNode.line, "\(context) cannot be both nonEmpty and an enum") }
        }

        var nullPolicy = FieldSpec.NullPolicy.absent
        if let nullNode = value(fields, "null") {
            if case .scalar(let s) = nullNode, let parsed = FieldSpec.NullPolicy(rawValue: s.value) { nullPolicy = parsed } else {
                error(nullNode.line, "\"null\" of \(context) must be absent, invalid or value")
            }
        }
        var mistyped = FieldSpec.MistypedPolicy.error
        if let mistypedNode = value(fields, "mistyped") {
            if case .scalar(let s) = mistypedNode, let parsed = FieldSpec.MistypedPolicy(rawValue: s.value) { mistyped = parsed } else {
                error(mistypedNode.line, "\"mistyped\" of \(context) must be error, ignore or null")
            }
        }
        checkPolicies(
            kind: kind, optional: optional, nullPolicy: nullPolicy, mistyped: mistyped, context: context, line: line,
            hasNull: value(fields, "null") != nil)

        let expected = string(value(fields, "expected"), "\"expected\" of \(context)")
        if expected != nil, kind == .any { error(line, "\"expected\" does not apply to fields of type any (\(context))") }

        var items: String?
        if let itemsNode = value(fields, "items"), let text = string(itemsNode, "\"items\" of \(context)") {
            if kind != .array { error(itemsNode.line, "\"items\" applies to arrays only (\(context))") }
            if spec.validators.contains(where: { $0.name == text }) { items = text } else {
                error(itemsNode.line, "\(context) names the undeclared validator \"\(text)\"")
            }
            if mistyped != .error { error(itemsNode.line, "\(context) with \"items\" cannot use mistyped: \(mistyped.rawValue)") }
        }

        var example: JSONLiteral?
        if let exampleNode = value(fields, "example") { example = literal(exampleNode) }
        if items != nil, example == nil { error(line, "\(context) uses a handwritten validator and needs a valid \"example\"") }

        return FieldSpec(
            name: name, kind: kind, optional: optional, nonEmpty: nonEmpty, minimum: minimum, allowed: allowed,
            nullPolicy: nullPolicy, mistyped: mistyped, expectedOverride: expected, items: items, example: example,
            description: description, line: line)
    }

    /// Rejects combinations that have no defined decoding.
    mutating func checkPolicies(
        kind: FieldSpec.Kind, optional: Bool, nullPolicy: FieldSpec.NullPolicy, mistyped: FieldSpec.MistypedPolicy,
        context: String, line: Int, hasNull: Bool
    ) {
        if !optional {
            if mistyped != .error { error(line, "\"mistyped\" applies to optional fields only (\(context))") }
            if hasNull, kind != .any { error(line, "a required \(kind.rawValue) never accepts null; remove \"null\" (\(context))") }
            if hasNull, kind == .any, nullPolicy == .invalid {
                error(line, "use null: value or leave \"null\" out for a required any (\(context))")
            }
            return
        }
        if kind == .any {
            if nullPolicy == .invalid { error(line, "an optional any cannot reject null (\(context))") }
            if mistyped != .error { error(line, "an optional any has no wrong type; remove \"mistyped\" (\(context))") }
        }
        if mistyped == .null, nullPolicy != .value { error(line, "mistyped: null requires null: value (\(context))") }
        if mistyped == .ignore, nullPolicy != .absent { error(line, "mistyped: ignore requires null to read as absent (\(context))") }
    }

    /// Converts a YAML example into JSON using the YAML core schema for plain scalars.
    mutating func literal(_ node: YAMLNode) -> JSONLiteral {
        switch node {
        case .scalar(let s):
            if s.isNull { return .null }
            if let b = s.boolValue { return .bool(b) }
            if let n = s.numberValue { return .number(n) }
            return .string(s.value)
        case .sequence(let seq):
            return .array(seq.items.map { literal($0) })
        case .mapping(let map):
            return .object(entries(map, "an example").map { ($0.key.value, literal($0.value)) })
        }
    }
}
