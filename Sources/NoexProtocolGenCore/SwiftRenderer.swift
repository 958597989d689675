/// Renders the Swift sources of the `NoexProtocol` module from a ``ProtocolSpec``.
public struct SwiftRenderer {
    let spec: ProtocolSpec

    /// Creates a renderer.
    /// - Parameter spec: the validated spec.
    public init(spec: ProtocolSpec) { self.spec = spec }

    /// Every file of ``ProtocolOutputFiles/sources``, in that order.
    public func render() -> [GeneratedFile] {
        var files = [
            GeneratedFile(name: "ProtocolInfo.swift", contents: protocolInfo()),
            GeneratedFile(name: "ErrorCode+Catalogue.swift", contents: errorCatalogue()),
            GeneratedFile(name: "OperationDescriptor.swift", contents: operationDescriptor()),
            GeneratedFile(name: "Operations.swift", contents: operations()),
            GeneratedFile(name: "Request.swift", contents: request()),
            GeneratedFile(name: "Request+Dispatch.swift", contents: dispatch()),
            GeneratedFile(name: "Handlers.swift", contents: handlers()),
            GeneratedFile(name: "PushChannel.swift", contents: pushChannel()),
            GeneratedFile(name: "SystemEvent.swift", contents: systemEvent()),
            GeneratedFile(name: "CloseCode.swift", contents: closeCode()),
        ]
        for namespace in ProtocolOutputFiles.namespaces {
            files.append(
                GeneratedFile(name: ProtocolOutputFiles.payloadFile(namespace: namespace), contents: payloads(namespace: namespace)))
        }
        return files
    }

    static func sinceNote(_ since: String, base: String) -> String {
        since == base ? "" : "Since protocol \(since)."
    }

    // MARK: - ProtocolInfo.swift

    func protocolInfo() -> String {
        var w = SwiftWriter()
        w.doc(["Facts about the protocol as a whole.", spec.description])
        w.block("public enum ProtocolInfo") { w in
            w.doc(["The protocol version this module implements, sent in the `welcome` message."])
            w.line("public static let version = \(SwiftNames.stringLiteral(spec.version))")
            w.doc(["The noex-server release this contract ships with (`protocol.serverVersion`)."])
            w.line("public static let serverVersion = \(SwiftNames.stringLiteral(spec.serverVersion))")
        }
        w.line()
        w.doc(["The kinds of envelope messages, by the value of their `type` member."])
        w.block("public enum MessageKind: String, Sendable, CaseIterable") { w in
            for message in spec.messages {
                guard let typeValue = message.typeValue else { continue }
                let sender = message.direction == .client ? "Sent by the client." : "Sent by the server."
                let members = "Members: " + message.fields.map { "`\($0.name)`" + ($0.optional ? " (optional)" : "") }
                    .joined(separator: ", ") + "."
                w.doc([message.description, sender + " " + members, Self.sinceNote(message.since, base: spec.version)], line: message.line)
                w.line("case \(SwiftNames.identifier(SwiftNames.camelCase(fromSnake: message.name))) = \(SwiftNames.stringLiteral(typeValue))")
            }
        }
        return GeneratedHeader.swift(imports: []) + "\n" + w.text
    }

    // MARK: - ErrorCode+Catalogue.swift

