import NoexAuth
import NoexProtocol
import NoexWire

/// The per-request path of spec-server §1.5 with our fixes: backpressure (F8), auth check,
/// rate limit, namespace availability, subscription limits, decode and validate, dispatch,
/// error mapping.
struct RequestPipeline: Sendable {
    let core: ServerCore
    let handlers: OperationHandlers

    init(core: ServerCore) {
        self.core = core
        handlers = OperationHandlers(core: core)
    }

    private var exposeDetails: Bool { core.configuration.exposeErrorDetails }

    /// Handles one queued message and sends whatever it answers.
    func process(_ queued: QueuedMessage, on connection: ClientConnection) async {
        switch queued {
        case .message(.request(let id, let type, let object)):
            let outcome: Result<ResultData, any Error>
            do {
                let request = try prepare(type: type, message: object, on: connection)
                outcome = .success(.value(try await execute(request, type: type, message: object, on: connection, id: id)))
            } catch {
                outcome = .failure(error)
            }
            answer(outcome, id: id, type: type, message: object, on: connection)
        case .message(let envelope):
            processEnvelope(envelope, on: connection)
        case .prepared(let request, let id, let type, let object):
            let outcome: Result<ResultData, any Error>
            do {
                outcome = .success(.value(try await execute(request, type: type, message: object, on: connection, id: id)))
            } catch {
                outcome = .failure(error)
            }
            answer(outcome, id: id, type: type, message: object, on: connection)
        }
    }

    /// Handles a message right away on the caller's thread (the transport's loop), for a
    /// connection with nothing queued: no task hop, and the answer joins the loop's batched
    /// writes. Operations whose handlers run synchronously (store, rules, server) finish here;
    /// any other request comes back already checked and decoded, for the queue.
    /// - Returns: what must still go through the queue, or `nil` when the message is done.
    func processImmediately(_ message: InboundMessage, on connection: ClientConnection) -> QueuedMessage? {
        guard case .request(let id, let type, let object) = message else {
            processEnvelope(message, on: connection)
            return nil
        }
        let outcome: Result<ResultData, any Error>
        do {
            let request = try prepare(type: type, message: object, on: connection)
            let context = RequestContext(connection: connection, requestId: id)
            switch try handlers.dispatchSynchronously(request, context: context) {
            case .finished(let result): outcome = .success(.value(result))
            case .finishedEncoded(let bytes): outcome = .success(.encoded(bytes))
            case .needsTask: return .prepared(request, id: id, type: type, message: object)
            }
            afterExecution(type: type, message: object, on: connection)
        } catch {
            outcome = .failure(error)
        }
        answer(outcome, id: id, type: type, message: object, on: connection)
        return nil
    }

    /// Pongs and envelope failures: nothing to execute.
    private func processEnvelope(_ message: InboundMessage, on connection: ClientConnection) {
        switch message {
        case .invalid(let error):
            connection.send(OutboundMessage.error(id: 0, error, exposeDetails: exposeDetails))
        case .rejected(let id, let error):
            connection.send(OutboundMessage.error(id: id, error, exposeDetails: exposeDetails))
        case .pong:
            connection.recordPong()
        case .request:
            break
        }
    }

    /// Sends the answer to a request, audited first.
    private func answer(
        _ outcome: Result<ResultData, any Error>, id: Double, type: String, message: JSONObject,
        on connection: ClientConnection
    ) {
        // Logged just before the answer leaves, so whoever reads the log on seeing the answer
        // (an `onEntry` hook, a test) finds the entry; the request's own result is already
        // computed, so an `audit.query` never contains itself.
        var outcome = outcome
        var rendered: [UInt8]?
        if case .success(let data) = outcome {
            switch ResultSizeLimit.render(data, id: id, maxBytes: core.configuration.maxResultBytes) {
            case .rendered(let bytes): rendered = bytes
            case .sendAsIs: break
            case .tooLarge(let error): outcome = .failure(error)
            }
        }
        switch outcome {
        case .success(let data):
            audit(type: type, message: message, failure: nil, on: connection)
            if let rendered { connection.send(rendered) } else { connection.sendResult(id: id, data) }
        case .failure(let error):
            let mapped = ErrorMapping.protocolError(for: error)
            let response = OutboundMessage.error(id: id, mapped, exposeDetails: exposeDetails)
            audit(type: type, message: message, failure: mapped, on: connection)
            connection.send(response)
        }
    }

    /// Spec-identity §5: one entry per request of an audited tier, with the session as it is
    /// after the request ran.
    private func audit(type: String, message: JSONObject, failure: ProtocolError?, on connection: ClientConnection) {
        let descriptor = Operations.descriptor(for: type)
        guard let log = core.auditLog, log.records(tier: descriptor?.tier) else { return }
        log.append(
            AuditEntry(
                timestamp: core.clock.nowMs(), userId: connection.session?.userId, sessionId: connection.id,
                operation: type, resource: auditedResource(descriptor, message), result: failure == nil ? .success : .error,
                error: failure?.message, details: AuditEntry.details(operation: type, message: message),
                remoteAddress: connection.remoteAddress))
    }

