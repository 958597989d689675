import NoexAuth
import NoexProtocol
import NoexWire

extension OperationHandlers {
    /// `audit.query`: matching entries, newest first (spec-identity §5.4).
    func query(_ request: AuditQueryRequest, context: RequestContext) async throws -> JSONValue? {
        guard let log = core.auditLog else { throw ProtocolError.auditNotConfigured }
        let query = AuditQuery(
            userId: request.userId, operation: request.operation, result: request.result.flatMap { AuditEntry.Outcome(rawValue: $0) },
            from: request.from, to: request.to, limit: request.limit)
        return ["entries": .array(log.query(query).map { .object($0.json) })]
    }
}

extension ProtocolError {
    /// `audit.*` on a server without the audit log.
    static let auditNotConfigured = ProtocolError(.unknownOperation, "Audit log is not configured")
}
