import NoexProtocol
import NoexWire

// This build has no audit log yet: the request pipeline answers every `audit.*` request with
// `UNKNOWN_OPERATION "Audit log is not configured"` before decoding it, exactly as a server started without
// the audit log does. These methods give the same answer should they be reached directly.
extension OperationHandlers {
    func query(_ request: AuditQueryRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.auditNotConfigured
    }
}

extension ProtocolError {
    /// `audit.*` on a server without the audit log.
    static let auditNotConfigured = ProtocolError(.unknownOperation, "Audit log is not configured")
}
