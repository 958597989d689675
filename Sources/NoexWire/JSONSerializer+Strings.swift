extension JSONSerializer {
    /// Appends `string` as a quoted, escaped JSON string (JavaScript `JSON.stringify` rules).
    /// - Parameters:
    ///   - leading: a byte written before the opening quote (`,` or `{`), or 0 for none.
    ///   - trailing: a byte written after the closing quote (`:`), or 0 for none.
    @usableFromInline
    static func appendString(_ string: String, to buffer: inout [UInt8], leading: UInt8 = 0, trailing: UInt8 = 0) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            appendQuoted(utf8, to: &buffer, leading: leading, trailing: trailing)
        }
        if done == nil {
            // Bridged or otherwise non-contiguous strings: make a native copy first.
            var native = string
            native.makeContiguousUTF8()
            native.withUTF8 { appendQuoted($0, to: &buffer, leading: leading, trailing: trailing) }
        }
    }

    /// Whether any byte of `utf8` must be escaped; eight bytes at a time, the last word
    /// overlapping the previous one rather than finishing byte by byte.
    @inline(__always)
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let count = utf8.count
        let raw = UnsafeRawPointer(base)
        if count < 8 {
            // Gather the bytes into one word with overlapping loads (repeats are harmless)
            // and fill the rest with "A"s, which never need escaping.
            let word: UInt64
            if count >= 4 {
                word = UInt64(raw.loadUnaligned(as: UInt32.self))
                    | UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
            } else if count >= 2 {
                word = UInt64(raw.loadUnaligned(as: UInt16.self))
                    | UInt64(raw.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)) << 16
                    | 0x4141_4141_0000_0000
            } else if count == 1 {
                word = UInt64(base[0]) | 0x4141_4141_4141_4100
            } else {
                return false
            }
            return SWAR.mayNeedEscape(word)
        }
        var i = 0
        while i + 8 < count {
            if SWAR.mayNeedEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        return SWAR.mayNeedEscape(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// The number of bytes the escaped form of `utf8` adds beyond its own length.
    static func escapeOverhead(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var extra = 0
        for byte in utf8 { extra += escapeCost(byte) }
        return extra
    }

    @inline(__always)
    static func escapeCost(_ byte: UInt8) -> Int {
        if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { return 0 }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x0C, 0x0A, 0x0D, 0x09: return 1
        default: return 5  // \u00XX
        }
    }

    static func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8], leading: UInt8, trailing: UInt8) {
        let extra = needsEscaping(utf8) ? escapeOverhead(utf8) : 0
        let total = utf8.count + extra + 4
        withSpareCapacity(&buffer, total) { out in
            var o = 0
            if leading != 0 {
                out[o] = leading
                o += 1
            }
            out[o] = UInt8(ascii: "\"")
            o += 1
            if extra == 0 {
                if let base = utf8.baseAddress { (out + o).update(from: base, count: utf8.count) }
                o += utf8.count
            } else {
                o += writeEscaped(utf8, to: out + o)
            }
            out[o] = UInt8(ascii: "\"")
            o += 1
            if trailing != 0 {
                out[o] = trailing
                o += 1
            }
            return o
        }
    }

    /// Writes the escaped content of a string that needs escaping; returns the bytes written.
    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let hexDigits: StaticString = "0123456789abcdef"
        var o = 0
        for byte in utf8 {
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                out[o] = byte
                o += 1
                continue
            }
            out[o] = UInt8(ascii: "\\")
            switch byte {
            case UInt8(ascii: "\""): out[o + 1] = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): out[o + 1] = UInt8(ascii: "\\")
            case 0x08: out[o + 1] = UInt8(ascii: "b")
            case 0x0C: out[o + 1] = UInt8(ascii: "f")
            case 0x0A: out[o + 1] = UInt8(ascii: "n")
            case 0x0D: out[o + 1] = UInt8(ascii: "r")
            case 0x09: out[o + 1] = UInt8(ascii: "t")
            default:
                out[o + 1] = UInt8(ascii: "u")
                out[o + 2] = UInt8(ascii: "0")
                out[o + 3] = UInt8(ascii: "0")
                out[o + 4] = hexDigits.utf8Start[Int(byte >> 4)]
                out[o + 5] = hexDigits.utf8Start[Int(byte & 0x0F)]
                o += 4
            }
            o += 2
        }
        return o
    }
}