    /// The resource an audit entry names. For store, rules and procedures operations it is the
    /// field the handler acts on (F22), so a decoy `bucket` cannot make the log name another
    /// resource than the one touched; a rule operation names its `ruleId`; an operation acting
    /// on many resources (a transaction, a listing) is `*`. Other namespaces keep the
    /// reference's first-field rule (`AuditEntry.resource(of:)`).
    private func auditedResource(_ descriptor: OperationDescriptor?, _ message: JSONObject) -> String {
        guard let descriptor, [.store, .rules, .procedures].contains(descriptor.namespace) else {
            return AuditEntry.resource(of: message)
        }
        let field = descriptor.resourceField ?? (descriptor.namespace == .rules ? "ruleId" : nil)
        if let field, case .string(let value)? = message[field] { return value }
        return "*"
    }

    /// Runs every check of a request and decodes its payload.
    /// - Returns: the validated request.
    /// - Throws: the error to answer.
    func prepare(type: String, message: JSONObject, on connection: ClientConnection) throws -> Request {
        if connection.isOverloaded {
            throw ProtocolError(.backpressure, "Write buffer full, slow down")
        }
        // One lookup per request; an unknown type still gets every check before its
        // UNKNOWN_OPERATION, with the namespace its prefix names.
        let descriptor = Operations.descriptor(for: type)
        let namespace = descriptor?.namespace ?? Operations.namespace(of: type)
        if let identity = core.identity {
            try checkIdentityAuth(
                identity, type: type, namespace: namespace, descriptor: descriptor, message: message, connection: connection)
        } else {
            try checkAuth(type: type, namespace: namespace, descriptor: descriptor, message: message, connection: connection)
            // Without identity, `_` buckets are ordinary, but the server's saved definitions are not.
            if namespace == .store {
                try SystemBucketGuard.check(type: type, message: message, isSystem: RuntimeDefinitions.isDefinitionBucket)
            }
        }
        try checkRateLimit(connection: connection)
        try checkAvailability(namespace)
        if let identity = core.identity, let gate = descriptor?.identityGate {
            try checkIdentityGate(gate, identity: identity, connection: connection)
        }
        if descriptor === Operations.storeSubscribe || descriptor === Operations.rulesSubscribe {
            try checkSubscriptionLimits(connection: connection)
        }
        guard let descriptor else { throw Operations.unknownOperationError(for: type) }
        return try Request(operation: descriptor, payload: message)
    }

    /// Runs a prepared request through the generated dispatch.
    /// - Returns: the result data (`nil` omits the `data` key).
    func execute(
        _ request: Request, type: String, message: JSONObject, on connection: ClientConnection, id: Double
    ) async throws -> JSONValue? {
        let result = try await request.dispatch(to: handlers, context: RequestContext(connection: connection, requestId: id))
        afterExecution(type: type, message: message, on: connection)
        return result
    }

    /// Bookkeeping after a successful request: ownership of what it created or dropped.
    private func afterExecution(type: String, message: JSONObject, on connection: ClientConnection) {
        if let identity = core.identity { recordOwnership(identity, type: type, message: message, connection: connection) }
    }

    // MARK: Checks

    /// Spec-server §4.2 for token auth.
    private func checkAuth(
        type: String, namespace: OperationNamespace?, descriptor: OperationDescriptor?, message: JSONObject,
        connection: ClientConnection
    ) throws(ProtocolError) {
        guard let auth = core.configuration.auth else { return }
        if namespace == .auth || descriptor?.isAuthExempt == true || type == "ping" { return }
        guard let session = connection.session else {
            if auth.required { throw ProtocolError(.unauthorized, "Authentication required") }
            return
        }
        if session.isExpired(at: core.clock.nowMs()) {
            connection.clearSessionSilently()
            throw ProtocolError(.unauthorized, "Session expired")
        }
        if let tier = descriptor?.tier, !RoleTier.allows(roles: session.roles, tier: tier) {
            throw ProtocolError(.forbidden, "Role level insufficient for \(type) (requires \(tier.rawValue))")
        }
        if let permissions = auth.permissions {
            // Every resource the operation touches, from the fields its handler reads (F22).
            let resources = ResourceExtraction.resources(
                descriptor: descriptor, type: type, message: message, store: core.configuration.store)
            if let denied = permissions.firstDenied(session: session, operation: type, resources: resources) {
                throw ProtocolError(.forbidden, "No permission for \(type) on \(denied.name)")
            }
        }
    }

