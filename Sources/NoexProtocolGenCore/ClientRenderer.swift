/// Renders the generated half of the `NoexClient` module: for every namespace, a small
/// `NoexClient.<Namespace>` value with one typed async method per operation.
///
/// Parameters are the operation's payload fields with the protocol's Swift types (the same
/// ones as the `NoexProtocol` payload structs, which build the request). Results are typed
/// where protocol.yaml declares them in a way that maps cleanly (see ``ResultPlan``):
/// scalars become `Bool`, `Int`, `Double`, `String` or `[String]`; inline objects with
/// declared members become a nested `…Result` struct; everything else (named shapes such as
/// `Record`, unions, `any`) stays `JSONValue`. Operations linked to a push channel through
/// `subscribe:`/`unsubscribe:` return or end a `NoexSubscription`.
public struct ClientRenderer {
    let spec: ProtocolSpec

    /// Creates a renderer.
    /// - Parameter spec: the validated spec.
    public init(spec: ProtocolSpec) { self.spec = spec }

    /// Every file of ``ProtocolOutputFiles/client``, in that order.
    public func render() -> [GeneratedFile] {
        ProtocolOutputFiles.namespaces.map { namespace in
            GeneratedFile(name: ProtocolOutputFiles.clientFile(namespace: namespace), contents: file(namespace: namespace))
        }
    }

    func file(namespace: String) -> String {
        let typeName = SwiftNames.upperFirst(namespace)
        let description = spec.namespaces.first { $0.name == namespace }?.description ?? ""
        var w = SwiftWriter()
        w.block("extension NoexClient") { w in
            w.doc(["The `\(namespace)` operations: \(description)", "Reach it through ``NoexClient/\(namespace)``."])
            w.block("public struct \(typeName): Sendable") { w in
                w.line("let client: NoexClient")
                for op in spec.operations(in: namespace) {
                    w.line()
                    method(op, into: &w)
                }
                for op in spec.operations(in: namespace) where ResultPlan(op.result).isStruct && subscribeChannel(op) == nil {
                    w.line()
                    resultStruct(op, into: &w)
                }
            }
            w.line()
            w.doc(["The `\(namespace)` operations of this client."])
            w.line("public nonisolated var \(SwiftNames.identifier(namespace)): \(typeName) { \(typeName)(client: self) }")
        }
        // NoexProtocol's types appear in signatures only through array validators (`items:`).
        let exposesProtocolTypes = spec.operations(in: namespace).contains { $0.payload.contains { $0.items != nil } }
        let protocolImport = exposesProtocolTypes ? "public import NoexProtocol" : "import NoexProtocol"
        return GeneratedHeader.swift(imports: [protocolImport, "public import NoexWire"]) + "\n" + w.text
    }

    /// The channel an operation subscribes to, if any.
    func subscribeChannel(_ op: OperationSpec) -> ChannelSpec? { spec.channels.first { $0.subscribeOperation == op.name } }

    /// The channel an operation unsubscribes from, if any.
    func unsubscribeChannel(_ op: OperationSpec) -> ChannelSpec? { spec.channels.first { $0.unsubscribeOperation == op.name } }

    func method(_ op: OperationSpec, into w: inout SwiftWriter) {
        let plans = op.payload.map(FieldPlan.init)
        let payloadType = SwiftNames.payloadType(op.name)
        let result = ResultPlan(op.result)
        let subscribe = subscribeChannel(op)
        let unsubscribe = unsubscribeChannel(op)

        var doc = ["`\(op.name)`: \(op.summary)"]
        if !op.description.isEmpty { doc.append(op.description) }
        if op.since != spec.version { doc.append("Since protocol \(op.since).") }
        if let subscribe {
            doc.append(
                "The answer's `subscriptionId` is mapped to the returned subscription, which yields the `\(subscribe.name)` pushes' `data` and survives reconnects (the client subscribes again and maps the new id).")
        }
        if unsubscribe != nil {
            doc.append("Pass the ``NoexSubscription/id`` of a subscription; its sequence ends.")
        }
        var parameterDoc = plans.map { "  - \($0.name): \($0.spec.description)" }
        let timeoutName = plans.contains { $0.name == "timeout" } ? "requestTimeout" : "timeout"
        parameterDoc.append("  - \(timeoutName): overrides the client's request timeout.")
        doc.append("- Parameters:\n" + parameterDoc.joined(separator: "\n"))
        if subscribe != nil {
            doc.append("- Returns: the subscription; its ``NoexSubscription/initialResult`` is the answer.")
        } else {
            doc.append("- Returns: " + (op.result.description.isEmpty ? "the result." : op.result.description))
        }
        let codes = op.errors.isEmpty ? "" : " Codes: " + op.errors.map { "`\($0)`" }.joined(separator: ", ") + "."
        doc.append("- Throws: ``NoexClientError`` with the server's code, message and details." + codes)
        w.doc(doc, line: op.line)

        var parameters = plans.map { "\($0.name): \($0.swiftType)\($0.spec.optional ? " = nil" : "")" }
        // A payload field named `timeout` keeps its name; the client's override moves aside.
        let timeoutLabel = plans.contains { $0.name == "timeout" } ? "requestTimeout" : "timeout"
        parameters.append("\(timeoutLabel): Duration? = nil")
        let returnType = subscribe != nil ? "NoexSubscription" : result.swiftType(op: op)
        w.block(
            "public func \(SwiftNames.identifier(op.method))(\(parameters.joined(separator: ", "))) async throws(NoexClientError) -> \(returnType)"
        ) { w in
            let arguments = plans.map { "\($0.name): \($0.property)" }.joined(separator: ", ")
            // Locals start with `_` so no payload field name can shadow them.
            w.line("let _payload = \(payloadType)(\(arguments)).payload()")
            let name = SwiftNames.stringLiteral(op.name)
            if let subscribe {
                w.line(
                    "return try await self.client.subscribe(operation: \(name), channel: \(SwiftNames.stringLiteral(subscribe.name)), unsubscribeOperation: \(SwiftNames.stringLiteral(subscribe.unsubscribeOperation ?? "")), payload: _payload, timeout: \(timeoutLabel))"
                )
                return
            }
            let call =
                unsubscribe != nil
                ? "try await self.client.unsubscribe(operation: \(name), payload: _payload, timeout: \(timeoutLabel))"
                : "try await self.client.request(\(name), payload: _payload, timeout: \(timeoutLabel))"
            switch result.kind {
            case .raw: w.line("return \(call)")
            default:
                w.line("let _answer = \(call)")
                w.line("return try \(result.decodeExpression(op: op, value: "_answer"))")
            }
        }
    }

