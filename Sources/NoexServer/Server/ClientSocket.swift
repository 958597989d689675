import NoexWebSocket

/// The transport side of one client connection, as the protocol layer uses it.
///
/// The WebSocket layer's connection is the real one; `InProcessConnection` lets tests drive
/// the whole protocol without sockets.
protocol ClientSocket: AnyObject, Sendable {
    /// The peer's IP address.
    var remoteAddress: String { get }
    /// Unsent outbound bytes.
    var bufferedBytes: Int { get }
    /// Queues one text message.
    func sendMessage(_ bytes: [UInt8])
    /// Queues one text message of `count` bytes written by `write` (see the default).
    func sendMessage(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void)
    /// Closes with a close code and reason.
    func close(code: UInt16, reason: String)
    /// Runs `work` once every message queued so far is in the outbound buffer (see the default).
    func afterPendingSends(_ work: @escaping @Sendable () -> Void)
}

/// Runs work later; the heartbeat's timers.
protocol TimerScheduler: Sendable {
    /// Runs `work` once after `delay`.
    func runLater(after delay: Duration, _ work: @escaping @Sendable () -> Void)
}

extension ClientSocket {
    /// Runs `work` at once: a socket whose `sendMessage` queues synchronously has nothing pending.
    func afterPendingSends(_ work: @escaping @Sendable () -> Void) {
        work()
    }

    /// Writes the message into an array and queues that.
    func sendMessage(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        sendMessage([UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            write(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        })
    }
}

extension WebSocketConnection: ClientSocket {
    func sendMessage(_ bytes: [UInt8]) {
        sendText(bytes)
    }

    /// Writes the message straight into the outbound buffer.
    func sendMessage(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        sendText(count: count, writingWith: write)
    }
}

extension WebSocketServer: TimerScheduler {
    func runLater(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        _ = schedule(after: delay, work)
    }
}

/// A scheduler on Swift concurrency, for connections that have no event loop.
struct TaskScheduler: TimerScheduler {
    func runLater(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        Task {
            try? await Task.sleep(for: delay)
            work()
        }
    }
}
