import Glibc

/// Errors thrown by the server and client.
public enum WebSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed.
    case system(call: String, errno: Int32)
    /// The host is not a numeric address or resolvable name.
    case invalidAddress(String)
    /// The server is already running, or was shut down.
    case invalidState(String)
    /// The server refused the upgrade with this HTTP status.
    case handshakeRejected(status: Int)
    /// The server's handshake response was malformed.
    case invalidHandshakeResponse(String)
    /// The connection is closed.
    case connectionClosed
    /// The operation did not complete in time.
    case timeout

    /// A readable description.
    public var description: String {
        switch self {
        case let .system(call, code): return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .invalidAddress(host): return "invalid address \(host)"
        case let .invalidState(what): return what
        case let .handshakeRejected(status): return "upgrade rejected with HTTP \(status)"
        case let .invalidHandshakeResponse(why): return "invalid handshake response: \(why)"
        case .connectionClosed: return "connection closed"
        case .timeout: return "timed out"
        }
    }
}
