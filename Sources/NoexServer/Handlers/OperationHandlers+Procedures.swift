import NoexProtocol
import NoexWire

// This build has no procedure engine yet: the request pipeline answers every `procedures.*` request with
// `UNKNOWN_OPERATION "Procedures engine is not configured"` before decoding it, exactly as a server started without
// the procedure engine does. These methods give the same answer should they be reached directly.
extension OperationHandlers {
    func register(_ request: ProceduresRegisterRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }

    func unregister(_ request: ProceduresUnregisterRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }

    func update(_ request: ProceduresUpdateRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }

    func get(_ request: ProceduresGetRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }

    func list(_ request: ProceduresListRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }

    func call(_ request: ProceduresCallRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.proceduresNotConfigured
    }
}

extension ProtocolError {
    /// `procedures.*` on a server without the procedure engine.
    static let proceduresNotConfigured = ProtocolError(.unknownOperation, "Procedures engine is not configured")
}
