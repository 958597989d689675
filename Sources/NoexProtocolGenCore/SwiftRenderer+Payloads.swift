extension SwiftRenderer {
    /// One payload struct per operation of the namespace.
    func payloads(namespace: String) -> String {
        var w = SwiftWriter()
        var first = true
        for op in spec.operations(in: namespace) {
            if !first { w.line() }
            first = false
            payload(op, into: &w)
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    func payload(_ op: OperationSpec, into w: inout SwiftWriter) {
        let plans = op.payload.map(FieldPlan.init)
        let type = SwiftNames.payloadType(op.name)
        var paragraphs = ["The payload of `\(op.name)`: \(op.summary)"]
        if !op.description.isEmpty { paragraphs.append(op.description) }
        if op.since != spec.version { paragraphs.append("Since protocol \(op.since).") }
        w.doc(paragraphs, line: op.line)
        w.block("public struct \(type): Sendable, Hashable") { w in
            for plan in plans {
                var doc = [plan.spec.description]
                doc.append(fieldRule(plan))
                w.doc(doc, line: plan.spec.line)
                w.line("public var \(plan.property): \(plan.swiftType)")
            }
            if !plans.isEmpty { w.line() }

            // Memberwise initialiser; optional members default to absent.
            var initDoc = ["Creates the payload."]
            if !plans.isEmpty {
                initDoc.append("- Parameters:\n" + plans.map { "  - \($0.name): \($0.spec.description)" }.joined(separator: "\n"))
            }
            w.doc(initDoc)
            let parameters = plans.map { "\($0.name): \($0.swiftType)\($0.spec.optional ? " = nil" : "")" }
            w.block("public init(\(parameters.joined(separator: ", ")))") { w in
                for plan in plans { w.line("self.\(plan.property) = \(plan.property)") }
            }
            w.line()

            w.doc([
                "Decodes and validates the payload from a request object, checking fields in declaration order.",
                "- Parameter payload: the whole request object (`id`, `type` and unknown members are ignored).",
                "- Throws: `VALIDATION_ERROR` with the protocol's message for the first bad field.",
            ])
            w.block("public init(payload: JSONObject) throws(ProtocolError)") { w in
                for plan in plans { w.line("self.\(plan.property) = \(plan.decodeExpression)") }
            }
            w.line()

            w.doc(["The payload members, for building a request (without `id` and `type`)."])
            w.block("public func payload() -> JSONObject") { w in
                if plans.isEmpty {
                    w.line("JSONObject()")
                } else {
                    w.line("var object = JSONObject(minimumCapacity: \(plans.count))")
                    for plan in plans {
                        for statement in plan.encodeStatements { w.line(statement) }
                    }
                    w.line("return object")
                }
            }
        }
    }

    /// One sentence on how the field is validated.
    func fieldRule(_ plan: FieldPlan) -> String {
        let spec = plan.spec
        if !spec.optional {
            if let items = spec.items { return "Required array; items are validated by `\(items)`." }
            if spec.kind == .any {
                return spec.nullPolicy == .value ? "Required; any value, `null` included." : "Required; any value except `null`."
            }
            return "Required: \(plan.expectation)."
        }
        var rule = "Optional: \(plan.expectation)"
        switch spec.nullPolicy {
        case .absent: rule += "; `null` reads as absent"
        case .invalid: rule += "; `null` is rejected"
        case .value: rule += spec.kind == .any ? "; `null` is kept (`.null`), distinct from absent (`nil`)" : "; `null` reads as `.null`, distinct from absent (`nil`)"
        }
        switch spec.mistyped {
        case .error: break
        case .ignore: rule += "; a value of another type reads as absent"
        case .null: rule += "; a value of another type reads as `.null`"
        }
        return rule + "."
    }
}
