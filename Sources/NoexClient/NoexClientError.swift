public import NoexWire

/// An error thrown by ``NoexClient``: either the server's answer to a request (its protocol
/// `code`, `message` and `details`) or a failure on the client side, with one of the
/// client-side codes below.
///
/// Compare ``code`` with the `ErrorCode` constants of `NoexProtocol` (`.notFound`,
/// `.validationError`, ...) or with the client-side ones (`.timeout`, `.connectionLost`, ...).
public struct NoexClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The protocol's error code, or a client-side code.
    public var code: ErrorCode
    /// The server's message, or a description of the client-side failure.
    public var message: String
    /// The server's `details`, when it sent any.
    public var details: JSONValue?
    /// Whether the server answered with this error (`false` for client-side failures).
    public var isServerError: Bool

    /// Creates an error.
    /// - Parameters:
    ///   - code: the code.
    ///   - message: the message.
    ///   - details: structured details.
    ///   - isServerError: whether the server sent it.
    public init(code: ErrorCode, message: String, details: JSONValue? = nil, isServerError: Bool) {
        self.code = code
        self.message = message
        self.details = details
        self.isServerError = isServerError
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    static func client(_ code: ErrorCode, _ message: String) -> NoexClientError {
        NoexClientError(code: code, message: message, isServerError: false)
    }
}

extension ErrorCode {
    /// Client side: no answer arrived within the request timeout (the request may still have run).
    public static let timeout = ErrorCode(rawValue: "TIMEOUT")
    /// Client side: the connection closed after the request was sent and before its answer
    /// arrived (the request may have run).
    public static let connectionLost = ErrorCode(rawValue: "CONNECTION_LOST")
    /// Client side: connecting, the handshake or the welcome failed.
    public static let connectionFailed = ErrorCode(rawValue: "CONNECTION_FAILED")
    /// Client side: the client was closed.
    public static let clientClosed = ErrorCode(rawValue: "CLIENT_CLOSED")
    /// Client side: the calling task was cancelled.
    public static let cancelled = ErrorCode(rawValue: "CANCELLED")
    /// Client side: the server's answer does not have the shape protocol.yaml declares.
    public static let invalidResponse = ErrorCode(rawValue: "INVALID_RESPONSE")
    /// Client side: the server URL is not a usable `ws://` URL.
    public static let invalidURL = ErrorCode(rawValue: "INVALID_URL")
}
