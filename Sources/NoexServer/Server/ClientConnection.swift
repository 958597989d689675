import NoexProtocol
import NoexRules
import NoexStore
import NoexWire
import Synchronization

/// One client's protocol state: its session, its subscriptions, its heartbeat and the
/// pushes held back by backpressure.
///
/// Messages are handled one at a time, in arrival order, so responses leave in request order.
/// While nothing is queued, a message is handled at once on the transport's loop thread
/// (store, rules and server operations never suspend); a request whose handler may suspend
/// goes to a queue drained by the connection's task, and everything after it waits there too.
/// The task is started on first use, so idle connections cost no task. Pushes do not wait in
/// the queue: they are written as soon as a subscription fires (the reference does the same).
///
/// Nothing holds a connection weakly (see ``ConnectionLink``): timers capture its `link`,
/// subscription callbacks capture it strongly and are cancelled by `tearDown()`, which every way
/// a connection ends goes through.
final class ClientConnection: Sendable {
    /// Everything mutable about the connection, behind one lock.
    struct State {
        var session: AuthSession?
        /// The stored identity session backing `session` (the SHA-256 of its token), if any.
        var sessionTokenId: String?
        /// Set once the session was revoked: queued requests must not run as anyone.
        var revoked = false
        var storeSubscriptions: [String: StoreSubscription] = [:]
        var rulesSubscriptions: [String: RulesSubscription] = [:]
        /// When the oldest ping still without a pong was sent (server ms); nil once answered.
        var unansweredPingSince: Int64?
        /// Newest unsent result per subscription while the socket is backpressured (F8).
        var coalescedPushes: [String: [UInt8]] = [:]
        var coalescedOrder: [String] = []
        /// Event pushes dropped per subscription while backpressured (F8).
        var droppedEvents: [String: Int] = [:]
        var closed = false
        /// The queue feeding the connection's task, created with the task on first use.
        var queue: AsyncStream<QueuedMessage>.Continuation?
    }

    let id: String
    let socket: any ClientSocket
    let remoteAddress: String
    let connectedAt: Int64
    let core: ServerCore
    let state = Mutex(State())
    /// Messages in the queue or being handled by the task; 0 lets the next one run at once.
    /// Apart from `state`: it is read for every message, and an atomic load is cheaper than a lock.
    private let queued = Atomic<Int>(0)
    /// What timers capture instead of the connection; cleared by `tearDown()`.
    let link = ConnectionLink()
    private let pipeline: RequestPipeline

    init(socket: any ClientSocket, core: ServerCore) {
        self.socket = socket
        self.core = core
        id = core.makeConnectionId()
        remoteAddress = socket.remoteAddress
        connectedAt = core.clock.nowMs()
        pipeline = RequestPipeline(core: core)
        link.attach(self)
    }

    // MARK: Inbound

    /// Handles or queues one received text message; called on the transport's loop thread
    /// (one caller at a time per connection).
    func receive(_ bytes: UnsafeRawBufferPointer) {
        let message = InboundMessage.parse(bytes)
        if queued.load(ordering: .acquiring) == 0 {
            guard let leftover = pipeline.processImmediately(message, on: self) else { return }
            enqueue(leftover)
        } else {
            enqueue(.message(message))
        }
    }

    /// Appends to the queue, starting the connection's task on first use.
    private func enqueue(_ message: QueuedMessage) {
        let queue = state.withLock { state -> AsyncStream<QueuedMessage>.Continuation? in
            guard !state.closed else { return nil }
            queued.add(1, ordering: .releasing)
            if let queue = state.queue { return queue }
            let (stream, continuation) = AsyncStream.makeStream(of: QueuedMessage.self)
            state.queue = continuation
            Task { [self] in
                for await message in stream {
                    await pipeline.process(message, on: self)
                    // Counted down only once the answer is in the outbound buffer: answers
                    // from this task reach the loop by a hand-over, and a request the loop runs
                    // inline once the count is 0 must not overtake them.
                    socket.afterPendingSends { self.queued.subtract(1, ordering: .releasing) }
                }
            }
            return continuation
        }
        queue?.yield(message)
    }

    /// Records a pong: any pong after the last ping keeps the connection alive (F7).
    func recordPong() {
        state.withLock { $0.unansweredPingSince = nil }
    }

    // MARK: Outbound

    /// Sends a response or system message; never dropped.
    func send(_ bytes: [UInt8]) {
        socket.sendMessage(bytes)
    }

