/// Which end of the connection a codec or state machine serves; it decides the masking rule.
public enum WebSocketRole: Sendable, Hashable {
    /// A server: every received frame must be masked (RFC 6455 §5.1).
    case server
    /// A client: received frames must not be masked.
    case client
}

/// Decodes frame headers from raw bytes: a pure function of the bytes and two settings.
///
/// Everything that can be decided from the header alone is checked here, before any payload is
/// read: reserved bits, reserved opcodes, control-frame rules, the masking rule and the size limit.
public struct WebSocketFrameDecoder: Sendable {
    /// The outcome of decoding one header.
    public enum Outcome: Sendable, Hashable {
        /// The bytes do not yet hold a whole header.
        case needMoreData
        /// A valid header; the payload may not have arrived yet (compare `frameLength`).
        case header(WebSocketFrameHeader)
        /// The frame breaks the protocol; fail the connection with this close code.
        case failure(code: UInt16, reason: String)
    }

    /// Whether this decoder serves a server or a client.
    public let role: WebSocketRole
    /// The largest payload a single frame may carry (1009 above it).
    public var maxPayloadLength: Int
    /// The longest frame header: 2 bytes, a 64-bit length and a masking key.
    public static let maximumHeaderLength = 14

    /// Creates a decoder.
    /// - Parameters:
    ///   - role: The receiving side.
    ///   - maxPayloadLength: The largest accepted frame payload.
    public init(role: WebSocketRole, maxPayloadLength: Int) {
        self.role = role
        self.maxPayloadLength = maxPayloadLength
    }

    /// Decodes the frame header at the start of `bytes`.
    /// - Parameter bytes: Received bytes starting at a frame boundary.
    /// - Returns: The header, a request for more data, or a protocol failure.
    public func decodeHeader(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let available = bytes.count
        guard available >= 2, let base = bytes.baseAddress else { return .needMoreData }
        let first = base.load(as: UInt8.self)
        let second = base.load(fromByteOffset: 1, as: UInt8.self)
        let fin = first & 0x80 != 0
        let reserved = (first >> 4) & 0x7
        let opcode = WebSocketOpcode(rawValue: first & 0x0F)
        let masked = second & 0x80 != 0
        if reserved != 0 {
            return .failure(code: WebSocketCloseCode.protocolError, reason: "reserved bits set without extension")
        }
        if !opcode.isDefined {
            return .failure(code: WebSocketCloseCode.protocolError, reason: "reserved opcode \(opcode.rawValue)")
        }
        switch role {
        case .server where !masked:
            return .failure(code: WebSocketCloseCode.protocolError, reason: "client frame not masked")
        case .client where masked:
            return .failure(code: WebSocketCloseCode.protocolError, reason: "server frame masked")
        default: break
        }
        var length = Int(second & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard available >= 4 else { return .needMoreData }
            length = Int(UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return .needMoreData }
            let wide = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt64.self))
            if wide & (1 << 63) != 0 {
                return .failure(code: WebSocketCloseCode.protocolError, reason: "64-bit length with high bit set")
            }
            // Whatever the limit, header plus payload must fit an `Int`: `frameLength` is
            // computed from them (a 2^63 - 1 length with an `Int.max` limit overflowed).
            if wide > UInt64(maxPayloadLength) || wide > UInt64(Int.max - WebSocketFrameDecoder.maximumHeaderLength) {
                return .failure(code: WebSocketCloseCode.messageTooBig, reason: "frame too big")
            }
            length = Int(wide)
            headerLength = 10
        }
        if opcode.isControl {
            if !fin { return .failure(code: WebSocketCloseCode.protocolError, reason: "fragmented control frame") }
            if length > 125 { return .failure(code: WebSocketCloseCode.protocolError, reason: "control frame too long") }
        } else if length > maxPayloadLength {
            return .failure(code: WebSocketCloseCode.messageTooBig, reason: "frame too big")
        }
        var key: UInt32?
        if masked {
            guard available >= headerLength + 4 else { return .needMoreData }
            key = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: headerLength, as: UInt32.self))
            headerLength += 4
        }
        return .header(
            WebSocketFrameHeader(
                fin: fin, reservedBits: reserved, opcode: opcode, maskingKey: key,
                payloadLength: length, headerLength: headerLength))
    }
}