    /// Spec-identity §4.9 and §4.13: built-in identity replaces tiers and permissions with the
    /// live authorization check, then keeps every `store.*` request away from system buckets
    /// (superadmin included). A connection whose session was revoked runs nothing more.
    private func checkIdentityAuth(
        _ identity: IdentityManager, type: String, namespace: OperationNamespace?, descriptor: OperationDescriptor?,
        message: JSONObject, connection: ClientConnection
    ) throws(ProtocolError) {
        if connection.isRevoked { throw ProtocolError(.unauthorized, "Authentication required") }
        if namespace == .auth || descriptor?.isAuthExempt == true || type == "ping" { return }
        guard let session = connection.session else { throw ProtocolError(.unauthorized, "Authentication required") }
        if session.isExpired(at: core.clock.nowMs()) {
            connection.clearSessionSilently()
            throw ProtocolError(.unauthorized, "Session expired")
        }
        if namespace != .identity {
            // Every resource the operation touches, from the fields its handler reads (F22).
            let resources = ResourceExtraction.resources(
                descriptor: descriptor, type: type, message: message, store: core.configuration.store)
            if let denied = identity.firstDenied(userId: session.userId, operation: type, resources: resources) {
                throw ProtocolError(.forbidden, "No access to \(type) on \(denied.name)")
            }
        }
        if namespace == .store { try SystemBucketGuard.check(type: type, message: message) }
    }

    /// The role gate of an identity operation, checked before its payload. Unlike the reference
    /// (roles captured at login), the gate reads the user's live roles: a demoted admin loses
    /// identity administration at once instead of keeping it until the session expires.
    private func checkIdentityGate(
        _ gate: IdentityGate, identity: IdentityManager, connection: ClientConnection
    ) throws(ProtocolError) {
        guard let session = connection.session else {
            throw ProtocolError(.unauthorized, "Authentication required")
        }
        let roles = identity.roleNames(ofUser: session.userId)
        switch gate {
        case .authenticated:
            return
        case .admin:
            if !roles.contains("admin"), !roles.contains("superadmin") {
                throw ProtocolError(.forbidden, "Admin role required")
            }
        case .superadmin:
            if !roles.contains("superadmin") { throw ProtocolError(.forbidden, "Superadmin role required") }
        }
    }

    /// Spec-identity §4.12: creating a bucket or query makes the caller its owner; dropping one
    /// forgets its owner and ACL. A failure here leaves the store operation's success standing:
    /// at worst the creator lacks an ownership grant, which never widens anyone's access.
    private func recordOwnership(_ identity: IdentityManager, type: String, message: JSONObject, connection: ClientConnection) {
        guard case .string(let name)? = message["name"] else { return }
        switch type {
        case "store.defineBucket", "store.defineQuery":
            guard let userId = connection.session?.userId else { return }
            let resourceType = type == "store.defineBucket" ? "bucket" : "query"
            _ = try? identity.setOwner(userId: userId, resourceType: resourceType, resourceName: name)
        case "store.dropBucket":
            _ = try? identity.removeOwnership(resourceType: "bucket", resourceName: name)
        case "store.undefineQuery":
            _ = try? identity.removeOwnership(resourceType: "query", resourceName: name)
        default:
            return
        }
    }

    /// Spec-server §4.3: keyed by user once logged in, by IP before.
    private func checkRateLimit(connection: ClientConnection) throws(ProtocolError) {
        guard let limiter = core.rateLimiter else { return }
        let key = connection.session?.userId ?? connection.remoteAddress
        if case .limited(let retryAfterMs) = limiter.consume(key: key) {
            throw ProtocolError(
                .rateLimited, "Rate limit exceeded. Retry after \(retryAfterMs)ms",
                details: ["retryAfterMs": .number(Double(retryAfterMs))])
        }
    }

    /// Namespaces whose service is not configured answer before any validation.
    private func checkAvailability(_ namespace: OperationNamespace?) throws(ProtocolError) {
        switch namespace {
        case .rules? where core.configuration.rules == nil:
            throw ProtocolError(.rulesNotAvailable, "Rule engine is not configured")
        case .auth? where core.configuration.auth == nil && core.identity == nil:
            throw ProtocolError(.unknownOperation, "Authentication is not configured")
        case .identity? where core.identity == nil:
            throw ProtocolError.identityNotConfigured
        case .audit? where core.auditLog == nil:
            throw ProtocolError.auditNotConfigured
        default:
            return
        }
    }

    /// Spec-server §2.2: limits are checked before the payload is validated.
    private func checkSubscriptionLimits(connection: ClientConnection) throws(ProtocolError) {
        let limits = core.configuration.connectionLimits
        let counts = connection.subscriptionCounts
        if counts.store + counts.rules >= limits.maxSubscriptionsPerConnection {
            throw ProtocolError(
                .rateLimited, "Subscription limit reached (max \(limits.maxSubscriptionsPerConnection) per connection)")
        }
        if core.registry.totalSubscriptions >= limits.maxTotalSubscriptions {
            throw ProtocolError(.rateLimited, "Global subscription limit reached (max \(limits.maxTotalSubscriptions))")
        }
    }
}
