/// The decoded header of one WebSocket frame (RFC 6455 §5.2).
public struct WebSocketFrameHeader: Hashable, Sendable {
    /// FIN: this frame ends its message.
    public var fin: Bool
    /// The three reserved bits RSV1..RSV3 as a value 0...7 (RSV1 is 4).
    public var reservedBits: UInt8
    /// The frame's opcode.
    public var opcode: WebSocketOpcode
    /// The masking key in network byte order, when the frame is masked.
    public var maskingKey: UInt32?
    /// The payload length in bytes.
    public var payloadLength: Int
    /// The number of header bytes (2 to 14) that precede the payload.
    public var headerLength: Int

    /// Creates a header.
    /// - Parameters:
    ///   - fin: Whether this frame ends its message.
    ///   - reservedBits: RSV1..RSV3 as 0...7.
    ///   - opcode: The opcode.
    ///   - maskingKey: The masking key, if masked.
    ///   - payloadLength: The payload length.
    ///   - headerLength: The encoded header length.
    public init(
        fin: Bool, reservedBits: UInt8 = 0, opcode: WebSocketOpcode, maskingKey: UInt32? = nil,
        payloadLength: Int, headerLength: Int
    ) {
        self.fin = fin
        self.reservedBits = reservedBits
        self.opcode = opcode
        self.maskingKey = maskingKey
        self.payloadLength = payloadLength
        self.headerLength = headerLength
    }

    /// Header plus payload length.
    public var frameLength: Int { headerLength + payloadLength }
}
