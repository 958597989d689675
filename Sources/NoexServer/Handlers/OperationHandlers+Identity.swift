import NoexAuth
import NoexProtocol
import NoexWire

// Built-in identity (spec-identity §4.11). The pipeline has already checked authentication and
// the operation's role gate; these handlers call the identity manager and keep the connection
// state and the other live connections in step with what it changed.
extension OperationHandlers {
    private func identity() throws(ProtocolError) -> IdentityManager {
        guard let identity = core.identity else { throw ProtocolError.identityNotConfigured }
        return identity
    }

    /// The caller with their live roles (the same the role gate used).
    private func caller(_ context: RequestContext) throws(ProtocolError) -> IdentityCaller {
        guard let session = context.connection.session else {
            throw ProtocolError(.unauthorized, "Authentication required")
        }
        return IdentityCaller(userId: session.userId, roles: try identity().roleNames(ofUser: session.userId))
    }

    private func isRevoked(_ userId: String) -> Bool { core.blacklist?.contains(userId) ?? false }

    /// Attaches a fresh login to the connection and ends sessions trimmed by `maxSessionsPerUser`.
    private func adopt(_ login: IdentityLogin, on connection: ClientConnection) -> JSONValue {
        connection.setSession(
            AuthSession(userId: login.session.userId, roles: login.session.roles, expiresAt: login.session.expiresAt),
            tokenId: login.tokenId)
        core.endSessions(tokenIds: login.endedTokenIds, reason: "Session ended: too many sessions for this user")
        return login.result
    }

    func login(_ request: IdentityLoginRequest, context: RequestContext) async throws -> JSONValue? {
        let login = try await identity().login(
            username: request.username, password: request.password, ip: context.connection.remoteAddress,
            isRevoked: isRevoked)
        return adopt(login, on: context.connection)
    }

    func loginWithSecret(_ request: IdentityLoginWithSecretRequest, context: RequestContext) async throws -> JSONValue? {
        let login = try identity().loginWithSecret(
            request.secret, ip: context.connection.remoteAddress, isRevoked: isRevoked)
        return adopt(login, on: context.connection)
    }

    func logout(_ request: IdentityLogoutRequest, context: RequestContext) async throws -> JSONValue? {
        let identity = try identity()
        if let tokenId = context.connection.sessionTokenId { try identity.logout(tokenId: tokenId) }
        context.connection.setSession(nil)
        return ["loggedOut": true]
    }

    func whoami(_ request: IdentityWhoamiRequest, context: RequestContext) async throws -> JSONValue? {
        guard let session = context.connection.session else {
            throw ProtocolError(.unauthorized, "Authentication required")
        }
        return [
            "authenticated": true, "userId": .string(session.userId), "roles": .array(session.roles.map(JSONValue.string)),
            "expiresAt": context.connection.session?.expiresAt.map { .number(Double($0)) } ?? .null,
        ]
    }

    func refreshSession(_ request: IdentityRefreshSessionRequest, context: RequestContext) async throws -> JSONValue? {
        let identity = try identity()
        guard let tokenId = context.connection.sessionTokenId else {
            throw ProtocolError(.unauthorized, "No active session to refresh")
        }
        let login = try identity.refreshSession(tokenId: tokenId, ip: context.connection.remoteAddress)
        return adopt(login, on: context.connection)
    }

    func createUser(_ request: IdentityCreateUserRequest, context: RequestContext) async throws -> JSONValue? {
        try await identity().createUser(
            username: request.username, password: request.password, displayName: request.displayName,
            email: request.email, enabled: request.enabled, metadata: request.metadata)
    }

    func getUser(_ request: IdentityGetUserRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().getUser(request.userId)
    }

    func updateUser(_ request: IdentityUpdateUserRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().updateUser(
            caller: caller(context), userId: request.userId, displayName: request.displayName, email: request.email,
            metadata: request.metadata)
    }

