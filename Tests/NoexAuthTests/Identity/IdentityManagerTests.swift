@testable import NoexAuth
import NoexStore
import NoexWire
import Foundation
import Testing

@Suite struct IdentityManagerTests {
    private func manager(_ store: Store? = nil) throws -> IdentityManager {
        try IdentityManager(
            store: store ?? Store(), configuration: BuiltInIdentityConfiguration(adminSecret: "s3cret-admin"),
            now: { Int64(Date.nowMs) })
    }

    @Test func bootstrapCreatesBucketsAndSeedsRolesOnce() throws {
        let store = try Store()
        _ = try manager(store)
        for bucket in ["_users", "_roles", "_user_roles", "_acl", "_sessions", "_resource_owners"] {
            #expect(store.hasBucket(bucket))
        }
        _ = try manager(store)
        let names = try store.bucket("_roles").all().compactMap { $0["name"]?.stringValue }
        #expect(names == ["superadmin", "admin", "writer", "reader"])
    }

    @Test func systemRolePermissions() throws {
        let identity = try manager()
        let admin = IdentityCaller(userId: SystemRoles.superadminUserId, roles: ["superadmin"])
        for (user, role) in [("w", "writer"), ("r", "reader"), ("a", "admin")] {
            _ = try identity.guarded { () throws(StoreError) in
                try identity.store.bucket("_users").insert(["id": .string(user), "username": .string("user-\(user)"), "passwordHash": "x"])
            }
            try identity.assignRole(caller: admin, userId: user, roleName: role)
        }
        #expect(identity.isAllowed(userId: "w", operation: "store.insert", resource: "b"))
        #expect(identity.isAllowed(userId: "w", operation: "procedures.call", resource: "*"))
        #expect(!identity.isAllowed(userId: "w", operation: "store.defineBucket", resource: "b"))
        #expect(!identity.isAllowed(userId: "w", operation: "server.stats", resource: "*"))
        #expect(identity.isAllowed(userId: "r", operation: "store.all", resource: "b"))
        #expect(!identity.isAllowed(userId: "r", operation: "store.insert", resource: "b"))
        #expect(!identity.isAllowed(userId: "r", operation: "rules.emit", resource: "t"))
        #expect(!identity.isAllowed(userId: "r", operation: "procedures.call", resource: "*"))
        #expect(identity.isAllowed(userId: "a", operation: "audit.query", resource: "*"))
        #expect(identity.isAllowed(userId: SystemRoles.superadminUserId, operation: "anything.at.all", resource: "*"))
        #expect(!identity.isAllowed(userId: "nobody", operation: "store.all", resource: "b"))
    }

    @Test func onlySuperadminAssignsSuperadmin() throws {
        let identity = try manager()
        _ = try identity.guarded { () throws(StoreError) in
            try identity.store.bucket("_users").insert(["id": "u", "username": "someone", "passwordHash": "x"])
        }
        let admin = IdentityCaller(userId: "a", roles: ["admin"])
        #expect(throws: ProtocolError.self) { try identity.assignRole(caller: admin, userId: "u", roleName: "superadmin") }
        #expect(identity.roleNames(ofUser: "u") == [])
        try identity.assignRole(caller: IdentityCaller(userId: "__superadmin__", roles: ["superadmin"]), userId: "u", roleName: "superadmin")
        #expect(identity.roleNames(ofUser: "u") == ["superadmin"])
        #expect(throws: ProtocolError.self) { try identity.removeRole(caller: admin, userId: "u", roleName: "superadmin") }
    }

    @Test func sessionsStoreOnlyTokenDigests() throws {
        let identity = try manager()
        let login = try identity.loginWithSecret("s3cret-admin", ip: "10.0.0.1", isRevoked: { _ in false })
        let rows = try identity.store.bucket("_sessions").all()
        #expect(rows.count == 1)
        #expect(rows[0]["id"] == .string(login.tokenId))
        #expect(login.tokenId == Digest.sha256Hex(login.token))
        #expect(!JSONSerializer.string(.array(rows.map(JSONValue.object))).contains(login.token))
        #expect(try identity.validateSession(token: login.token)?.session.userId == SystemRoles.superadminUserId)
        #expect(try identity.validateSession(token: login.tokenId) == nil)
    }

    @Test func maxSessionsPerUserEndsTheOldest() throws {
        let identity = try IdentityManager(
            store: Store(), configuration: BuiltInIdentityConfiguration(adminSecret: "s", maxSessionsPerUser: 2),
            now: { Int64(Date.nowMs) })
        let first = try identity.loginWithSecret("s", ip: "i", isRevoked: { _ in false })
        let second = try identity.loginWithSecret("s", ip: "i", isRevoked: { _ in false })
        #expect(second.endedTokenIds.isEmpty)
        let third = try identity.loginWithSecret("s", ip: "i", isRevoked: { _ in false })
        #expect(third.endedTokenIds.count == 1)
        #expect(try identity.store.bucket("_sessions").count() == 2)
        let survivors = try [first, second, third].filter { try identity.validateSession(token: $0.token) != nil }.count
        #expect(survivors == 2)
        #expect(try identity.validateSession(token: third.token) != nil)
    }
}

extension Date {
    static var nowMs: Double { Date().timeIntervalSince1970 * 1000 }
}

@Suite struct IdentityPersistenceTests {
    @Test func usersRolesAndSessionsSurviveARestart() async throws {
        let path = "/tmp/noex-identity-\(UInt64.random(in: 0...UInt64.max)).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let configuration = BuiltInIdentityConfiguration(
            adminSecret: "restart-secret", passwordHashCost: PasswordHasher.Cost(n: 1024, r: 8, p: 1))
        let root = IdentityCaller(userId: SystemRoles.superadminUserId, roles: ["superadmin"])
        let token: String
        do {
            let store = try Store(configuration: StoreConfiguration(persistence: .sqlite(path: path)))
            let identity = try IdentityManager(store: store, configuration: configuration, now: { Int64(Date.nowMs) })
            let user = try await identity.createUser(
                username: "alice", password: "password123", displayName: nil, email: nil, enabled: nil, metadata: nil)
            try identity.assignRole(caller: root, userId: try #require(user["id"]?.stringValue), roleName: "writer")
            token = try await identity.login(username: "alice", password: "password123", ip: "1.2.3.4", isRevoked: { _ in false }).token
            try store.close()
        }
        let store = try Store(configuration: StoreConfiguration(persistence: .sqlite(path: path)))
        defer { try? store.close() }
        let identity = try IdentityManager(store: store, configuration: configuration, now: { Int64(Date.nowMs) })
        #expect(try store.bucket("_roles").count() == 4)
        let restored = try #require(try identity.validateSession(token: token))
        #expect(restored.session.roles == ["writer"])
        let again = try await identity.login(username: "alice", password: "password123", ip: "1.2.3.4", isRevoked: { _ in false })
        #expect(again.session.roles == ["writer"])
    }
}
