/// Where a scanned string's content lives: a raw slice of the input when it had no escapes,
/// otherwise the reader's `scratch` buffer.
struct ScannedString {
    var start: Int
    var end: Int
    var escaped: Bool
    var ascii: Bool
}

extension JSONReader {
    /// Scans a string whose opening quote was just consumed, leaving `index` after the
    /// closing quote. Control characters are rejected here; UTF-8 is validated when the
    /// `String` is made (only for strings that contain non-ASCII bytes).
    @inline(__always)
    mutating func scanString() throws(JSONParseError) -> ScannedString {
        let start = index
        var i = index
        var ascii = true
        guard let base = bytes.baseAddress else { throw endOfInput() }
        while true {
            // Eight bytes at a time up to the first byte that needs a look: a quote, a
            // backslash, a control character, or (until one is seen) a non-ASCII byte.
            while i + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let mask = SWAR.escapeMask(word) | (ascii ? word & SWAR.highs : 0)
                if mask == 0 {
                    i += 8
                    continue
                }
                i += mask.trailingZeroBitCount >> 3
                break
            }
            guard i < count else { throw endOfInput() }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return ScannedString(start: start, end: i, escaped: false, ascii: ascii)
            }
            if byte == UInt8(ascii: "\\") {
                return try scanEscapedString(start: start, firstEscape: i, ascii: ascii)
            }
            if byte < 0x20 { throw JSONParseError(offset: i, reason: .controlCharacterInString) }
            if byte >= 0x80 { ascii = false }
            i += 1
        }
    }

    /// The slow path of `scanString`: decodes the content into `scratch`.
    mutating func scanEscapedString(start: Int, firstEscape: Int, ascii: Bool) throws(JSONParseError) -> ScannedString {
        scratch.removeAll(keepingCapacity: true)
        appendToScratch(start..<firstEscape)
        var ascii = ascii
        var i = firstEscape
        var runStart = i
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                appendToScratch(runStart..<i)
                index = i + 1
                return ScannedString(start: start, end: i, escaped: true, ascii: ascii)
            }
            if byte == UInt8(ascii: "\\") {
                appendToScratch(runStart..<i)
                i = try decodeEscape(at: i, ascii: &ascii)
                runStart = i
                continue
            }
            if byte < 0x20 { throw JSONParseError(offset: i, reason: .controlCharacterInString) }
            if byte >= 0x80 { ascii = false }
            i += 1
        }
        throw endOfInput()
    }

    /// Copies input bytes into `scratch` (typed, so the append is a memory copy).
    @inline(__always)
    mutating func appendToScratch(_ range: Range<Int>) {
        if range.isEmpty { return }
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self))
    }

    /// Decodes the escape whose backslash is at `at` into `scratch`; returns the index after it.
    mutating func decodeEscape(at backslash: Int, ascii: inout Bool) throws(JSONParseError) -> Int {
        guard backslash + 1 < count else { throw endOfInput() }
        let decoded: UInt8
        switch bytes[backslash + 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            let unit = try hex4(at: backslash + 2)
            if unit >= 0xD800 && unit < 0xDC00 {
                // A high surrogate combines with an immediately following low-surrogate escape.
                let next = backslash + 6
                if next + 1 < count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u"),
                    let low = peekHex4(at: next + 2), low >= 0xDC00 && low < 0xE000
                {
                    let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    appendUTF8(scalar)
                    ascii = false
                    return next + 6
                }
                appendUTF8(0xFFFD)  // lone high surrogate: not representable in a Swift String
            } else if unit >= 0xDC00 && unit < 0xE000 {
                appendUTF8(0xFFFD)  // lone low surrogate
            } else {
                appendUTF8(unit)
            }
            if unit >= 0x80 { ascii = false }
            return backslash + 6
        default:
            throw JSONParseError(offset: backslash, reason: .invalidEscape)
        }
        scratch.append(decoded)
        return backslash + 2
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte &- UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte &- UInt8(ascii: "A")) + 10
        default: -1
        }
    }

    /// The code unit of four hex digits at `at`, or an error naming the first bad byte.
    func hex4(at start: Int) throws(JSONParseError) -> Int {
        var unit = 0
        for i in start..<start + 4 {
            guard i < count else { throw endOfInput() }
            let digit = Self.hexValue(bytes[i])
            guard digit >= 0 else { throw JSONParseError(offset: i, reason: .invalidUnicodeEscape) }
            unit = unit << 4 | digit
        }
        return unit
    }

    /// Like `hex4`, but `nil` instead of an error (used to look ahead for a low surrogate).
    func peekHex4(at start: Int) -> Int? {
        guard start + 4 <= count else { return nil }
        var unit = 0
        for i in start..<start + 4 {
            let digit = Self.hexValue(bytes[i])
            guard digit >= 0 else { return nil }
            unit = unit << 4 | digit
        }
        return unit
    }

    mutating func appendUTF8(_ scalar: Int) {
        if scalar < 0x80 {
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        } else if scalar < 0x800 {
            scratch.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        } else if scalar < 0x10000 {
            scratch.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        } else {
            scratch.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }

    /// Makes the `String` of a scanned string, validating UTF-8 when it is not pure ASCII.
    @inline(__always)
    func makeString(_ scanned: ScannedString) throws(JSONParseError) -> String {
        if !scanned.escaped {
            let utf8 = UnsafeRawBufferPointer(rebasing: bytes[scanned.start..<scanned.end])
                .assumingMemoryBound(to: UInt8.self)
            if !scanned.ascii, let bad = Self.firstInvalidUTF8(utf8) {
                throw JSONParseError(offset: scanned.start + bad, reason: .invalidUTF8)
            }
            return string(validatedUTF8: utf8, ascii: scanned.ascii)
        }
        let decoded: String? = scratch.withUnsafeBufferPointer { utf8 in
            scanned.ascii || Self.firstInvalidUTF8(utf8) == nil
                ? string(validatedUTF8: utf8, ascii: scanned.ascii) : nil
        }
        guard let decoded else { throw JSONParseError(offset: scanned.start, reason: .invalidUTF8) }
        return decoded
    }

    /// Makes a `String` from bytes already known to be well-formed UTF-8 (`ascii` tells
    /// whether they are all below 0x80). Short ones are built in place as small strings;
    /// for longer ones the uninitialized-capacity initializer, measured at about 20% fewer
    /// instructions than `String(decoding:as:)`.
    @inline(__always)
    func string(validatedUTF8 utf8: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String {
        if utf8.count <= SmallString.capacity && smallStrings {
            return SmallString.make(UnsafeRawBufferPointer(utf8), ascii: ascii)
        }
        return String(unsafeUninitializedCapacity: utf8.count) { storage in
            _ = storage.initialize(fromContentsOf: utf8)
            return utf8.count
        }
    }

    /// The offset of the sequence that makes `utf8` ill-formed UTF-8 (RFC 3629: no overlong
    /// forms, no encoded surrogates, nothing above U+10FFFF), or `nil` when it is well formed. Checked here, rather than with
    /// `String(validating:)`, because that generic initializer is not specialized for
    /// this caller and costs a metadata lookup per string; once validated, the bytes go
    /// through `String(decoding:)`, which then never repairs anything.
    static func firstInvalidUTF8(_ utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = utf8.count
        var i = 0
        @inline(__always) func isContinuation(_ at: Int) -> Bool { utf8[at] & 0xC0 == 0x80 }
        while i < count {
            let lead = utf8[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            if lead < 0xC2 { return i }  // stray continuation byte or overlong two-byte form
            if lead < 0xE0 {
                guard i + 1 < count, isContinuation(i + 1) else { return i }
                i += 2
            } else if lead < 0xF0 {
                guard i + 2 < count else { return i }
                let second = utf8[i + 1]
                let secondRange: ClosedRange<UInt8> =
                    lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
                guard secondRange.contains(second), isContinuation(i + 2) else { return i }
                i += 3
            } else if lead < 0xF5 {
                guard i + 3 < count else { return i }
                let second = utf8[i + 1]
                let secondRange: ClosedRange<UInt8> =
                    lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
                guard secondRange.contains(second), isContinuation(i + 2), isContinuation(i + 3) else { return i }
                i += 4
            } else {
                return i
            }
        }
        return nil
    }

    /// Makes an object key and its fingerprint (computed from the decoded bytes, so that
    /// `"a"` and `"\u0061"` get the same one).
    @inline(__always)
    func makeKey(_ scanned: ScannedString) throws(JSONParseError) -> (String, UInt64) {
        let string = try makeString(scanned)
        let length = scanned.escaped ? scratch.count : scanned.end - scanned.start
        if length <= SmallString.capacity && smallStrings {
            // A small string's two words hold its bytes and length: fold them instead of
            // reading the bytes again.
            let (low, high) = SmallString.bits(string)
            return (string, (low &* 0x9E37_79B9_7F4A_7C15) ^ high)
        }
        if !scanned.escaped {
            return (string, Self.fingerprint(UnsafeRawBufferPointer(rebasing: bytes[scanned.start..<scanned.end])))
        }
        return (string, scratch.withUnsafeBytes { Self.fingerprint($0) })
    }

    /// A cheap 64-bit summary of a key's bytes: exact below 8 bytes, head, tail and length above.
    @inline(__always)
    static func fingerprint(_ utf8: UnsafeRawBufferPointer) -> UInt64 {
        let length = utf8.count
        if length >= 8 {
            let head = utf8.loadUnaligned(as: UInt64.self)
            let tail = utf8.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            return (head &* 0x9E37_79B9_7F4A_7C15) ^ tail ^ UInt64(truncatingIfNeeded: length) &<< 56
        }
        var print = UInt64(truncatingIfNeeded: length) &<< 56
        for k in 0..<length { print |= UInt64(utf8[k]) &<< UInt64(8 * k) }
        return print
    }
}