    func deleteUser(_ request: IdentityDeleteUserRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().deleteUser(request.userId, caller: caller(context))
        core.endSessions(ofUser: request.userId, reason: "Account deleted")
        return ["deleted": true]
    }

    func listUsers(_ request: IdentityListUsersRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().listUsers(page: request.page, pageSize: request.pageSize)
    }

    func enableUser(_ request: IdentityEnableUserRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().enableUser(request.userId, caller: caller(context))
    }

    func disableUser(_ request: IdentityDisableUserRequest, context: RequestContext) async throws -> JSONValue? {
        let info = try identity().disableUser(request.userId, caller: caller(context))
        core.endSessions(ofUser: request.userId, reason: "Account disabled")
        return info
    }

    func changePassword(_ request: IdentityChangePasswordRequest, context: RequestContext) async throws -> JSONValue? {
        try await identity().changePassword(
            caller: caller(context), userId: request.userId, currentPassword: request.currentPassword,
            newPassword: request.newPassword)
        // Every stored token is gone; the user's other live connections end with them.
        core.endSessions(ofUser: request.userId, reason: "Password changed", except: context.connection)
        return ["changed": true]
    }

    func resetPassword(_ request: IdentityResetPasswordRequest, context: RequestContext) async throws -> JSONValue? {
        try await identity().resetPassword(
            userId: request.userId, newPassword: request.newPassword, caller: caller(context))
        core.endSessions(ofUser: request.userId, reason: "Password reset by administrator", except: context.connection)
        return ["reset": true]
    }

    func createRole(_ request: IdentityCreateRoleRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().createRole(name: request.name, description: request.description, permissions: request.permissions)
    }

    func updateRole(_ request: IdentityUpdateRoleRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().updateRole(
            roleId: request.roleId, description: request.description, permissions: request.permissions)
    }

    func deleteRole(_ request: IdentityDeleteRoleRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().deleteRole(roleId: request.roleId)
        return ["deleted": true]
    }

    func listRoles(_ request: IdentityListRolesRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().listRoles()
    }

    func assignRole(_ request: IdentityAssignRoleRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().assignRole(caller: caller(context), userId: request.userId, roleName: request.roleName)
        return ["assigned": true]
    }

    func removeRole(_ request: IdentityRemoveRoleRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().removeRole(caller: caller(context), userId: request.userId, roleName: request.roleName)
        return ["removed": true]
    }

    func getUserRoles(_ request: IdentityGetUserRolesRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().getUserRoles(userId: request.userId)
    }

    func grant(_ request: IdentityGrantRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().grant(
            caller: caller(context), subjectType: request.subjectType, subjectId: request.subjectId,
            resourceType: request.resourceType, resourceName: request.resourceName, operations: request.operations)
        return ["granted": true]
    }

    func revoke(_ request: IdentityRevokeRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().revoke(
            caller: caller(context), subjectType: request.subjectType, subjectId: request.subjectId,
            resourceType: request.resourceType, resourceName: request.resourceName, operations: request.operations)
        return ["revoked": true]
    }

    func getAcl(_ request: IdentityGetAclRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().getAcl(resourceType: request.resourceType, resourceName: request.resourceName)
    }

    func myAccess(_ request: IdentityMyAccessRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().myAccess(userId: caller(context).userId)
    }

    func getOwner(_ request: IdentityGetOwnerRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().getOwner(resourceType: request.resourceType, resourceName: request.resourceName)
    }

    func transferOwner(_ request: IdentityTransferOwnerRequest, context: RequestContext) async throws -> JSONValue? {
        try identity().transferOwner(
            caller: caller(context), resourceType: request.resourceType, resourceName: request.resourceName,
            newOwnerId: request.newOwnerId)
        return ["transferred": true]
    }
}

extension ProtocolError {
    /// `identity.*` on a server without built-in identity.
    static let identityNotConfigured = ProtocolError(.unknownOperation, "Identity management is not configured")
}
