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
    func process(_ message: InboundMessage, on connection: ClientConnection) async {
        switch message {
        case .invalid(let error):
            connection.send(OutboundMessage.error(id: 0, error, exposeDetails: exposeDetails))
        case .pong:
            connection.recordPong()
        case .request(let id, let type, let object):
            let response: [UInt8]
            do {
                let data = try await handle(type: type, message: object, on: connection, id: id)
                response = OutboundMessage.result(id: id, data: data)
            } catch {
                response = OutboundMessage.error(id: id, ErrorMapping.protocolError(for: error), exposeDetails: exposeDetails)
            }
            connection.send(response)
        }
    }

    /// Runs one request through every check and its handler.
    /// - Returns: the result data (`nil` omits the `data` key).
    /// - Throws: the error to answer.
    func handle(type: String, message: JSONObject, on connection: ClientConnection, id: Double) async throws -> JSONValue? {
        if connection.isOverloaded {
            throw ProtocolError(.backpressure, "Write buffer full, slow down")
        }
        let descriptor = Operations.descriptor(for: type)
        try checkAuth(type: type, descriptor: descriptor, message: message, connection: connection)
        try checkRateLimit(connection: connection)
        try checkAvailability(type: type)
        if type == "store.subscribe" || type == "rules.subscribe" {
            try checkSubscriptionLimits(connection: connection)
        }
        let request = try Request(type: type, payload: message)
        return try await request.dispatch(to: handlers, context: RequestContext(connection: connection, requestId: id))
    }

    // MARK: Checks

    /// Spec-server §4.2 for token auth.
    private func checkAuth(
        type: String, descriptor: OperationDescriptor?, message: JSONObject, connection: ClientConnection
    ) throws(ProtocolError) {
        if type == "ping" || type.hasPrefix("auth.") || descriptor?.isAuthExempt == true { return }
        guard let auth = core.configuration.auth else { return }
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
            let resource = ResourceExtraction.resource(operation: type, message: message)
            if !permissions.isAllowed(session: session, operation: type, resource: resource) {
                throw ProtocolError(.forbidden, "No permission for \(type) on \(resource)")
            }
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
    private func checkAvailability(type: String) throws(ProtocolError) {
        if type.hasPrefix("rules."), core.configuration.rules == nil {
            throw ProtocolError(.rulesNotAvailable, "Rule engine is not configured")
        }
        if type.hasPrefix("auth."), core.configuration.auth == nil {
            throw ProtocolError(.unknownOperation, "Authentication is not configured")
        }
        if type.hasPrefix("identity.") { throw ProtocolError.identityNotConfigured }
        if type.hasPrefix("audit.") { throw ProtocolError.auditNotConfigured }
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
