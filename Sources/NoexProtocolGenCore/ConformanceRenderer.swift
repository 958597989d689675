/// Renders the conformance tests of the `NoexProtocolConformanceTests` target: tables of
/// cases computed from the spec (here, independently of the runtime's message code) and the
/// Swift Testing functions that run them against the generated module.
public struct ConformanceRenderer {
    let spec: ProtocolSpec

    /// Creates a renderer.
    /// - Parameter spec: the validated spec.
    public init(spec: ProtocolSpec) { self.spec = spec }

    /// Every file of ``ProtocolOutputFiles/conformanceTests``.
    public func render() -> [GeneratedFile] {
        [
            GeneratedFile(name: "ConformanceCases.swift", contents: cases()),
            GeneratedFile(name: "ConformanceTests.swift", contents: tests()),
        ]
    }

    static func literal(_ value: JSONLiteral) -> String {
        switch value {
        case .null: return ".null"
        case .bool(let b): return ".bool(\(b))"
        case .number(let n): return ".number(\(n))"
        case .string(let s): return ".string(\(SwiftNames.stringLiteral(s)))"
        case .array(let items): return ".array([" + items.map(literal).joined(separator: ", ") + "])"
        case .object(let members): return ".object(" + objectLiteral(members) + ")"
        }
    }

    static func objectLiteral(_ members: [(String, JSONLiteral)]) -> String {
        if members.isEmpty { return "[:]" }
        return "[" + members.map { "\(SwiftNames.stringLiteral($0.0)): \(literal($0.1))" }.joined(separator: ", ") + "]"
    }

    func cases() -> String {
        var w = SwiftWriter()
        w.doc(["A valid payload of every operation (every field present), and the names of its required fields."])
        w.line("let validPayloads: [ValidPayloadCase] = [")
        w.indented { w in
            for op in spec.operations {
                let plans = op.payload.map(FieldPlan.init)
                let members = plans.map { ($0.name, $0.sampleValue) }
                let required = plans.filter { !$0.spec.optional }.map { SwiftNames.stringLiteral($0.name) }
                w.line("ValidPayloadCase(")
                w.indented { w in
                    w.line("type: \(SwiftNames.stringLiteral(op.name)), line: \(op.line),")
                    w.line("payload: \(Self.objectLiteral(members)),")
                    w.line("required: [\(required.joined(separator: ", "))]),")
                }
            }
        }
        w.line("]")
        w.line()
        w.doc(["Every missing required field and every wrong-typed or null field, with its outcome."])
        w.line("let fieldCases: [FieldCase] = [")
        w.indented { w in
            for op in spec.operations {
                let plans = op.payload.map(FieldPlan.init)
                for plan in plans {
                    var base = plans.map { ($0.name, $0.sampleValue) }
                    if let missing = plan.missingOutcome {
                        let payload = base.filter { $0.0 != plan.name }
                        w.line(fieldCase(op: op.name, field: plan.name, label: "missing", line: plan.spec.line, payload: payload, outcome: missing))
                    }
                    for probe in plan.probes {
                        if let i = base.firstIndex(where: { $0.0 == plan.name }) { base[i].1 = probe.value }
                        w.line(fieldCase(op: op.name, field: plan.name, label: probe.label, line: plan.spec.line, payload: base, outcome: probe.outcome))
                    }
                }
            }
        }
        w.line("]")
        w.line()
        w.doc(["The metadata protocol.yaml declares for every operation, in declaration order."])
        w.line("let metadataCases: [MetadataCase] = [")
        w.indented { w in
            for op in spec.operations {
                let codes = (op.errors + spec.commonErrors.filter { !op.errors.contains($0) }).map(SwiftNames.stringLiteral)
                w.line("MetadataCase(")
                w.indented { w in
                    w.line("name: \(SwiftNames.stringLiteral(op.name)), namespace: \(SwiftNames.stringLiteral(op.namespace)), tier: \(op.tier.map { SwiftNames.stringLiteral($0.rawValue) } ?? "nil"),")
                    w.line("isAuthExempt: \(op.isAuthExempt), resourceField: \(op.resourceField.map(SwiftNames.stringLiteral) ?? "nil"), since: \(SwiftNames.stringLiteral(op.since)),")
                    w.line("identityGate: \(op.gate.map { SwiftNames.stringLiteral($0.rawValue) } ?? "nil"), errors: [\(codes.joined(separator: ", "))]),")
                }
            }
        }
        w.line("]")
        w.line()
        w.doc(["The error codes protocol.yaml declares, in order."])
        w.line("let declaredErrorCodes: [String] = [" + spec.errors.map { SwiftNames.stringLiteral($0.code) }.joined(separator: ", ") + "]")
        w.line()
        w.doc(["The namespaces protocol.yaml declares, in order."])
        w.line("let declaredNamespaces: [String] = [" + spec.namespaces.map { SwiftNames.stringLiteral($0.name) }.joined(separator: ", ") + "]")
        w.line()
        w.doc(["The close codes protocol.yaml declares: (code, reason)."])
        w.line("let declaredCloseCodes: [(UInt16, String)] = [" + spec.closeCodes.map { "(\($0.code), \(SwiftNames.stringLiteral($0.reason)))" }.joined(separator: ", ") + "]")
        w.line()
        w.doc(["The system events protocol.yaml declares: (name, since)."])
        w.line("let declaredSystemEvents: [(String, String)] = [" + spec.systemEvents.map { "(\(SwiftNames.stringLiteral($0.name)), \(SwiftNames.stringLiteral($0.since)))" }.joined(separator: ", ") + "]")
        w.line()
        w.doc(["The push channels protocol.yaml declares."])
        w.line("let declaredChannels: [String] = [" + spec.channels.map { SwiftNames.stringLiteral($0.name) }.joined(separator: ", ") + "]")
        w.line()
        w.doc(["The protocol version protocol.yaml declares."])
        w.line("let declaredVersion = \(SwiftNames.stringLiteral(spec.version))")
        return GeneratedHeader.swift(imports: ["import NoexWire"]) + "\n" + w.text
    }

