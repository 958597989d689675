public import NoexWire

extension NoexClient {
    /// Subscribes and returns the sequence of pushes: the runtime under the generated
    /// `subscribe` methods (operations linked to a channel by `subscribe:` in protocol.yaml).
    /// - Parameters:
    ///   - operation: the subscribe operation, e.g. `store.subscribe`.
    ///   - channel: its push channel, e.g. `subscription`.
    ///   - unsubscribeOperation: the operation that ends it, e.g. `store.unsubscribe`.
    ///   - payload: the subscribe payload (sent again as it is after a reconnect).
    ///   - timeout: overrides the configured request timeout.
    /// - Returns: the subscription.
    /// - Throws: ``NoexClientError`` when the server refuses or the request fails.
    public func subscribe(
        operation: String, channel: String, unsubscribeOperation: String, payload: JSONObject, timeout: Duration? = nil
    ) async throws(NoexClientError) -> NoexSubscription {
        let clientId = "client-sub-\(nextSubscriptionNumber)"
        nextSubscriptionNumber += 1
        // Buffered so a slow consumer does not block the connection; a store subscription's
        // pushes each carry the whole result, so dropping the oldest loses nothing current.
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self, bufferingPolicy: .bufferingNewest(10_000))
        subscriptions[clientId] = Subscription(
            operation: operation, payload: payload, unsubscribeOperation: unsubscribeOperation, continuation: continuation,
            serverId: nil, awaitingFirstAnswer: true)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.streamTerminated(clientId: clientId) }
        }
        let result = await perform(
            operation, payload: payload, effect: .subscribe(clientId: clientId, unsubscribeOperation: unsubscribeOperation),
            timeout: timeout ?? configuration.requestTimeout, immediately: false)
        switch result {
        case .success(let answer):
            return NoexSubscription(id: clientId, channel: channel, initialResult: answer, stream: stream, client: self)
        case .failure(let error):
            subscriptions.removeValue(forKey: clientId)?.continuation.finish()
            throw error
        }
    }

    /// Ends a subscription: the runtime under the generated `unsubscribe` methods. A client
    /// subscription id (``NoexSubscription/id``) is translated to the server's current id and
    /// its sequence finishes; any other id is sent unchanged.
    /// - Parameters:
    ///   - operation: the unsubscribe operation, e.g. `store.unsubscribe`.
    ///   - payload: its payload, with `subscriptionId`.
    ///   - timeout: overrides the configured request timeout.
    /// - Returns: the answer's `data`.
    /// - Throws: ``NoexClientError`` when the server refuses (the sequence has ended anyway).
    public func unsubscribe(operation: String, payload: JSONObject, timeout: Duration? = nil) async throws(NoexClientError) -> JSONValue {
        var payload = payload
        if let given = payload["subscriptionId"]?.stringValue, let subscription = subscriptions.removeValue(forKey: given) {
            subscription.continuation.finish()
            guard let serverId = subscription.serverId else {
                // Not established on the current connection (reconnecting): nothing to end there.
                return .object(["unsubscribed": true])
            }
            clientIdByServerId[serverId] = nil
            payload["subscriptionId"] = .string(serverId)
        }
        return try await perform(operation, payload: payload, effect: .none, timeout: timeout ?? configuration.requestTimeout, immediately: false).get()
    }

    /// ``NoexSubscription/unsubscribe()``.
    func endSubscription(id: String) async throws(NoexClientError) {
        guard let subscription = subscriptions[id] else { return }
        var payload = JSONObject()
        payload.appendUnchecked(key: "subscriptionId", value: .string(id))
        _ = try await unsubscribe(operation: subscription.unsubscribeOperation, payload: payload)
    }

    /// ``NoexSubscription/serverId()``.
    func currentServerId(of id: String) -> String? { subscriptions[id]?.serverId }

    /// The consumer stopped iterating (or the sequence was finished by the client, in which
    /// case the record is already gone): end it on the server.
    func streamTerminated(clientId: String) async {
        guard let subscription = subscriptions[clientId], !closedByUser else { return }
        var payload = JSONObject()
        payload.appendUnchecked(key: "subscriptionId", value: .string(clientId))
        _ = try? await unsubscribe(operation: subscription.unsubscribeOperation, payload: payload)
    }

    /// Finishes every sequence (close, or reconnecting gave up).
    func finishAllSubscriptions() {
        let all = subscriptions
        subscriptions.removeAll()
        clientIdByServerId.removeAll()
        for subscription in all.values { subscription.continuation.finish() }
    }
}