    func resultStruct(_ op: OperationSpec, into w: inout SwiftWriter) {
        let name = ResultPlan.structName(op)
        var doc = ["The result of `\(op.name)`."]
        if !op.result.description.isEmpty { doc.append(op.result.description) }
        w.doc(doc, line: op.result.line)
        w.block("public struct \(name): Sendable, Hashable") { w in
            for field in op.result.fields {
                let type = ResultPlan.member(field)
                w.doc([field.description, "Declared as `\(field.type)`\(field.optional ? ", optional" : "")."], line: field.line)
                w.line("public var \(SwiftNames.identifier(field.name)): \(type.swiftType)")
            }
            w.doc(["The whole answer as received (members the protocol does not declare included)."])
            w.line("public var json: JSONValue")
            w.line()
            w.doc([
                "Reads the result from the answer's `data`.",
                "- Parameter json: the answer's `data`.",
                "- Throws: ``NoexClientError`` `INVALID_RESPONSE` when a declared member is missing or has another type.",
            ])
            w.block("public init(json: JSONValue) throws(NoexClientError)") { w in
                let operation = SwiftNames.stringLiteral(op.name)
                w.line("let object = try ResultDecoding.object(json, in: \(operation))")
                for field in op.result.fields {
                    let type = ResultPlan.member(field)
                    let function = type.optional ? "optional" : "required"
                    w.line(
                        "self.\(SwiftNames.identifier(field.name)) = try ResultDecoding.\(function)(object, \(SwiftNames.stringLiteral(field.name)), as: \(type.baseType).self, in: \(operation))"
                    )
                }
                w.line("self.json = json")
            }
        }
    }
}

/// How a result (or a result member) is exposed: the translation stage between the declared
/// type expression and the Swift the client renderer emits.
struct ResultPlan {
    enum Kind: Equatable {
        /// `JSONValue`, unchanged.
        case raw
        /// A `ResultValue` type, possibly optional (`X | null`).
        case value(base: String, optional: Bool)
        /// A nested `…Result` struct.
        case structure
    }

    let kind: Kind

    init(_ result: ResultSpec) {
        if result.type == "object" && !result.fields.isEmpty {
            kind = .structure
        } else if let mapped = Self.map(result.type) {
            kind = mapped.base == "JSONValue" ? .raw : .value(base: mapped.base, optional: mapped.optional)
        } else {
            kind = .raw
        }
    }

    var isStruct: Bool { kind == .structure }

    static func structName(_ op: OperationSpec) -> String { SwiftNames.upperFirst(op.method) + "Result" }

    func swiftType(op: OperationSpec) -> String {
        switch kind {
        case .raw: "JSONValue"
        case .value(let base, let optional): optional ? base + "?" : base
        case .structure: Self.structName(op)
        }
    }

    func decodeExpression(op: OperationSpec, value: String) -> String {
        let operation = SwiftNames.stringLiteral(op.name)
        switch kind {
        case .raw: return value
        case .value(let base, let optional):
            return "ResultDecoding.\(optional ? "nullable" : "value")(\(value), as: \(base).self, in: \(operation))"
        case .structure: return "\(Self.structName(op))(json: \(value))"
        }
    }

    /// A result member's Swift type: `baseType` is what `ResultDecoding` reads; optional
    /// members and `X | null` members read as `nil` when absent or null.
    static func member(_ field: ShapeFieldSpec) -> (swiftType: String, baseType: String, optional: Bool) {
        let mapped = map(field.type) ?? (base: "JSONValue", optional: false)
        let optional = field.optional || mapped.optional
        return (optional ? mapped.base + "?" : mapped.base, mapped.base, optional)
    }

    /// Maps a type expression to a Swift type when that is clean: one JSON type, optionally
    /// `| null`. Named shapes and other unions stay `JSONValue`.
    static func map(_ expression: String) -> (base: String, optional: Bool)? {
        var alternatives = expression.split(separator: "|").map { $0.trimmingCharacters() }
        let optional = alternatives.contains("null")
        alternatives.removeAll { $0 == "null" }
        guard alternatives.count == 1, let only = alternatives.first else { return nil }
        let scalars = ["string": "String", "number": "Double", "integer": "Int", "boolean": "Bool", "object": "JSONObject"]
        if let scalar = scalars[only] { return (scalar, optional) }
        if only == "any" { return ("JSONValue", false) }
        if only.hasSuffix("[]"), let element = scalars[String(only.dropLast(2))], element != "JSONObject" {
            return ("[\(element)]", optional)
        }
        return ("JSONValue", false)
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
