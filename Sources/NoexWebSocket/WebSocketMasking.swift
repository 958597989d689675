/// The XOR masking of RFC 6455 §5.3, applied in place eight bytes at a time.
public enum WebSocketMasking {
    /// Masks or unmasks `bytes` in place (the operation is its own inverse).
    /// - Parameters:
    ///   - key: The masking key, its first wire byte in the most significant position.
    ///   - bytes: The payload to transform.
    ///   - offset: How many payload bytes precede `bytes` (to continue a partly unmasked payload).
    public static func apply(key: UInt32, to bytes: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // Rotate so that byte 0 of `bytes` meets key byte (offset % 4); then the native-order
        // value's memory image is the four key bytes in wire order, repeated.
        let shift = UInt32((offset & 3) * 8)
        let rotated = shift == 0 ? key : (key << shift) | (key >> (32 - shift))
        let native = UInt32(bigEndian: rotated)
        let wide = UInt64(native) | (UInt64(native) << 32)
        let count = bytes.count
        var index = 0
        while index &+ 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            base.storeBytes(of: word ^ wide, toByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        var keyBytes = native
        withUnsafeBytes(of: &keyBytes) { keyBuffer in
            while index < count {
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                base.storeBytes(of: byte ^ keyBuffer[index & 3], toByteOffset: index, as: UInt8.self)
                index &+= 1
            }
        }
    }
}