    func errorCatalogue() -> String {
        var w = SwiftWriter()
        w.block("extension ErrorCode") { w in
            for error in spec.errors {
                w.doc(["`\(error.code)`: \(error.description)", Self.sinceNote(error.since, base: spec.version)], line: error.line)
                w.line("public static let \(SwiftNames.camelCase(fromSnake: error.code)) = ErrorCode(rawValue: \(SwiftNames.stringLiteral(error.code)))")
                w.line()
            }
            w.doc(["Every code declared in protocol.yaml, in declaration order."])
            w.line("public static let allDeclared: [ErrorCode] = [")
            w.indented { w in
                for error in spec.errors { w.line(".\(SwiftNames.camelCase(fromSnake: error.code)),") }
            }
            w.line("]")
            w.line()
            w.doc(["Codes any operation may be answered with by the request pipeline (authentication, authorisation, rate limiting, backpressure, internal failures)."])
            w.line("public static let common: [ErrorCode] = [" + spec.commonErrors.map { ".\(SwiftNames.camelCase(fromSnake: $0))" }.joined(separator: ", ") + "]")
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - OperationDescriptor.swift

    func operationDescriptor() -> String {
        var w = SwiftWriter()
        w.doc(["The namespaces operations are grouped in: the part of an operation name before the dot."])
        w.block("public enum OperationNamespace: String, Sendable, CaseIterable") { w in
            for namespace in spec.namespaces {
                w.doc([namespace.description], line: namespace.line)
                w.line("case \(SwiftNames.identifier(namespace.name))")
            }
        }
        w.line()
        w.doc([
            "The tier of an operation, used by the role-tier check of external-token auth and by the audit log.",
            "Role levels reader < writer < admin must reach the tier levels read < write < admin.",
        ])
        w.block("public enum OperationTier: String, Sendable, CaseIterable") { w in
            w.doc(["Reads and subscriptions."])
            w.line("case read")
            w.doc(["Mutations."])
            w.line("case write")
            w.doc(["Schema, rule, procedure and identity administration, and introspection."])
            w.line("case admin")
        }
        w.line()
        w.doc([
            "The role gate an identity operation applies before it looks at its payload (built-in identity mode).",
            "It checks the roles captured in the connection's session at login, not the live ones.",
        ])
        w.block("public enum IdentityGate: String, Sendable, CaseIterable") { w in
            w.doc(["The connection must be authenticated (`UNAUTHORIZED` `Authentication required`)."])
            w.line("case authenticated")
            w.doc(["Authenticated with role `admin` or `superadmin` (`FORBIDDEN` `Admin role required`)."])
            w.line("case admin")
            w.doc(["Authenticated with role `superadmin` (`FORBIDDEN` `Superadmin role required`)."])
            w.line("case superadmin")
        }
        w.line()
        w.doc([
            "Static facts about one operation, as declared in protocol.yaml.",
            "A class: every request looks its descriptor up, and a reference is one retain to pass around where a struct of strings and arrays is several. Equal descriptors have equal names (names are unique).",
        ])
        w.block("public final class OperationDescriptor: Sendable, Hashable") { w in
            w.doc(["The full name, e.g. `store.insert`."])
            w.line("public let name: String")
            w.doc(["The position in ``Operations/all`` (declaration order); ``Request/init(operation:payload:)`` switches on it."])
            w.line("public let position: Int")
            w.doc(["The namespace, the part of the name before the dot."])
            w.line("public let namespace: OperationNamespace")
            w.doc(["The tier, or `nil` when the operation is not in the tier map (never tier-checked, never audited)."])
            w.line("public let tier: OperationTier?")
            w.doc(["Whether the auth check skips the operation (e.g. `auth.*`, `identity.login`)."])
            w.line("public let isAuthExempt: Bool")
            w.doc(["The payload field naming the permission resource (`bucket`, `name`, `query`, `topic`, `key`, `pattern`, ...), or `nil` when the resource is `*`."])
            w.line("public let resourceField: String?")
            w.doc(["The protocol version that introduced the operation."])
            w.line("public let since: String")
            w.doc(["The identity role gate, for `identity.*` operations that have one."])
            w.line("public let identityGate: IdentityGate?")
            w.doc(["Every code the operation can be answered with: its own codes first, then ``ErrorCode/common``."])
            w.line("public let errors: [ErrorCode]")
            w.doc(["One-line summary from protocol.yaml."])
            w.line("public let summary: String")
            w.line()
            w.doc([
                "Creates a descriptor.",
                "- Parameters:\n  - name: the full name.\n  - position: its position in ``Operations/all``.\n  - namespace: its namespace.\n  - tier: its tier, if any.\n  - isAuthExempt: whether the auth check skips it.\n  - resourceField: the payload field naming the resource.\n  - since: the version that introduced it.\n  - identityGate: the identity role gate.\n  - errors: the codes it can answer.\n  - summary: a one-line summary.",
            ])
            w.line("public init(")
            w.indented { w in
                w.line("name: String, position: Int, namespace: OperationNamespace, tier: OperationTier?, isAuthExempt: Bool, resourceField: String?,")
                w.line("since: String, identityGate: IdentityGate?, errors: [ErrorCode], summary: String")
            }
            w.block(")") { w in
                for member in ["name", "position", "namespace", "tier", "isAuthExempt", "resourceField", "since", "identityGate", "errors", "summary"] {
                    w.line("self.\(member) = \(member)")
                }
            }
            w.line()
            w.doc(["Descriptors are equal when their names are."])
            w.block("public static func == (lhs: OperationDescriptor, rhs: OperationDescriptor) -> Bool") { w in
                w.line("lhs.name == rhs.name")
            }
            w.line()
            w.doc(["Hashes the name."])
            w.block("public func hash(into hasher: inout Hasher)") { w in
                w.line("hasher.combine(name)")
            }
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - Operations.swift

    func operations() -> String {
        var w = SwiftWriter()
        w.doc(["The catalogue of every operation of protocol \(spec.version)."])
        w.block("public enum Operations") { w in
            for (position, op) in spec.operations.enumerated() {
                w.doc(["`\(op.name)`: \(op.summary)"], line: op.line)
                w.line("public static let \(SwiftNames.requestCase(op.name)) = OperationDescriptor(")
                w.indented { w in
                    w.line("name: \(SwiftNames.stringLiteral(op.name)), position: \(position), namespace: .\(SwiftNames.identifier(op.namespace)), tier: \(op.tier.map { ".\($0.rawValue)" } ?? "nil"),")
                    w.line("isAuthExempt: \(op.isAuthExempt), resourceField: \(op.resourceField.map(SwiftNames.stringLiteral) ?? "nil"), since: \(SwiftNames.stringLiteral(op.since)),")
                    w.line("identityGate: \(op.gate.map { ".\($0.rawValue)" } ?? "nil"),")
                    let codes = op.errors + spec.commonErrors.filter { !op.errors.contains($0) }
                    w.line("errors: [" + codes.map { ".\(SwiftNames.camelCase(fromSnake: $0))" }.joined(separator: ", ") + "],")
                    w.line("summary: \(SwiftNames.stringLiteral(op.summary)))")
                }
                w.line()
            }
            w.doc(["Every operation, in declaration order."])
            w.line("public static let all: [OperationDescriptor] = [")
            w.indented { w in
                for op in spec.operations { w.line("\(SwiftNames.requestCase(op.name)),") }
            }
            w.line("]")
            w.line()
            w.doc(["Every operation by name."])
            w.line("static let byName: [String: OperationDescriptor] = Dictionary(")
            w.indented { w in w.line("uniqueKeysWithValues: all.map { ($0.name, $0) })") }
            w.line()
            w.doc(["Looks up an operation.", "- Parameter type: the request's `type`, e.g. `store.insert`.", "- Returns: its descriptor, or `nil` for an unknown operation."])
            w.block("public static func descriptor(for type: String) -> OperationDescriptor?") { w in
                w.line("byName[type]")
            }
            w.line()
            w.doc([
                "The namespace a request type routes to, by prefix (`store.` → `.store`), whether or not the operation exists.",
                "- Parameter type: the request's `type`.",
                "- Returns: the namespace, or `nil` when no namespace prefix matches.",
            ])
            w.block("public static func namespace(of type: String) -> OperationNamespace?") { w in
                w.line("guard let dot = type.firstIndex(of: \".\") else { return nil }")
                w.line("return OperationNamespace(rawValue: String(type[..<dot]))")
            }
            w.line()
            w.doc([
                "The `UNKNOWN_OPERATION` error for a type that names no operation: `Unknown <namespace> operation \"<type>\"` inside a known namespace, else `Unknown operation \"<type>\"`.",
                "- Parameter type: the request's `type`.",
                "- Returns: the error.",
            ])
            w.block("public static func unknownOperationError(for type: String) -> ProtocolError") { w in
                w.block("if let namespace = namespace(of: type)") { w in
                    w.line("return ProtocolError(.unknownOperation, \"Unknown \\(namespace.rawValue) operation \\\"\\(type)\\\"\")")
                }
                w.line("return ProtocolError(.unknownOperation, \"Unknown operation \\\"\\(type)\\\"\")")
            }
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - Request.swift

    func request() -> String {
        var w = SwiftWriter()
        w.doc([
            "A decoded, validated request: one case per operation, carrying its payload.",
            "Build one from a parsed request message with ``init(type:payload:)``; run it with ``dispatch(to:context:)``.",
        ])
        w.block("public enum Request: Sendable, Hashable") { w in
            for op in spec.operations {
                w.doc(["`\(op.name)`: \(op.summary)"], line: op.line)
                w.line("case \(SwiftNames.requestCase(op.name))(\(SwiftNames.payloadType(op.name)))")
            }
            w.line()
            w.doc([
                "Decodes and validates a request.",
                "Payload fields are checked in declaration order, so the first bad field decides the message. `id`, `type` and unknown members are ignored.",
                "- Parameters:\n  - type: the request's `type`.\n  - payload: the whole request object.",
                "- Throws: `UNKNOWN_OPERATION` for an unknown type (see ``Operations/unknownOperationError(for:)``), `VALIDATION_ERROR` with the protocol's message for a bad payload.",
            ])
            w.block("public init(type: String, payload: JSONObject) throws(ProtocolError)") { w in
                w.line("guard let operation = Operations.descriptor(for: type) else { throw Operations.unknownOperationError(for: type) }")
                w.line("try self.init(operation: operation, payload: payload)")
            }
            w.line()
            w.doc([
                "Decodes and validates the payload of an operation already looked up (see ``init(type:payload:)``).",
                "- Parameters:\n  - operation: the operation's descriptor.\n  - payload: the whole request object.",
                "- Throws: `VALIDATION_ERROR` with the protocol's message for a bad payload.",
            ])
            w.block("public init(operation: OperationDescriptor, payload: JSONObject) throws(ProtocolError)") { w in
                w.switchBlock("operation.position") { w in
                    for (index, op) in spec.operations.enumerated() {
                        w.line("case \(index): self = .\(SwiftNames.requestCase(op.name))(try \(SwiftNames.payloadType(op.name))(payload: payload))")
                    }
                    w.line("default: throw Operations.unknownOperationError(for: operation.name)")
                }
            }
            w.line()
            w.doc(["The operation's descriptor."])
            w.block("public var descriptor: OperationDescriptor") { w in
                w.switchBlock("self") { w in
                    for op in spec.operations {
                        w.line("case .\(SwiftNames.requestCase(op.name)): Operations.\(SwiftNames.requestCase(op.name))")
                    }
                }
            }
            w.line()
            w.doc(["The payload members of the request (without `id` and `type`), for clients building messages."])
            w.block("public func payload() -> JSONObject") { w in
                w.switchBlock("self") { w in
                    for op in spec.operations {
                        w.line("case .\(SwiftNames.requestCase(op.name))(let request): request.payload()")
                    }
                }
            }
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - Request+Dispatch.swift

    func dispatch() -> String {
        var w = SwiftWriter()
        w.block("extension Request") { w in
            w.doc([
                "Calls the handler method of this request's operation.",
                "- Parameters:\n  - handler: the object implementing every operation.\n  - context: per-request context passed through to the handler (connection, session, ...).",
                "- Returns: the result's `data`; `nil` means the result message has no `data` member.",
                "- Throws: whatever the handler throws.",
            ])
            w.line("public func dispatch<Handler: ProtocolOperations>(")
            w.indented { w in w.line("to handler: Handler, context: Handler.Context") }
            w.block(") async throws -> JSONValue?") { w in
                w.switchBlock("self") { w in
                    for op in spec.operations {
                        w.line("case .\(SwiftNames.requestCase(op.name))(let request):")
                        w.indented { w in
                            w.line("return try await handler.\(SwiftNames.identifier(op.method))(request, context: context)")
                        }
                    }
                }
            }
        }
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - Handlers.swift

    func handlers() -> String {
        var w = SwiftWriter()
        for namespace in spec.namespaces {
            let name = SwiftNames.handlerProtocol(namespace.name)
            w.doc([
                "The `\(namespace.name).*` operations. \(namespace.description)",
                "A server conforms to it (through ``ProtocolOperations``); adding an operation to protocol.yaml adds a requirement here, so the build fails until the server implements it.",
            ], line: namespace.line)
            w.block("public protocol \(name)<Context>: Sendable") { w in
                w.doc(["Per-request context the server passes to every handler method."])
                w.line("associatedtype Context")
                for op in spec.operations(in: namespace.name) {
                    w.line()
                    var paragraphs = ["Handles `\(op.name)`: \(op.summary)"]
                    if !op.description.isEmpty { paragraphs.append(op.description) }
                    paragraphs.append("Result: `\(op.result.type)`" + (op.result.description.isEmpty ? "." : ". \(op.result.description)"))
                    if !op.errors.isEmpty {
                        paragraphs.append("Answers: " + op.errors.map { "`\($0)`" }.joined(separator: ", ") + ".")
                    }
                    paragraphs.append("- Parameters:\n  - request: the validated payload.\n  - context: the request's context.")
                    paragraphs.append("- Returns: the result's `data`, or `nil` for a result without `data`.")
                    paragraphs.append("- Throws: a `ProtocolError` to answer an error; anything else becomes `INTERNAL_ERROR`.")
                    w.doc(paragraphs, line: op.line)
                    w.line("func \(SwiftNames.identifier(op.method))(_ request: \(SwiftNames.payloadType(op.name)), context: Context) async throws -> JSONValue?")
                }
            }
            w.line()
        }
        w.doc([
            "Every operation of the protocol, with one shared `Context`.",
            "The server's handler conforms to this; ``Request/dispatch(to:context:)`` calls it.",
        ])
        w.line("public protocol ProtocolOperations:")
        w.indented { w in
            w.line(spec.namespaces.map { SwiftNames.handlerProtocol($0.name) }.joined(separator: ", "))
        }
        w.line("{}")
        return GeneratedHeader.swift(imports: ["public import NoexWire"]) + "\n" + w.text
    }

    // MARK: - PushChannel.swift, SystemEvent.swift, CloseCode.swift

    func pushChannel() -> String {
        var w = SwiftWriter()
        w.doc(["The `channel` of a `push` message."])
        w.block("public enum PushChannel: String, Sendable, CaseIterable") { w in
            for channel in spec.channels {
                w.doc([channel.description, "`data`: `\(channel.dataType)`. \(channel.dataDescription)", Self.sinceNote(channel.since, base: spec.version)], line: channel.line)
                w.line("case \(SwiftNames.identifier(SwiftNames.camelCase(fromSnake: channel.name))) = \(SwiftNames.stringLiteral(channel.name))")
            }
        }
        return GeneratedHeader.swift(imports: []) + "\n" + w.text
    }

    func systemEvent() -> String {
        var w = SwiftWriter()
        w.doc(["The `event` of a `system` message."])
        w.block("public enum SystemEvent: String, Sendable, CaseIterable") { w in
            for event in spec.systemEvents {
                let members = event.fields.map { "`\($0.name)` (\($0.type)): \($0.description)" }.joined(separator: " ")
                w.doc([event.description, "Members: " + members, Self.sinceNote(event.since, base: spec.version)], line: event.line)
                w.line("case \(SwiftNames.identifier(SwiftNames.camelCase(fromSnake: event.name))) = \(SwiftNames.stringLiteral(event.name))")
            }
            w.line()
            w.doc(["The protocol version that introduced the event; clients of older versions ignore it."])
            w.block("public var since: String") { w in
                w.switchBlock("self") { w in
                    for event in spec.systemEvents {
                        w.line("case .\(SwiftNames.camelCase(fromSnake: event.name)): \(SwiftNames.stringLiteral(event.since))")
                    }
                }
            }
        }
        return GeneratedHeader.swift(imports: []) + "\n" + w.text
    }

    func closeCode() -> String {
        var w = SwiftWriter()
        w.doc(["A WebSocket close code the server uses, with the reason string it sends."])
        w.block("public struct CloseCode: Sendable, Hashable, CustomStringConvertible") { w in
            w.doc(["The numeric code of the close frame."])
            w.line("public let code: UInt16")
            w.doc(["The reason text of the close frame (may be empty)."])
            w.line("public let reason: String")
            w.line()
            w.doc(["Creates a close code.", "- Parameters:\n  - code: the numeric code.\n  - reason: the reason text."])
            w.block("public init(code: UInt16, reason: String)") { w in
                w.line("self.code = code")
                w.line("self.reason = reason")
            }
            w.line()
            w.doc(["`code reason`."])
            w.line("public var description: String { reason.isEmpty ? \"\\(code)\" : \"\\(code) \\(reason)\" }")
            for close in spec.closeCodes {
                w.line()
                w.doc(["\(close.code) `\(close.reason)`: \(close.description)", Self.sinceNote(close.since, base: spec.version)], line: close.line)
                w.line("public static let \(SwiftNames.identifier(close.name)) = CloseCode(code: \(close.code), reason: \(SwiftNames.stringLiteral(close.reason)))")
            }
            w.line()
            w.doc(["Every close code declared in protocol.yaml, in declaration order."])
            w.line("public static let allDeclared: [CloseCode] = [" + spec.closeCodes.map { ".\(SwiftNames.identifier($0.name))" }.joined(separator: ", ") + "]")
        }
        return GeneratedHeader.swift(imports: []) + "\n" + w.text
    }
}