    /// Sends a request's result; pre-serialised data goes straight into the transport's buffer
    /// behind the message head, without assembling the message in an array first.
    func sendResult(id: Double, _ data: ResultData) {
        switch data {
        case .value(let value):
            socket.sendMessage(OutboundMessage.result(id: id, data: value))
        case .encoded(let json):
            OutboundMessage.writeResult(id: id, encodedData: json) { count, write in
                socket.sendMessage(count: count, write)
            }
        }
    }

    /// Whether new requests must be refused with `BACKPRESSURE` (F8).
    var isOverloaded: Bool {
        socket.bufferedBytes >= core.configuration.backpressure.maxBufferedBytes
    }

    private var isPushBackpressured: Bool {
        socket.bufferedBytes >= core.configuration.backpressure.pushThresholdBytes
    }

    /// Delivers a store subscription result, coalescing while backpressured (F8).
    func pushSubscription(_ subscriptionId: String, frame: [UInt8]) {
        let sendNow = state.withLock { state -> Bool in
            guard !state.closed, state.storeSubscriptions[subscriptionId] != nil else { return false }
            if isPushBackpressured {
                if state.coalescedPushes.updateValue(frame, forKey: subscriptionId) == nil {
                    state.coalescedOrder.append(subscriptionId)
                }
                return false
            }
            return true
        }
        if sendNow { socket.sendMessage(frame) }
    }

    /// Delivers a rules event push, dropping (and counting) it while backpressured (F8).
    func pushEvent(_ subscriptionId: String, frame: [UInt8]) {
        let sendNow = state.withLock { state -> Bool in
            guard !state.closed, state.rulesSubscriptions[subscriptionId] != nil else { return false }
            if isPushBackpressured {
                state.droppedEvents[subscriptionId, default: 0] += 1
                return false
            }
            return true
        }
        if sendNow { socket.sendMessage(frame) }
    }

    /// Sends what backpressure held back, once the socket has drained.
    func didDrain() {
        let (pushes, dropped) = state.withLock { state -> ([[UInt8]], [(String, Int)]) in
            let pushes = state.coalescedOrder.compactMap { id in
                state.storeSubscriptions[id] != nil ? state.coalescedPushes[id] : nil
            }
            let dropped = state.droppedEvents.filter { state.rulesSubscriptions[$0.key] != nil }
                .sorted { $0.key < $1.key }
            state.coalescedPushes.removeAll()
            state.coalescedOrder.removeAll()
            state.droppedEvents.removeAll()
            return (pushes, dropped.map { ($0.key, $0.value) })
        }
        for push in pushes { socket.sendMessage(push) }
        for (subscriptionId, count) in dropped {
            socket.sendMessage(
                OutboundMessage.system(
                    event: SystemEvent.eventsDropped.rawValue,
                    extra: ["subscriptionId": .string(subscriptionId), "count": .number(Double(count))]))
        }
    }

    // MARK: Heartbeat (F7)

    /// Starts the ping cycle: a ping every `intervalMs`, a close `4001` when a ping goes unanswered
    /// for `timeoutMs`.
    func startHeartbeat(on scheduler: any TimerScheduler) {
        let interval = core.configuration.heartbeat.intervalMs
        guard interval > 0 else { return }
        let link = self.link
        scheduler.runLater(after: .milliseconds(interval)) {
            link.connection?.heartbeatTick(on: scheduler)
        }
    }

