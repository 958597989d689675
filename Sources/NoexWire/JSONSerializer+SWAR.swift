/// Word-at-a-time byte tests ("SIMD within a register") used by the string scanners of the
/// parser and the serializer.
///
/// Each mask has the high bit set in the bytes of interest. The lowest set bit is always
/// exact (a borrow can only produce false positives *above* a true match), so
/// `mask.trailingZeroBitCount / 8` is the index of the first byte of interest, and
/// `mask == 0` means there is none.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Bytes equal to zero.
    @inline(__always)
    static func zeroMask(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highs
    }

    /// Bytes equal to `byte`.
    @inline(__always)
    static func byteMask(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        zeroMask(word ^ (ones &* UInt64(byte)))
    }

    /// Bytes below 0x20 (bytes of 0x80 and above do not count).
    @inline(__always)
    static func controlMask(_ word: UInt64) -> UInt64 {
        (word &- ones &* 0x20) & ~word & highs
    }

    /// Bytes that a JSON string cannot hold raw: `"`, `\` and control characters.
    @inline(__always)
    static func escapeMask(_ word: UInt64) -> UInt64 {
        controlMask(word) | byteMask(word, UInt8(ascii: "\"")) | byteMask(word, UInt8(ascii: "\\"))
    }

    /// Whether any byte of `word` is `"`, `\` or a control character.
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        escapeMask(word) != 0
    }
}
