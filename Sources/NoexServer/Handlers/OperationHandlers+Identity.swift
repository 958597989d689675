import NoexProtocol
import NoexWire

// This build has no built-in identity yet: the request pipeline answers every `identity.*` request with
// `UNKNOWN_OPERATION "Identity management is not configured"` before decoding it, exactly as a server started without
// built-in identity does. These methods give the same answer should they be reached directly.
extension OperationHandlers {
    func login(_ request: IdentityLoginRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func loginWithSecret(_ request: IdentityLoginWithSecretRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func logout(_ request: IdentityLogoutRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func whoami(_ request: IdentityWhoamiRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func refreshSession(_ request: IdentityRefreshSessionRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func createUser(_ request: IdentityCreateUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func getUser(_ request: IdentityGetUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func updateUser(_ request: IdentityUpdateUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func deleteUser(_ request: IdentityDeleteUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func listUsers(_ request: IdentityListUsersRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func enableUser(_ request: IdentityEnableUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func disableUser(_ request: IdentityDisableUserRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func changePassword(_ request: IdentityChangePasswordRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func resetPassword(_ request: IdentityResetPasswordRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func createRole(_ request: IdentityCreateRoleRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func updateRole(_ request: IdentityUpdateRoleRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func deleteRole(_ request: IdentityDeleteRoleRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func listRoles(_ request: IdentityListRolesRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func assignRole(_ request: IdentityAssignRoleRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func removeRole(_ request: IdentityRemoveRoleRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func getUserRoles(_ request: IdentityGetUserRolesRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func grant(_ request: IdentityGrantRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func revoke(_ request: IdentityRevokeRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func getAcl(_ request: IdentityGetAclRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func myAccess(_ request: IdentityMyAccessRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func getOwner(_ request: IdentityGetOwnerRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }

    func transferOwner(_ request: IdentityTransferOwnerRequest, context: RequestContext) async throws -> JSONValue? {
        throw ProtocolError.identityNotConfigured
    }
}

extension ProtocolError {
    /// `identity.*` on a server without built-in identity.
    static let identityNotConfigured = ProtocolError(.unknownOperation, "Identity management is not configured")
}