    func fieldCase(op: String, field: String, label: String, line: Int, payload: [(String, JSONLiteral)], outcome: FieldPlan.Outcome) -> String {
        let outcomeText: String
        switch outcome {
        case .rejected(let message): outcomeText = ".rejected(\(SwiftNames.stringLiteral(message)))"
        case .readAsAbsent: outcomeText = ".readAsAbsent"
        case .readAsNull: outcomeText = ".readAsNull"
        }
        return "FieldCase(type: \(SwiftNames.stringLiteral(op)), field: \(SwiftNames.stringLiteral(field)), label: \(SwiftNames.stringLiteral(label)), line: \(line), payload: \(Self.objectLiteral(payload)), outcome: \(outcomeText)),"
    }

    func tests() -> String {
        var w = SwiftWriter()
        w.line(Self.staticTests)
        w.doc([
            "A handler implementing every operation by recording which method ran; that it compiles proves the handler protocols can be implemented, and the dispatch test uses it.",
        ])
        w.block("struct RecordingHandler: ProtocolOperations") { w in
            w.line("typealias Context = String")
            for op in spec.operations {
                w.line()
                w.line("func \(SwiftNames.identifier(op.method))(_ request: \(SwiftNames.payloadType(op.name)), context: String) async throws -> JSONValue? {")
                w.indented { w in
                    w.line(".array([.string(\(SwiftNames.stringLiteral(op.name))), .string(context), .object(request.payload())])")
                }
                w.line("}")
            }
        }
        return GeneratedHeader.swift(imports: ["import NoexProtocol", "import NoexWire", "import Testing"]) + "\n" + w.text
    }

    static let staticTests = #"""
        /// A valid payload of one operation.
        struct ValidPayloadCase: Sendable, CustomTestStringConvertible {
            let type: String
            let line: Int
            let payload: JSONObject
            let required: [String]
            var testDescription: String { "\(type) (protocol.yaml:\(line))" }
        }

        /// One field probe: the payload to decode and what must happen.
        struct FieldCase: Sendable, CustomTestStringConvertible {
            enum Outcome: Sendable {
                case rejected(String)
                case readAsAbsent
                case readAsNull
            }

            let type: String
            let field: String
            let label: String
            let line: Int
            let payload: JSONObject
            let outcome: Outcome
            var testDescription: String { "\(type) \"\(field)\" \(label) (protocol.yaml:\(line))" }
        }

        /// The declared metadata of one operation.
        struct MetadataCase: Sendable, CustomTestStringConvertible {
            let name: String
            let namespace: String
            let tier: String?
            let isAuthExempt: Bool
            let resourceField: String?
            let since: String
            let identityGate: String?
            let errors: [String]
            var testDescription: String { name }
        }

        /// The envelope members every request carries, plus one the decoder must ignore.
        func withEnvelope(_ payload: JSONObject, type: String) -> JSONObject {
            var message: JSONObject = ["id": 7, "type": .string(type), "someUnknownMember": ["nested": true]]
            for (key, value) in payload { message[key] = value }
            return message
        }

        @Suite("Payload decoding")
        struct PayloadDecodingTests {
            @Test("a valid payload decodes and re-encodes to itself", arguments: validPayloads)
            func validPayloadRoundTrips(_ valid: ValidPayloadCase) throws {
                let request = try Request(type: valid.type, payload: withEnvelope(valid.payload, type: valid.type))
                #expect(request.descriptor.name == valid.type)
                #expect(request.payload() == valid.payload)
                #expect(try Request(type: valid.type, payload: request.payload()) == request)
            }

