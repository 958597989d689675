#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exact powers of ten representable in a `Double` (10^0 ... 10^22).
let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

extension JSONReader {
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Parses a number at `index` per the RFC 8259 grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    ///
    /// Values whose decimal significand fits in 2^53 and whose power of ten is exact (at
    /// most 22) are computed with one correctly rounded multiplication or division (Clinger's
    /// fast path); everything else goes through the standard library's correctly rounded
    /// decimal conversion.
    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var i = index
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            guard i < count else { throw endOfInput() }
        }
        var significand: UInt64 = 0
        var digitCount = 0
        var exponent = 0

        let first = bytes[i]
        if first == UInt8(ascii: "0") {
            i += 1
            if i < count, Self.isDigit(bytes[i]) {
                throw JSONParseError(offset: i, reason: .invalidNumber)  // leading zero
            }
        } else if Self.isDigit(first) {
            while i < count {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if digitCount < 19 { significand = significand &* 10 &+ UInt64(digit) }
                digitCount += 1
                i += 1
            }
        } else {
            throw JSONParseError(offset: i, reason: .invalidNumber)
        }

        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < count {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                // Leading fraction zeros of a zero integer part add no significant digit.
                if significand != 0 || digit != 0 {
                    if digitCount < 19 { significand = significand &* 10 &+ UInt64(digit) }
                    digitCount += 1
                }
                exponent -= 1
                i += 1
            }
            guard i > fractionStart else {
                throw i < count ? JSONParseError(offset: i, reason: .invalidNumber) : endOfInput()
            }
        }

        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < count {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                // Saturate: anything beyond this is already zero or infinity.
                if written < 1_000_000 { written = written * 10 + Int(digit) }
                i += 1
            }
            guard i > exponentStart else {
                throw i < count ? JSONParseError(offset: i, reason: .invalidNumber) : endOfInput()
            }
            exponent += exponentNegative ? -written : written
        }
        index = i
        if checksNumberRange, i - start > JSONParser.maximumNumberLength {
            // Not converted: a 100,000-digit literal costs only the scan above.
            numberOutOfRange = true
            return negative ? -.infinity : .infinity
        }

        if digitCount <= 19 {
            if significand == 0 { return negative ? -0.0 : 0.0 }
            if significand <= 1 << 53 {
                let value = Double(significand)
                var result: Double? = nil
                if exponent == 0 {
                    result = value
                } else if exponent > 0 && exponent <= 22 {
                    result = value * exactPowersOfTen[exponent]
                } else if exponent < 0 && exponent >= -22 {
                    result = value / exactPowersOfTen[-exponent]
                }
                if let result { return negative ? -result : result }
            }
        }
        // Only the slow path can overflow: the fast path's largest value is 2^53 × 10^22.
        let value = try parseNumberSlowly(start: start, end: i)
        if checksNumberRange, !value.isFinite { numberOutOfRange = true }
        return value
    }

    /// Correctly rounded conversion of an already validated number literal.
    ///
    /// The C library's `strtod` (correctly rounded in glibc and Darwin's libc) on a stack
    /// copy is about three times faster than `Double(String)`, which builds a `String` and
    /// copies it again. `strtod` follows the C locale's decimal point; should a process have
    /// switched `LC_NUMERIC` to a comma locale, it stops early and the standard library
    /// conversion is used instead.
    func parseNumberSlowly(start: Int, end: Int) throws(JSONParseError) -> Double {
        let literal = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        #if canImport(Glibc) || canImport(Darwin) || canImport(Musl)
            if literal.count < 64 {
                let converted: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                    guard let base = buffer.baseAddress else { return nil }
                    for i in 0..<literal.count { base[i] = CChar(bitPattern: literal[i]) }
                    base[literal.count] = 0
                    var stop: UnsafeMutablePointer<CChar>? = nil
                    let value = strtod(base, &stop)
                    return stop == base + literal.count ? value : nil
                }
                if let converted { return converted }
            }
        #endif
        let text = String(decoding: literal.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
        guard let value = Double(text) else {
            throw JSONParseError(offset: start, reason: .invalidNumber)
        }
        return value
    }
}
