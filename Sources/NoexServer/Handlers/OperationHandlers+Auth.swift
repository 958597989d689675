import NoexAuth
import NoexProtocol
import NoexWire

extension OperationHandlers {
    private func tokenAuth() throws(ProtocolError) -> TokenAuthConfiguration {
        guard let auth = core.configuration.auth else {
            throw ProtocolError(.unknownOperation, "Authentication is not configured")
        }
        return auth
    }

    func login(_ request: AuthLoginRequest, context: RequestContext) async throws -> JSONValue? {
        if let identity = core.identity { return try reconnect(identity, token: request.token, context: context) }
        let auth = try tokenAuth()
        let validated: AuthSession?
        do {
            validated = try await auth.validate(request.token)
        } catch {
            throw ProtocolError(.internalError, "Internal server error")
        }
        guard let session = validated else { throw ProtocolError(.unauthorized, "Invalid token") }
        if session.isExpired(at: core.clock.nowMs()) {
            throw ProtocolError(.unauthorized, "Token has expired")
        }
        if core.blacklist?.contains(session.userId) == true {
            context.connection.setSession(nil)
            throw ProtocolError(.sessionRevoked, "Session has been revoked")
        }
        context.connection.setSession(session)
        return Self.sessionJSON(session)
    }

    func logout(_ request: AuthLogoutRequest, context: RequestContext) async throws -> JSONValue? {
        if core.identity == nil { _ = try tokenAuth() }
        context.connection.setSession(nil)
        return ["loggedOut": true]
    }

    func whoami(_ request: AuthWhoamiRequest, context: RequestContext) async throws -> JSONValue? {
        if core.identity == nil { _ = try tokenAuth() }
        guard let session = context.connection.session else { return ["authenticated": false] }
        if session.isExpired(at: core.clock.nowMs()) {
            context.connection.setSession(nil)
            return ["authenticated": false]
        }
        guard case .object(var object) = Self.sessionJSON(session) else { return nil }
        object = JSONObject([("authenticated", true)] + object.map { ($0.key, $0.value) })
        return .object(object)
    }

    /// Token reconnect in built-in identity mode (spec-identity §4.2): a stored session token
    /// becomes the connection's session, roles read fresh. Unlike the reference, the connection
    /// then holds the stored session, so `identity.logout` deletes it and `refreshSession` works.
    private func reconnect(_ identity: IdentityManager, token: String, context: RequestContext) throws -> JSONValue? {
        guard let (validated, tokenId) = try identity.validateSession(token: token) else {
            throw ProtocolError(.unauthorized, "Invalid token")
        }
        let session = AuthSession(userId: validated.userId, roles: validated.roles, expiresAt: validated.expiresAt)
        if session.isExpired(at: core.clock.nowMs()) { throw ProtocolError(.unauthorized, "Token has expired") }
        if core.blacklist?.contains(session.userId) == true {
            context.connection.setSession(nil)
            throw ProtocolError(.sessionRevoked, "Session has been revoked")
        }
        context.connection.setSession(session, tokenId: tokenId)
        return Self.sessionJSON(session)
    }

    private static func sessionJSON(_ session: AuthSession) -> JSONValue {
        [
            "userId": .string(session.userId),
            "roles": .array(session.roles.map(JSONValue.string)),
            "expiresAt": session.expiresAt.map { .number(Double($0)) } ?? .null,
        ]
    }
}
