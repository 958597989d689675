import NoexAuth
import NoexProtocol
import NoexStore
import NoexWire

/// The resource check of both auth modes (F22): token auth's `permissions` and built-in
/// identity's live ACL/role check, asked about every resource a request touches.
struct Authorizer: Sendable {
    let identity: IdentityManager?
    let permissions: PermissionConfiguration?
    /// Whether any authentication is configured.
    let authConfigured: Bool
    /// Whether a session is needed (built-in identity, or required token auth).
    let sessionRequired: Bool

    init(configuration: ServerConfiguration, identity: IdentityManager?) {
        self.identity = identity
        permissions = identity == nil ? configuration.auth?.permissions : nil
        authConfigured = identity != nil || configuration.auth != nil
        sessionRequired = identity != nil || configuration.auth?.required == true
    }

    /// The first resource `session` may not touch with `operation`, or `nil` when all are allowed.
    func firstDenied(session: AuthSession, operation: String, resources: [AccessResource]) -> AccessResource? {
        if let identity { return identity.firstDenied(userId: session.userId, operation: operation, resources: resources) }
        if let permissions { return permissions.firstDenied(session: session, operation: operation, resources: resources) }
        return nil
    }

    /// Whether `session` may receive an event on `topic` through `rules.subscribe`. Asked only for
    /// the bare prefix a trailing `.*` pattern also matches (`orders.*` matches `orders`), the
    /// one topic a pattern allowed as equal to a `prefix.*` constraint can reach outside it.
    func mayReceiveEvent(on topic: String, session: AuthSession?) -> Bool {
        guard authConfigured else { return true }
        guard let session else { return !sessionRequired }
        let resource = AccessResource(kind: .topic, name: topic, access: .read)
        return firstDenied(session: session, operation: "rules.subscribe", resources: [resource]) == nil
    }

    /// The operation whose permission on a bucket lets a client watch that bucket's changes:
    /// a store event carries whole records, so it needs what reading every record needs.
    static let storeEventOperation = "store.all"

    /// Whether `session` may receive a store event of `bucket` (forwarded to the rules engine,
    /// pushed to a `rules.subscribe` pattern such as `*` or `bucket.*`).
    func mayReceiveStoreEvent(of bucket: String, session: AuthSession?) -> Bool {
        guard authConfigured else { return true }
        guard let session else { return !sessionRequired }
        if identity != nil, SystemBuckets.isSystem(bucket) { return false }
        let resource = AccessResource(kind: .bucket, name: bucket, access: .read)
        return firstDenied(session: session, operation: Self.storeEventOperation, resources: [resource]) == nil
    }
}
