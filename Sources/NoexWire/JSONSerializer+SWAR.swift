/// Word-at-a-time byte tests ("SIMD within a register") used by the string scanners of the
/// parser and the serializer. Each test is exact about *whether* a word contains a byte of
/// interest, which is all the callers use; they then look at the word byte by byte.
enum SWAR {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is zero.
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether any byte of `word` equals `byte`.
    @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        hasZeroByte(word ^ (ones &* UInt64(byte)))
    }

    /// Whether any byte of `word` is below 0x20 (bytes of 0x80 and above do not count).
    @inline(__always)
    static func hasControlByte(_ word: UInt64) -> Bool {
        (word &- ones &* 0x20) & ~word & highs != 0
    }

    /// Whether any byte of `word` is `"`, `\` or a control character.
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        hasControlByte(word) || hasByte(word, UInt8(ascii: "\"")) || hasByte(word, UInt8(ascii: "\\"))
    }
}