    private func heartbeatTick(on scheduler: any TimerScheduler) {
        let now = core.clock.nowMs()
        let alive = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if state.unansweredPingSince == nil { state.unansweredPingSince = now }
            return true
        }
        guard alive else { return }
        socket.sendMessage(OutboundMessage.ping(timestamp: now))
        let heartbeat = core.configuration.heartbeat
        // The timers hold the link, not the connection: a closed connection is freed at once,
        // and a timer that fires after `tearDown()` finds nothing and stops the cycle.
        let link = self.link
        // Any pong after a ping answers every earlier ping too; the deadline runs from the
        // oldest ping that is still unanswered, whatever the interval.
        scheduler.runLater(after: .milliseconds(max(1, heartbeat.timeoutMs))) {
            guard let connection = link.connection else { return }
            let deadline = Int64(heartbeat.timeoutMs)
            let expired = connection.state.withLock { state in
                guard !state.closed, let since = state.unansweredPingSince else { return false }
                return connection.core.clock.nowMs() - since >= deadline
            }
            if expired { connection.close(code: CloseCode.heartbeatTimeout) }
        }
        scheduler.runLater(after: .milliseconds(heartbeat.intervalMs)) {
            link.connection?.heartbeatTick(on: scheduler)
        }
    }

    // MARK: Session

    var session: AuthSession? { state.withLock { $0.session } }

    /// The stored identity session id behind the current session (built-in identity only).
    var sessionTokenId: String? { state.withLock { $0.sessionTokenId } }

    /// Whether the connection's session was revoked (it is closing).
    var isRevoked: Bool { state.withLock { $0.revoked } }

    /// Replaces the session and mirrors it into the registry.
    /// - Parameters:
    ///   - session: the new session, `nil` to log out.
    ///   - tokenId: the stored identity session behind it.
    func setSession(_ session: AuthSession?, tokenId: String? = nil) {
        state.withLock { state in
            state.session = session
            state.sessionTokenId = session == nil ? nil : tokenId
        }
        core.registry.update(id) { info in
            info.authenticated = session != nil
            info.userId = session?.userId
            info.roles = session?.roles ?? []
        }
    }

    /// Clears an expired session without touching the registry (spec-server §4.2 step 3).
    func clearSessionSilently() {
        state.withLock { state in
            state.session = nil
            state.sessionTokenId = nil
        }
    }

    /// Drops the session for good: the connection is about to be closed `4002`, and any request
    /// still queued behind this call is refused instead of running with the old identity.
    func revoke() {
        state.withLock { state in
            state.session = nil
            state.sessionTokenId = nil
            state.revoked = true
        }
        core.registry.update(id) { info in
            info.authenticated = false
            info.userId = nil
            info.roles = []
        }
    }

    // MARK: Subscriptions

    /// Counts of live store and rules subscriptions.
    var subscriptionCounts: (store: Int, rules: Int) {
        state.withLock { ($0.storeSubscriptions.count, $0.rulesSubscriptions.count) }
    }

    /// Records a store subscription; returns false (and cancels it) when the connection has closed.
    func addStoreSubscription(_ id: String, _ subscription: StoreSubscription) -> Bool {
        let added = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.storeSubscriptions[id] = subscription
            return true
        }
        if added { syncSubscriptionCounts() } else { subscription.cancel() }
        return added
    }

    /// Records a rules subscription; returns false (and cancels it) when the connection has closed.
    func addRulesSubscription(_ id: String, _ subscription: RulesSubscription) -> Bool {
        let added = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.rulesSubscriptions[id] = subscription
            return true
        }
        if added { syncSubscriptionCounts() } else { subscription.cancel() }
        return added
    }

    /// Removes and cancels a store subscription; false when this connection does not own `id`.
    func removeStoreSubscription(_ id: String) -> Bool {
        guard let subscription = state.withLock({ $0.storeSubscriptions.removeValue(forKey: id) }) else {
            return false
        }
        subscription.cancel()
        syncSubscriptionCounts()
        return true
    }

    /// Removes and cancels a rules subscription; false when this connection does not own `id`.
    func removeRulesSubscription(_ id: String) -> Bool {
        guard let subscription = state.withLock({ $0.rulesSubscriptions.removeValue(forKey: id) }) else {
            return false
        }
        subscription.cancel()
        syncSubscriptionCounts()
        return true
    }

    private func syncSubscriptionCounts() {
        let counts = subscriptionCounts
        core.registry.update(id) { info in
            info.storeSubscriptionCount = counts.store
            info.rulesSubscriptionCount = counts.rules
        }
    }

    // MARK: Closing

    /// Starts the close handshake with one of the protocol's close codes.
    func close(code: CloseCode) {
        socket.close(code: code.code, reason: code.reason)
    }

    /// Releases everything the connection holds; called once the socket has closed, on every way
    /// a connection ends (the transport's `connectionDidClose`, which also covers heartbeat
    /// timeouts, revocations and server stop; an in-process connection's close or disconnect).
    ///
    /// Cancelling the subscriptions drops their callbacks (which hold the connection strongly)
    /// from the store and the rules engine, and clearing `link` frees the timers' hold, so
    /// afterwards nothing but the caller keeps the connection alive.
    func tearDown() {
        let (store, rules) = state.withLock { state -> ([StoreSubscription], [RulesSubscription]) in
            state.closed = true
            let held = (Array(state.storeSubscriptions.values), Array(state.rulesSubscriptions.values))
            state.storeSubscriptions.removeAll()
            state.rulesSubscriptions.removeAll()
            state.coalescedPushes.removeAll()
            state.coalescedOrder.removeAll()
            state.droppedEvents.removeAll()
            return held
        }
        for subscription in store { subscription.cancel() }
        for subscription in rules { subscription.cancel() }
        state.withLock { $0.queue }?.finish()
        link.clear()
        core.remove(self)
    }
}
