public import NoexWire

extension NoexClient {
    /// Sends any operation and returns its result: the untyped path under the generated methods.
    /// - Parameters:
    ///   - operation: the operation name, e.g. `store.insert`.
    ///   - payload: the payload fields.
    ///   - timeout: overrides the configured request timeout.
    /// - Returns: the answer's `data` (`null` when the answer has none).
    /// - Throws: ``NoexClientError``: the server's error, or `TIMEOUT`, `CONNECTION_LOST`,
    ///   `CLIENT_CLOSED`, `CANCELLED`.
    public func request(_ operation: String, payload: JSONObject = JSONObject(), timeout: Duration? = nil) async throws(NoexClientError) -> JSONValue {
        try await perform(operation, payload: payload, effect: .none, timeout: timeout ?? configuration.requestTimeout, immediately: false).get()
    }

    /// Registers a request, sends it (or queues it while reconnecting) and waits for its answer,
    /// its timeout or the caller's cancellation.
    /// - Parameter immediately: send even though the state is not `connected` (the reconnect
    ///   loop's own login and subscribe requests).
    func perform(
        _ operation: String, payload: JSONObject, effect: Effect, timeout: Duration, immediately: Bool
    ) async -> Result<JSONValue, NoexClientError> {
        if closedByUser || state == .closed { return .failure(.client(.clientClosed, "The client was closed")) }
        // A cancellation handler installed on an already-cancelled task runs before the request
        // is registered, so that case is checked here.
        if Task.isCancelled { return .failure(.client(.cancelled, "The request was cancelled")) }
        let id = nextRequestId
        nextRequestId += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                var entry = Pending(operation: operation, payload: payload, continuation: continuation, sentOn: nil, effect: effect)
                entry.timeoutTask = Task { [weak self] in
                    do { try await Task.sleep(for: timeout) } catch { return }
                    await self?.complete(
                        id: id, generation: nil,
                        .failure(.client(.timeout, "No answer to \(operation) within \(timeout)")))
                }
                pending[id] = entry
                if immediately {
                    // The reconnect loop's own requests: without a connection they fail at once
                    // (queued, they would wait for the loop that is waiting for them).
                    if !send(id) {
                        complete(id: id, generation: nil, .failure(.client(.connectionLost, "The connection closed")))
                    }
                } else if state != .connected || !send(id) {
                    queued.append(id)
                }
            }
        } onCancel: {
            Task { [weak self] in
                await self?.complete(id: id, generation: nil, .failure(.client(.cancelled, "The request was cancelled")))
            }
        }
    }

    /// Hands a registered request to the current connection's writer.
    /// - Returns: `false` when there is no connection (the caller queues or fails it).
    @discardableResult
    func send(_ id: Int) -> Bool {
        guard var entry = pending[id], let outbox else { return false }
        var message = JSONObject(minimumCapacity: entry.payload.count + 2)
        message.appendUnchecked(key: "id", value: .number(Double(id)))
        message.appendUnchecked(key: "type", value: .string(entry.operation))
        for (key, value) in entry.payload where key != "id" && key != "type" { message.appendUnchecked(key: key, value: value) }
        entry.sentOn = generation
        pending[id] = entry
        outbox.yield(.text(JSONSerializer.string(.object(message))))
        return true
    }

    /// Sends every queued request, in order.
    func flushQueue() {
        let ids = queued
        queued.removeAll()
        for id in ids where pending[id] != nil && !send(id) { queued.append(id) }
    }

    /// Resolves a request. `generation` is the connection the answer came on (`nil` for
    /// timeouts and cancellation); an answer from another connection than the one the request
    /// was sent on is stale and ignored.
    func complete(id: Int, generation answeredOn: Int?, _ result: Result<JSONValue, NoexClientError>) {
        guard let entry = pending[id] else { return }
        if let answeredOn, entry.sentOn != answeredOn { return }
        pending[id] = nil
        if answeredOn == nil, let sentOn = entry.sentOn, case .subscribe(_, let unsubscribeOperation) = entry.effect,
            case .failure(let error) = result, error.code == .timeout || error.code == .cancelled
        {
            abandonedSubscribes[id] = (sentOn, unsubscribeOperation)
        }
        entry.timeoutTask?.cancel()
        if entry.sentOn == nil { queued.removeAll { $0 == id } }
        var outcome = result
        if case .success(let data) = result {
            outcome = applyEffect(entry, data)
            if case .success = outcome { trackSession(entry.operation, payload: entry.payload, result: data) }
        } else if case .subscribe(let clientId, _) = entry.effect, subscriptions[clientId]?.serverId == nil {
            subscriptions[clientId]?.awaitingFirstAnswer = false
        }
        entry.continuation.resume(returning: outcome)
    }

    /// Maps a subscribe answer's `subscriptionId` to its client subscription, synchronously with
    /// the answer, so that a push right behind it is not lost.
    func applyEffect(_ entry: Pending, _ data: JSONValue) -> Result<JSONValue, NoexClientError> {
        guard case .subscribe(let clientId, let unsubscribeOperation) = entry.effect else { return .success(data) }
        guard let serverId = data["subscriptionId"]?.stringValue else {
            return .failure(.client(.invalidResponse, "The answer to \(entry.operation) has no subscriptionId"))
        }
        guard var subscription = subscriptions[clientId] else {
            // Ended while the request was in flight: drop it on the server too.
            endOnServer(serverId: serverId, operation: unsubscribeOperation)
            return .success(data)
        }
        subscription.serverId = serverId
        subscription.awaitingFirstAnswer = false
        subscriptions[clientId] = subscription
        clientIdByServerId[serverId] = clientId
        return .success(data)
    }

    /// Ends a server subscription nobody listens to any more (fire and forget).
    func endOnServer(serverId: String, operation: String) {
        var payload = JSONObject()
        payload.appendUnchecked(key: "subscriptionId", value: .string(serverId))
        let timeout = configuration.requestTimeout
        Task { [weak self] in
            _ = await self?.perform(operation, payload: payload, effect: .none, timeout: timeout, immediately: false)
        }
    }

    /// Remembers the token to log in with after a reconnect, or forgets it on logout.
    func trackSession(_ operation: String, payload: JSONObject, result: JSONValue) {
        switch operation {
        case "auth.login":
            sessionToken = payload["token"]?.stringValue
        case "identity.login", "identity.loginWithSecret", "identity.refreshSession":
            if let token = result["token"]?.stringValue { sessionToken = token }
        case "auth.logout", "identity.logout":
            sessionToken = nil
        default:
            break
        }
    }

    /// Fails the requests sent on one connection (their fate is unknown); queued ones wait.
    func failSent(on lost: Int, _ error: NoexClientError) {
        for (id, entry) in pending where entry.sentOn == lost {
            complete(id: id, generation: nil, .failure(error))
        }
    }

    /// Fails every request.
    func failAll(_ error: NoexClientError, includingQueued: Bool) {
        for (id, entry) in pending where includingQueued || entry.sentOn != nil {
            complete(id: id, generation: nil, .failure(error))
        }
    }
}
