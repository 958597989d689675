import NoexWebSocket
import NoexWire

extension NoexClient {
    /// Opens a socket, starts its reader and waits for the welcome.
    /// - Returns: the welcome.
    /// - Throws: `CONNECTION_FAILED` (or `CLIENT_CLOSED` when closed meanwhile).
    func openConnection() async throws(NoexClientError) -> Welcome {
        let opened: WebSocketClient
        do {
            opened = try await WebSocketClient.connect(
                host: url.host, port: url.port, path: url.path, origin: configuration.origin,
                headers: configuration.headers, timeout: configuration.connectTimeout)
        } catch {
            throw .client(.connectionFailed, "Cannot connect to ws://\(url.host):\(url.port)\(url.path): \(error)")
        }
        if closedByUser {
            Self.startWriter(opened).yield(.close(1000))
            throw .client(.clientClosed, "The client was closed")
        }
        generation += 1
        let current = generation
        socket = opened
        outbox = Self.startWriter(opened)
        startReader(opened, generation: current)
        let timeout = configuration.connectTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.resolveWelcome(generation: current, .failure(.client(.connectionFailed, "No welcome within \(timeout)")))
        }
        let result = await withCheckedContinuation { continuation in
            welcomeWaiter = (current, continuation)
        }
        timer.cancel()
        switch result {
        case .success(let welcome):
            return welcome
        case .failure(let error):
            if generation == current, socket != nil {
                // Abandon this socket: its reader ends when the server closes it.
                outbox?.yield(.close(1000))
                outbox?.finish()
                outbox = nil
                socket = nil
            }
            throw error
        }
    }

    func resolveWelcome(generation: Int, _ result: Result<Welcome, NoexClientError>) {
        guard let waiter = welcomeWaiter, waiter.generation == generation else { return }
        welcomeWaiter = nil
        waiter.continuation.resume(returning: result)
    }

    /// The only task that calls `receive()` on a socket: it feeds every message to the actor in
    /// order, then reports the end of the connection.
    func startReader(_ socket: WebSocketClient, generation: Int) {
        readerRunning.insert(generation)
        Task { [weak self] in
            while let message = try? await socket.receive() {
                guard let self else { return }
                await self.handle(message, generation: generation)
            }
            await self?.connectionEnded(generation: generation, closeCode: socket.closeCode)
        }
    }

    func handle(_ message: WebSocketMessage, generation: Int) {
        guard case .text(let text) = message else { return }
        guard case .object(let object)? = try? JSONParser.parse(text) else { return }
        switch object["type"]?.stringValue {
        case "welcome":
            let welcome = Welcome(
                version: object["version"]?.stringValue ?? "", serverTime: object["serverTime"]?.numberValue ?? 0,
                requiresAuth: object["requiresAuth"]?.boolValue ?? false)
            resolveWelcome(generation: generation, .success(welcome))
        case "result":
            guard let id = object["id"]?.integerValue else { return }
            if pending[id] == nil, let abandoned = abandonedSubscribes.removeValue(forKey: id), abandoned.generation == generation,
                let serverId = object["data"]?["subscriptionId"]?.stringValue
            {
                endOnServer(serverId: serverId, operation: abandoned.unsubscribeOperation)
                return
            }
            complete(id: id, generation: generation, .success(object["data"] ?? .null))
        case "error":
            guard let id = object["id"]?.integerValue else { return }
            let error = NoexClientError(
                code: ErrorCode(rawValue: object["code"]?.stringValue ?? "INTERNAL_ERROR"),
                message: object["message"]?.stringValue ?? "", details: object["details"], isServerError: true)
            complete(id: id, generation: generation, .failure(error))
        case "push":
            guard let serverId = object["subscriptionId"]?.stringValue, let clientId = clientIdByServerId[serverId],
                let subscription = subscriptions[clientId]
            else { return }
            subscription.continuation.yield(object["data"] ?? .null)
        case "ping":
            // Answer at once, echoing the timestamp (the server closes 4001 without a pong).
            guard generation == self.generation else { return }
            var pong = JSONObject(minimumCapacity: 2)
            pong.appendUnchecked(key: "type", value: "pong")
            pong.appendUnchecked(key: "timestamp", value: object["timestamp"] ?? .number(0))
            outbox?.yield(.text(JSONSerializer.string(.object(pong))))
        case "system":
            if object["event"]?.stringValue == "session_revoked" { sessionToken = nil }
            systemContinuation.yield(object)
        default:
            break
        }
    }

    /// The socket of `generation` is gone: fail what was in flight on it and reconnect.
    func connectionEnded(generation ended: Int, closeCode: UInt16?) {
        readerRunning.remove(ended)
        resumeReaderWaiter(generation: ended)
        resolveWelcome(generation: ended, .failure(.client(.connectionFailed, "The server closed the connection before its welcome (close code \(closeCode.map(String.init) ?? "none"))")))
        abandonedSubscribes = abandonedSubscribes.filter { $0.value.generation != ended }
        guard ended == generation, !closedByUser else { return }
        socket = nil
        outbox?.finish()
        outbox = nil
        // The session dies with a 4002 close; logging in again would be refused.
        if closeCode == 4002 { sessionToken = nil }
        failSent(on: ended, .client(.connectionLost, "The connection closed before the answer arrived"))
        for (clientId, var subscription) in subscriptions where subscription.serverId != nil {
            if let serverId = subscription.serverId { clientIdByServerId[serverId] = nil }
            subscription.serverId = nil
            subscriptions[clientId] = subscription
        }
        // While connecting or reconnecting, the code opening the connection finds `socket`
        // cleared when it resumes and handles the loss itself.
        guard state == .connected else { return }
        recoverFromLoss()
    }

    /// Reconnects, or closes the client when reconnecting is off.
    func recoverFromLoss() {
        guard configuration.reconnect != nil else {
            shutDownAfterLoss()
            return
        }
        reconnectTask = Task { [weak self] in await self?.reconnectLoop() }
    }

    func shutDownAfterLoss() {
        failAll(.client(.connectionLost, "The connection was lost and reconnecting is off or gave up"), includingQueued: true)
        finishAllSubscriptions()
        closedByUser = true
        setState(.closed)
        systemContinuation.finish()
    }

    /// Backoff, connect, welcome, log in again, subscribe again, flush the queue.
    func reconnectLoop() async {
        guard let policy = configuration.reconnect else { return }
        var attempt = 0
        while !closedByUser {
            attempt += 1
            if let limit = policy.maximumAttempts, attempt > limit {
                shutDownAfterLoss()
                return
            }
            setState(.reconnecting(attempt: attempt))
            let delay = policy.delay(attempt: attempt, random: Double.random(in: 0..<1))
            do { try await Task.sleep(for: delay) } catch { return }
            if closedByUser { return }
            let opened: Welcome
            do { opened = try await openConnection() } catch { continue }
            welcome = opened
            let current = generation
            // No suspension between this check and `.connected`: a loss after it is seen by
            // `connectionEnded` in the connected state.
            if await restoreSession(generation: current), current == generation, socket != nil {
                reconnectTask = nil
                setState(.connected)
                flushQueue()
                return
            }
            // The new connection died while restoring: back off and try again.
        }
    }

    /// Logs in again and re-subscribes on a fresh connection.
    /// - Returns: whether the connection is still the current one afterwards.
    func restoreSession(generation current: Int) async -> Bool {
        if let token = sessionToken {
            var payload = JSONObject()
            payload.appendUnchecked(key: "token", value: .string(token))
            let result = await perform("auth.login", payload: payload, effect: .none, timeout: configuration.requestTimeout, immediately: true)
            if case .failure(let error) = result, error.isServerError {
                // The token is no longer valid: continue without a session.
                sessionToken = nil
            }
        }
        guard current == generation, socket != nil else { return false }
        for (clientId, subscription) in subscriptions where subscription.serverId == nil && !subscription.awaitingFirstAnswer {
            let result = await perform(
                subscription.operation, payload: subscription.payload, effect: .subscribe(clientId: clientId, unsubscribeOperation: subscription.unsubscribeOperation),
                timeout: configuration.requestTimeout, immediately: true)
            if case .failure(let error) = result {
                guard current == generation, socket != nil else { return false }
                if error.isServerError {
                    // Refused on the new server (e.g. the query no longer exists): end it.
                    subscriptions.removeValue(forKey: clientId)?.continuation.finish()
                }
            }
        }
        return current == generation && socket != nil
    }
}
