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
    /// Closes with a close code and reason.
    func close(code: UInt16, reason: String)
}

/// Runs work later; the heartbeat's timers.
protocol TimerScheduler: Sendable {
    /// Runs `work` once after `delay`.
    func runLater(after delay: Duration, _ work: @escaping @Sendable () -> Void)
}

extension WebSocketConnection: ClientSocket {
    func sendMessage(_ bytes: [UInt8]) {
        sendText(bytes)
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
