/// Standard base64 (RFC 4648 §4) for the handshake's short keys.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes bytes with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)],
                       alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)]]
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let value = UInt32(input[index]) << 16
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], 61]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Encodes bytes with padding into `target`, which has room for `(count + 2) / 3 * 4` bytes.
    /// - Returns: The bytes written.
    static func encode(_ input: UnsafeBufferPointer<UInt8>, to target: UnsafeMutableRawPointer) -> Int {
        alphabet.withUnsafeBufferPointer { alphabet in
            var written = 0
            var index = 0
            func put(_ value: UInt32, _ shift: UInt32) {
                target.storeBytes(of: alphabet[Int(value >> shift & 63)], toByteOffset: written, as: UInt8.self)
                written += 1
            }
            func pad() {
                target.storeBytes(of: 61, toByteOffset: written, as: UInt8.self)
                written += 1
            }
            while index + 3 <= input.count {
                let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                put(value, 18); put(value, 12); put(value, 6); put(value, 0)
                index += 3
            }
            let rest = input.count - index
            if rest == 1 {
                let value = UInt32(input[index]) << 16
                put(value, 18); put(value, 12); pad(); pad()
            } else if rest == 2 {
                let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                put(value, 18); put(value, 12); put(value, 6); pad()
            }
            return written
        }
    }

    /// How many bytes padded base64 text decodes to, without decoding it; `nil` when the text is
    /// not valid base64 (exactly the texts ``decode(_:)`` refuses).
    static func decodedCount(_ text: String) -> Int? {
        var count = 0
        let valid = decode(text) { _ in count += 1 }
        return valid ? count : nil
    }

    /// Decodes padded base64; `nil` when the text is not valid base64.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count / 4 * 3)
        return decode(text) { output.append($0) } ? output : nil
    }

    /// Decodes padded base64, handing each byte to `sink`; `false` when the text is not valid.
    private static func decode(_ text: String, _ sink: (UInt8) -> Void) -> Bool {
        var text = text
        return text.withUTF8 { input in
            guard input.count % 4 == 0 else { return false }
            var index = 0
            while index < input.count {
                var value: UInt32 = 0
                var padding = 0
                for offset in 0..<4 {
                    let byte = input[index + offset]
                    let sextet: UInt32
                    switch byte {
                    case 65...90: sextet = UInt32(byte - 65)
                    case 97...122: sextet = UInt32(byte - 71)
                    case 48...57: sextet = UInt32(byte + 4)
                    case 43: sextet = 62
                    case 47: sextet = 63
                    case 61 where index + 4 == input.count && offset >= 2:
                        sextet = 0
                        padding += 1
                    default: return false
                    }
                    if padding > 0 && byte != 61 { return false }
                    value = value << 6 | sextet
                }
                sink(UInt8(value >> 16 & 0xFF))
                if padding < 2 { sink(UInt8(value >> 8 & 0xFF)) }
                if padding < 1 { sink(UInt8(value & 0xFF)) }
                index += 4
            }
            return true
        }
    }
}