            @Test("only the required fields are enough", arguments: validPayloads)
            func requiredFieldsSuffice(_ valid: ValidPayloadCase) throws {
                var minimal = JSONObject()
                for name in valid.required { minimal[name] = valid.payload[name] }
                let request = try Request(type: valid.type, payload: minimal)
                #expect(request.payload() == minimal)
            }

            @Test("missing, wrong-typed and null fields give the specified outcome", arguments: fieldCases)
            func fieldOutcome(_ probe: FieldCase) throws {
                let message = withEnvelope(probe.payload, type: probe.type)
                switch probe.outcome {
                case .rejected(let text):
                    #expect(throws: ProtocolError(.validationError, text)) {
                        try Request(type: probe.type, payload: message)
                    }
                case .readAsAbsent:
                    let request = try Request(type: probe.type, payload: message)
                    #expect(request.payload()[probe.field] == nil)
                case .readAsNull:
                    let request = try Request(type: probe.type, payload: message)
                    #expect(request.payload()[probe.field] == .null)
                }
            }

            @Test("an unknown operation in a known namespace names the namespace")
            func unknownOperationInNamespace() {
                for namespace in declaredNamespaces {
                    let type = namespace + ".noSuchOperation"
                    #expect(throws: ProtocolError(.unknownOperation, "Unknown \(namespace) operation \"\(type)\"")) {
                        try Request(type: type, payload: [:])
                    }
                }
            }

            @Test("an unknown namespace, and ping, are unknown operations")
            func unknownNamespace() {
                for type in ["ping", "totally.unknown", "store", ".insert", "Store.insert"] {
                    #expect(throws: ProtocolError(.unknownOperation, "Unknown operation \"\(type)\"")) {
                        try Request(type: type, payload: [:])
                    }
                }
            }
        }

        @Suite("Metadata")
        struct MetadataTests {
            @Test("every declared operation is in the catalogue, in order")
            func catalogueOrder() {
                #expect(Operations.all.map(\.name) == metadataCases.map(\.name))
                #expect(Set(Operations.all.map(\.name)).count == Operations.all.count)
            }

            @Test("descriptors match protocol.yaml", arguments: metadataCases)
            func descriptorMatches(_ expected: MetadataCase) throws {
                let descriptor = try #require(Operations.descriptor(for: expected.name))
                #expect(descriptor.name == expected.name)
                #expect(descriptor.namespace.rawValue == expected.namespace)
                #expect(descriptor.tier?.rawValue == expected.tier)
                #expect(descriptor.isAuthExempt == expected.isAuthExempt)
                #expect(descriptor.resourceField == expected.resourceField)
                #expect(descriptor.since == expected.since)
                #expect(descriptor.identityGate?.rawValue == expected.identityGate)
                #expect(descriptor.errors.map(\.rawValue) == expected.errors)
                #expect(Operations.namespace(of: expected.name) == descriptor.namespace)
            }

            @Test("every error code an operation names is declared", arguments: metadataCases)
            func errorsDeclared(_ expected: MetadataCase) throws {
                let descriptor = try #require(Operations.descriptor(for: expected.name))
                for code in descriptor.errors {
                    #expect(ErrorCode.allDeclared.contains(code), "\(code) is not declared")
                }
            }

            @Test("the error catalogue matches protocol.yaml")
            func errorCatalogue() {
                #expect(ErrorCode.allDeclared.map(\.rawValue) == declaredErrorCodes)
                #expect(ErrorCode.validationError == ProtocolError.validationCode)
                #expect(ErrorCode.common.allSatisfy(ErrorCode.allDeclared.contains))
            }

            @Test("namespaces, channels, system events, close codes and version match protocol.yaml")
            func catalogues() {
                #expect(OperationNamespace.allCases.map(\.rawValue) == declaredNamespaces)
                #expect(PushChannel.allCases.map(\.rawValue) == declaredChannels)
                #expect(SystemEvent.allCases.map { [$0.rawValue, $0.since] } == declaredSystemEvents.map { [$0.0, $0.1] })
                #expect(CloseCode.allDeclared.map(\.code) == declaredCloseCodes.map(\.0))
                #expect(CloseCode.allDeclared.map(\.reason) == declaredCloseCodes.map(\.1))
                #expect(ProtocolInfo.version == declaredVersion)
            }
        }

        @Suite("Dispatch")
        struct DispatchTests {
            @Test("dispatch calls the handler method of the request's operation", arguments: validPayloads)
            func dispatchReachesHandler(_ valid: ValidPayloadCase) async throws {
                let request = try Request(type: valid.type, payload: valid.payload)
                let result = try await request.dispatch(to: RecordingHandler(), context: "ctx")
                #expect(result == .array([.string(valid.type), .string("ctx"), .object(valid.payload)]))
            }
        }

        """#
}
