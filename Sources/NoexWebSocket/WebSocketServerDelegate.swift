/// The application side of a ``WebSocketServer``.
///
/// Every callback runs on the connection's event-loop thread, in order per connection, and
/// must not block: heavy work belongs elsewhere, with results sent back through
/// ``WebSocketConnection/sendText(_:)-(Collection<UInt8>)``.
public protocol WebSocketServerDelegate: AnyObject, Sendable {
    /// Decides on an upgrade request whose path already matched.
    /// - Parameter request: The request.
    /// - Returns: `.accept`, or `.reject(status:)` (e.g. 403 for a refused Origin).
    func shouldAccept(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision

    /// The handshake completed; the connection can send and receive.
    /// - Parameter connection: The new connection.
    func connectionDidOpen(_ connection: WebSocketConnection)

    /// A whole text message arrived (UTF-8 validated).
    /// - Parameters:
    ///   - connection: The connection.
    ///   - text: The message bytes, valid only during the call.
    func connection(_ connection: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer)

    /// A whole binary message arrived.
    /// - Parameters:
    ///   - connection: The connection.
    ///   - data: The message bytes, valid only during the call.
    func connection(_ connection: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer)

    /// The outbound buffer emptied after the socket had refused bytes (it was full).
    /// - Parameter connection: The connection.
    func connectionDidDrain(_ connection: WebSocketConnection)

    /// The connection ended (called once per opened connection).
    /// - Parameters:
    ///   - connection: The connection.
    ///   - code: The peer's close code, else the code this side sent, or `nil` if the TCP
    ///     connection ended without a close frame.
    ///   - reason: The close reason, or a short description of why the socket closed.
    func connectionDidClose(_ connection: WebSocketConnection, code: UInt16?, reason: String)
}

/// The answer to an upgrade request.
public enum WebSocketUpgradeDecision: Sendable, Hashable {
    /// Complete the handshake.
    case accept
    /// Answer with this HTTP status and close.
    case reject(status: Int)
}

/// An upgrade request as seen by ``WebSocketServerDelegate/shouldAccept(_:)``.
public struct WebSocketUpgradeRequest: Sendable {
    /// The path (without query).
    public var path: String
    /// The query string without `?`, if any.
    public var query: String?
    /// Every header in order, names lowercased.
    public var headers: [(name: String, value: String)]
    /// The `Origin` header, if any.
    public var origin: String?
    /// The peer's IP address, e.g. `127.0.0.1`.
    public var remoteAddress: String
    /// The peer's port.
    public var remotePort: Int

    /// Creates a request description.
    /// - Parameters:
    ///   - path: The path.
    ///   - query: The query string.
    ///   - headers: Lowercased headers.
    ///   - origin: The Origin header.
    ///   - remoteAddress: The peer's IP.
    ///   - remotePort: The peer's port.
    public init(
        path: String, query: String?, headers: [(name: String, value: String)], origin: String?,
        remoteAddress: String, remotePort: Int
    ) {
        self.path = path
        self.query = query
        self.headers = headers
        self.origin = origin
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
    }

    /// The first value of a header.
    /// - Parameter name: The header name (any case).
    /// - Returns: Its value, if present.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// A timer returned by ``WebSocketServer/schedule(after:_:)``.
public struct ScheduledTask: Sendable {
    /// The loop holding the timer; `nil` when the server was not running (nothing scheduled).
    let loop: EventLoop?
    let id: UInt64

    /// Cancels the timer if it has not run yet (from any thread).
    public func cancel() {
        guard let loop else { return }
        let id = self.id
        if loop.inLoop { loop.cancelTimer(id) } else { loop.execute { loop.cancelTimer(id) } }
    }
}
