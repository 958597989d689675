/// Encodes frames: headers written straight into caller memory, or whole frames as arrays.
public enum WebSocketFrameEncoder {
    /// The header size for a payload.
    /// - Parameters:
    ///   - payloadLength: The payload length.
    ///   - masked: Whether a masking key follows (client frames).
    /// - Returns: 2 to 14 bytes.
    @inlinable
    public static func headerLength(payloadLength: Int, masked: Bool) -> Int {
        let base = payloadLength < 126 ? 2 : (payloadLength <= 0xFFFF ? 4 : 10)
        return masked ? base + 4 : base
    }

    /// Writes a frame header at `destination`, which must have room for `headerLength(...)` bytes.
    /// - Parameters:
    ///   - destination: Where the header goes.
    ///   - fin: Whether the frame ends its message.
    ///   - opcode: The opcode.
    ///   - payloadLength: The payload length.
    ///   - maskingKey: The masking key for client frames.
    /// - Returns: The number of bytes written.
    @discardableResult
    public static func writeHeader(
        to destination: UnsafeMutableRawPointer, fin: Bool = true, opcode: WebSocketOpcode,
        payloadLength: Int, maskingKey: UInt32? = nil
    ) -> Int {
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        destination.storeBytes(of: (fin ? 0x80 : 0) | opcode.rawValue, as: UInt8.self)
        var length = 2
        if payloadLength < 126 {
            destination.storeBytes(of: maskBit | UInt8(payloadLength), toByteOffset: 1, as: UInt8.self)
        } else if payloadLength <= 0xFFFF {
            destination.storeBytes(of: maskBit | 126, toByteOffset: 1, as: UInt8.self)
            destination.storeBytes(of: UInt16(payloadLength).bigEndian, toByteOffset: 2, as: UInt16.self)
            length = 4
        } else {
            destination.storeBytes(of: maskBit | 127, toByteOffset: 1, as: UInt8.self)
            destination.storeBytes(of: UInt64(payloadLength).bigEndian, toByteOffset: 2, as: UInt64.self)
            length = 10
        }
        if let key = maskingKey {
            destination.storeBytes(of: key.bigEndian, toByteOffset: length, as: UInt32.self)
            length += 4
        }
        return length
    }

    /// Encodes a whole frame into a new array.
    /// - Parameters:
    ///   - opcode: The opcode.
    ///   - payload: The payload (unmasked).
    ///   - fin: Whether the frame ends its message.
    ///   - maskingKey: Masks the payload with this key (client frames).
    /// - Returns: The frame's bytes.
    public static func encode(
        opcode: WebSocketOpcode, payload: some Collection<UInt8>, fin: Bool = true, maskingKey: UInt32? = nil
    ) -> [UInt8] {
        let count = payload.count
        let header = headerLength(payloadLength: count, masked: maskingKey != nil)
        return [UInt8](unsafeUninitializedCapacity: header + count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            let raw = UnsafeMutableRawPointer(base)
            writeHeader(to: raw, fin: fin, opcode: opcode, payloadLength: count, maskingKey: maskingKey)
            let body = UnsafeMutableBufferPointer(rebasing: buffer[header..<(header + count)])
            _ = body.initialize(from: payload)
            if let key = maskingKey {
                WebSocketMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(body))
            }
            initialized = header + count
        }
    }

    /// The payload of a close frame: the code in network order, then the UTF-8 reason.
    /// - Parameters:
    ///   - code: The status code, or `nil` for an empty close frame.
    ///   - reason: The reason; truncated on a character boundary to fit 123 bytes.
    /// - Returns: The payload bytes.
    public static func closePayload(code: UInt16?, reason: String) -> [UInt8] {
        guard let code else { return [] }
        var bytes: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var utf8 = Array(reason.utf8)
        if utf8.count > 123 {
            var cut = 123
            while cut > 0 && (utf8[cut] & 0xC0) == 0x80 { cut -= 1 }
            utf8.removeSubrange(cut...)
        }
        bytes += utf8
        return bytes
    }
}
