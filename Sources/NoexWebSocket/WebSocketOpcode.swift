/// A WebSocket frame opcode (RFC 6455 §5.2), kept open so reserved values can be represented.
public struct WebSocketOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit opcode value.
    public let rawValue: UInt8

    /// Creates an opcode from its 4-bit value.
    /// - Parameter rawValue: The value; only the low 4 bits are kept.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// Continues a fragmented message.
    public static let continuation = WebSocketOpcode(rawValue: 0x0)
    /// Starts a text message (UTF-8).
    public static let text = WebSocketOpcode(rawValue: 0x1)
    /// Starts a binary message.
    public static let binary = WebSocketOpcode(rawValue: 0x2)
    /// Close control frame.
    public static let close = WebSocketOpcode(rawValue: 0x8)
    /// Ping control frame.
    public static let ping = WebSocketOpcode(rawValue: 0x9)
    /// Pong control frame.
    public static let pong = WebSocketOpcode(rawValue: 0xA)

    /// Whether this is a control opcode (high bit of the nibble set).
    public var isControl: Bool { rawValue & 0x8 != 0 }

    /// Whether RFC 6455 defines this opcode (the others are reserved and fail the connection).
    public var isDefined: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return true
        default: return false
        }
    }

    /// A short name for diagnostics.
    public var description: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default: return "reserved(\(rawValue))"
        }
    }
}
