import Foundation
import CEpoll
import Glibc
import Synchronization

/// Something registered with an event loop's epoll set.
protocol EventLoopHandler: AnyObject {
    /// Handles the epoll event mask for this handler's descriptor.
    func handleEvents(_ events: UInt32)
    /// Closes the descriptor because the loop is shutting down.
    func closeForShutdown()
}

/// One epoll event loop on its own thread.
///
/// The loop owns every descriptor registered with it; their handlers run only on its thread.
/// Other threads talk to it through ``execute(_:)``, a locked queue plus an eventfd wake-up.
/// One iteration: wait → handle I/O events → run queued work → run due timers → flush every
/// connection that has output (one `writev` per connection per iteration).
final class EventLoop: Sendable {
    let index: Int
    let epollFD: Int32
    private let wakeFD: Int32
    private let queue = Mutex<[@Sendable () -> Void]>([])
    /// Set while a wake-up is written but not yet consumed, so a burst of `execute` calls costs one write.
    private let wakePending = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)
    private let stopRequested = Atomic<Bool>(false)
    /// Set (under the queue lock) once the thread has run its last queued work.
    private let finished = Atomic<Bool>(false)
    private let nextTimerID = Atomic<UInt64>(1)
    private let termination = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    let state: LoopConfined<EventLoopState>
    /// Swift concurrency's view of this loop; created lazily once.
    private let executorStorage = Mutex<EventLoopExecutor?>(nil)

    /// The loop as a `SerialExecutor` / `TaskExecutor`.
    var executor: EventLoopExecutor {
        executorStorage.withLock { stored in
            if let stored { return stored }
            let made = EventLoopExecutor(loop: self)
            stored = made
            return made
        }
    }

    /// Creates the loop's descriptors; ``start()`` runs it.
    /// - Throws: `WebSocketError.system` when epoll or eventfd cannot be created.
    init(index: Int) throws {
        self.index = index
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw WebSocketError.system(call: "epoll_create1", errno: errno) }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let code = errno
            close(epollFD)
            throw WebSocketError.system(call: "eventfd", errno: code)
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFD))
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.state = LoopConfined(value: EventLoopState())
    }

    /// Releases the descriptors of a loop whose thread was never started.
    func discardUnstarted() {
        close(epollFD)
        close(wakeFD)
    }

    /// Starts the loop thread.
    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "noex-ws-loop-\(index)"
        thread.stackSize = 8 << 20   // the glibc default: delegates may recurse (JSON parsing)
        thread.start()
    }

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Runs `work` on the loop thread, after the current iteration's I/O.
    /// - Parameter work: The closure; it runs exactly once unless the loop has stopped.
    func execute(_ work: @escaping @Sendable () -> Void) {
        let accepted = queue.withLock { queue -> Bool in
            // After the thread ended nothing would run the work: drop it instead of keeping it.
            if finished.load(ordering: .relaxed) { return false }
            queue.append(work)
            return true
        }
        if accepted { wake() }
    }

    private func wake() {
        if inLoop { return }   // the loop drains the queue before it sleeps again
        if wakePending.exchange(true, ordering: .acquiringAndReleasing) { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Schedules `work` on the loop after `delay`; call on the loop thread.
    /// - Returns: An id for ``cancelTimer(_:)``.
    func scheduleTimer(after delay: Duration, _ work: @escaping () -> Void) -> UInt64 {
        let id = makeTimerID()
        state.value.timers.schedule(id: id, deadline: MonotonicClock.now() &+ delay.nanoseconds, work)
        return id
    }

    /// A process-unique timer id (so a timer can be named before the loop thread creates it).
    func makeTimerID() -> UInt64 { nextTimerID.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Schedules a `Sendable` closure from any thread.
    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> UInt64 {
        if inLoop { return scheduleTimer(after: delay, work) }
        let id = makeTimerID()
        let deadline = MonotonicClock.now() &+ delay.nanoseconds
        execute { [self] in self.state.value.timers.schedule(id: id, deadline: deadline, work) }
        return id
    }

    /// Cancels a timer; call on the loop thread.
    func cancelTimer(_ id: UInt64) {
        state.value.timers.cancel(id)
    }

    /// Adds a descriptor to the epoll set; call on the loop thread.
    func register(fd: Int32, events: UInt32, handler: any EventLoopHandler) -> Bool {
        state.value.setHandler(handler, for: fd)
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
            state.value.setHandler(nil, for: fd)
            return false
        }
        return true
    }

    /// Changes the events watched for a descriptor; call on the loop thread.
    func modify(fd: Int32, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Forgets a descriptor's handler (closing the descriptor removes it from epoll).
    func unregister(fd: Int32) {
        state.value.setHandler(nil, for: fd)
    }

    /// Asks the loop to stop after closing every registered descriptor, and waits for its thread to end.
    func shutdown() async {
        execute { [self] in self.stopRequested.store(true, ordering: .relaxed) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = termination.withLock { state -> Bool in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        let state = self.state.value
        let capacity = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var pending: [@Sendable () -> Void] = []
        while !stopRequested.load(ordering: .relaxed) {
            var timeout: Int32 = -1
            if queue.withLock({ !$0.isEmpty }) {
                timeout = 0
            } else if let deadline = state.timers.nextDeadline {
                let now = MonotonicClock.now()
                timeout = deadline <= now ? 0 : Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
            }
            let count = epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count > 0 {
                for slot in 0..<Int(count) {
                    let fd = events[slot].data.fd
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                        wakePending.store(false, ordering: .releasing)
                        continue
                    }
                    state.handler(for: fd)?.handleEvents(events[slot].events)
                }
            }
            // Work queued from other threads (and from this one during the iteration).
            queue.withLock { swap(&$0, &pending) }
            if !pending.isEmpty {
                for work in pending { work() }
                pending.removeAll(keepingCapacity: true)
            }
            if state.timers.nextDeadline != nil {
                for body in state.timers.takeDue(now: MonotonicClock.now()) { body() }
            }
            state.flushDirty()
        }
        // Stopping: run what is still queued (it may adopt a connection), close every descriptor
        // this loop owns, and repeat while closing queued more work (delegates may enqueue).
        for _ in 0..<4 {
            queue.withLock { swap(&$0, &pending) }
            for work in pending { work() }
            pending.removeAll()
            state.flushDirty()
            state.closeAll()
            let done = queue.withLock { queue -> Bool in
                guard queue.isEmpty else { return false }
                finished.store(true, ordering: .relaxed)
                return true
            }
            if done { break }
        }
        queue.withLock { queue in
            queue.removeAll()   // only non-empty if closing kept queueing work four rounds in a row
            finished.store(true, ordering: .relaxed)
        }
        close(epollFD)
        close(wakeFD)
        executorStorage.withLock { $0 = nil }   // break the loop ↔ executor cycle
        let waiters = termination.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Everything an event loop owns that only its thread touches.
final class EventLoopState {
    /// Handlers indexed by descriptor number (descriptors are small, dense integers).
    private var handlers: [(any EventLoopHandler)?] = []
    var timers = TimerQueue()
    /// Connections with output produced this iteration.
    var dirty: [ServerConnection] = []
    /// The read buffer shared by every connection on this loop.
    let readBuffer: UnsafeMutableRawBufferPointer

    init() {
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    func setHandler(_ handler: (any EventLoopHandler)?, for fd: Int32) {
        let slot = Int(fd)
        if slot >= handlers.count {
            guard handler != nil else { return }
            handlers.append(contentsOf: repeatElement(nil, count: max(slot + 1 - handlers.count, handlers.count)))
        }
        handlers[slot] = handler
    }

    @inline(__always)
    func handler(for fd: Int32) -> (any EventLoopHandler)? {
        let slot = Int(fd)
        return slot < handlers.count ? handlers[slot] : nil
    }

    func flushDirty() {
        guard !dirty.isEmpty else { return }
        // A flush can close a connection, which never adds to `dirty`; swap to be safe anyway.
        var batch: [ServerConnection] = []
        swap(&batch, &dirty)
        for connection in batch { connection.flushFromLoop() }
        if dirty.isEmpty {
            batch.removeAll(keepingCapacity: true)
            swap(&batch, &dirty)
        }
    }

    /// Closes up to `count` of this loop's connections to give descriptors back: handshaking
    /// ones first, then upgraded ones, each pass from the highest descriptor (roughly the newest).
    /// - Returns: How many were closed.
    func shedConnections(count: Int) -> Int {
        var closed = 0
        for handshakingOnly in [true, false] {
            // Closing only clears slots (the array never shrinks), so indices stay valid.
            var slot = handlers.count - 1
            while slot >= 0 && closed < count {
                if let connection = handlers[slot] as? ServerConnection,
                    connection.shedForDescriptors(handshakingOnly: handshakingOnly)
                {
                    closed += 1
                }
                slot -= 1
            }
        }
        return closed
    }

    func closeAll() {
        for case let handler? in handlers { handler.closeForShutdown() }
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
enum MonotonicClock {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}
