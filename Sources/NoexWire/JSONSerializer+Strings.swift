extension JSONSerializer {
    /// Appends `string` as a quoted, escaped JSON string (JavaScript `JSON.stringify` rules).
    /// - Parameters:
    ///   - leading: a byte written before the opening quote (`,` or `{`), or 0 for none.
    ///   - trailing: a byte written after the closing quote (`:`), or 0 for none.
    ///   - smallStrings: ``SmallString/isLayoutVerified``, read once by the caller.
    @usableFromInline
    static func appendString(
        _ string: String, to buffer: inout [UInt8], leading: UInt8 = 0, trailing: UInt8 = 0, smallStrings: Bool
    ) {
        if smallStrings, let small = SmallString.content(of: string),
            appendSmall(small, to: &buffer, leading: leading, trailing: trailing)
        {
            return
        }
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

    /// Appends a small string that needs no escaping straight from its two words (see
    /// ``SmallString``); returns `false`, having written nothing, when it needs escaping.
    @inline(__always)
    static func appendSmall(
        _ small: (low: UInt64, high: UInt64, count: Int), to buffer: inout [UInt8], leading: UInt8, trailing: UInt8
    ) -> Bool {
        let count = small.count
        // Bytes past the count (and the flag byte) become "A"s, which never need escaping.
        let fill = SWAR.ones &* UInt64(UInt8(ascii: "A"))
        let lowKept: UInt64 = count >= 8 ? ~0 : (1 &<< UInt64(8 * count)) &- 1
        let highKept: UInt64 = count <= 8 ? 0 : (1 &<< UInt64(8 * (count - 8))) &- 1
        let low = small.low & lowKept | fill & ~lowKept
        let high = small.high & highKept | fill & ~highKept
        if SWAR.mayNeedEscape(low) || SWAR.mayNeedEscape(high) { return false }
        // Both words are stored whole: up to 2 + 16 bytes, then the closing quote and the
        // trailing byte overwrite whatever followed the content.
        withSpareCapacity(&buffer, 20) { out in
            var o = 0
            if leading != 0 {
                out[o] = leading
                o += 1
            }
            out[o] = UInt8(ascii: "\"")
            o += 1
            let raw = UnsafeMutableRawPointer(out + o)
            raw.storeBytes(of: small.low, as: UInt64.self)
            raw.storeBytes(of: small.high, toByteOffset: 8, as: UInt64.self)
            o += count
            out[o] = UInt8(ascii: "\"")
            o += 1
            if trailing != 0 {
                out[o] = trailing
                o += 1
            }
            return o
        }
        return true
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
