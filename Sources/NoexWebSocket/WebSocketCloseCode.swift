/// Close status codes (RFC 6455 §7.4) and the rules for which may appear in a close frame.
public enum WebSocketCloseCode {
    /// Normal closure.
    public static let normal: UInt16 = 1000
    /// The endpoint is going away (server shutdown, page navigation).
    public static let goingAway: UInt16 = 1001
    /// Protocol error.
    public static let protocolError: UInt16 = 1002
    /// The endpoint cannot accept this data type.
    public static let unsupportedData: UInt16 = 1003
    /// No status code was present (never sent on the wire).
    public static let noStatusReceived: UInt16 = 1005
    /// The connection dropped without a close frame (never sent on the wire).
    public static let abnormalClosure: UInt16 = 1006
    /// A text message was not valid UTF-8.
    public static let invalidPayload: UInt16 = 1007
    /// The message violates the endpoint's policy.
    public static let policyViolation: UInt16 = 1008
    /// The message is larger than the endpoint accepts.
    public static let messageTooBig: UInt16 = 1009
    /// The client expected an extension the server did not negotiate.
    public static let mandatoryExtension: UInt16 = 1010
    /// The server hit an unexpected condition.
    public static let internalError: UInt16 = 1011
    /// The server is overloaded; the client should reconnect later (IANA registry).
    public static let tryAgainLater: UInt16 = 1013

    /// Whether `code` may be carried by a close frame received from (or sent to) a peer.
    ///
    /// Allowed: 1000–1003, 1007–1014 (defined by RFC 6455 and the IANA registry),
    /// 3000–4999 (registered and private use). Everything else, including 1004–1006, 1015 and
    /// 0–999, is a protocol error.
    /// - Parameter code: The status code.
    /// - Returns: `true` if the code is valid on the wire.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
