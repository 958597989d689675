extension JSONSerializer {
    /// The longest number text: `-1.7976931348623157e+308` is 24 bytes, plain decimals up
    /// to 1e21 with a sign at most 26 (`-0.0000012345678901234567`).
    @usableFromInline static let maxNumberLength = 32

    /// The most bytes ``write(number:to:)`` writes.
    public static var maximumNumberLength: Int { maxNumberLength }

    /// Writes a number as JSON text (as `JSON.stringify` does; NaN and infinities as `null`)
    /// straight into memory, for callers that assemble messages without an array.
    /// - Parameters:
    ///   - number: The number.
    ///   - out: Room for at least ``maximumNumberLength`` bytes.
    /// - Returns: The number of bytes written.
    public static func write(number: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        writeNumber(number, to: out)
    }

    /// Appends a number exactly as JavaScript's `JSON.stringify` writes it.
    /// - Parameter leading: a byte written first (`,`), or 0 for none.
    @usableFromInline
    static func appendNumber(_ value: Double, to buffer: inout [UInt8], leading: UInt8 = 0) {
        withSpareCapacity(&buffer, maxNumberLength + 1) { out in
            var o = 0
            if leading != 0 {
                out[o] = leading
                o += 1
            }
            return o + writeNumber(value, to: out + o)
        }
    }

    /// Appends the decimal digits of an integer.
    /// - Parameter leading: a byte written first (`,`), or 0 for none.
    @usableFromInline
    static func appendInteger(_ value: Int64, to buffer: inout [UInt8], leading: UInt8 = 0) {
        withSpareCapacity(&buffer, 21) { out in
            var o = 0
            if leading != 0 {
                out[o] = leading
                o += 1
            }
            return o + writeInteger(value, to: out + o)
        }
    }

    /// Writes a number per ECMAScript `Number::toString` (NaN and infinities as `null`);
    /// returns the bytes written (at most `maxNumberLength`).
    static func writeNumber(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else {
            let null: StaticString = "null"
            out.update(from: null.utf8Start, count: 4)
            return 4
        }
        // Integers below 2^53 print as themselves (this also turns -0 into "0"). An exact
        // conversion test instead of `rounded()`: no libm call on the hot path.
        if value.magnitude < 9_007_199_254_740_992 {
            let integer = Int64(value)
            if Double(integer) == value { return writeInteger(integer, to: out) }
        }
        return writeShortest(value, to: out)
    }

    /// Writes the decimal digits of an integer; returns the bytes written (at most 20).
    static func writeInteger(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        if value < 0 {
            out[0] = UInt8(ascii: "-")
            o = 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20 && magnitude >= scale {
            digits += 1
            scale &*= 10
        }
        var i = o + digits
        repeat {
            i -= 1
            out[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        return o + digits
    }

    /// Writes a finite number that is not a small integer per ECMAScript `Number::toString`:
    /// find the shortest decimal digits `d1...dk` and exponent `n` with value = 0.d1...dk × 10^n
    /// that round-trip (the closest such when several do), then lay them out.
    static func writeShortest(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        if value < 0 {
            out[0] = UInt8(ascii: "-")
            o = 1
        }
        let magnitude = value.magnitude
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
            guard let digits = scratch.baseAddress else { return o }
            var k = 0
            var n = 0
            if let (scaled, fractionDigits) = shortFraction(magnitude) {
                // `scaled` has no leading zeros, and no trailing ones: `p - 1` would have matched.
                k = writeInteger(Int64(scaled), to: digits)
                n = k - fractionDigits
            } else {
                (k, n) = shortestFromDescription(magnitude, into: digits)
            }
            return o + layout(digits: digits, count: k, exponent: n, to: out + o)
        }
    }

    /// The fast path for "few decimals" numbers such as `98.5` or `0.125`: the smallest
    /// `p` (1 to 9) for which an integer `m` has `m / 10^p` round to `magnitude`.
    ///
    /// The division is correctly rounded (both operands exact), so it is exactly the
    /// round-trip test. Keeping `m` below 2^50 makes `m` the only candidate with `p`
    /// fraction digits (a double's spacing there is at most 1/4), so it is also the closest
    /// one, and the smallest `p` gives the fewest significant digits, as ECMAScript requires.
    @inline(__always)
    static func shortFraction(_ magnitude: Double) -> (UInt64, Int)? {
        var p = 1
        while p <= 9 {
            let scaled = magnitude * exactPowersOfTen[p]
            guard scaled < 1_125_899_906_842_624 else { return nil }  // 2^50
            // `scaled + 0.5` is exact below 2^50, so truncation rounds to nearest.
            let candidate = UInt64(scaled + 0.5)
            if Double(candidate) / exactPowersOfTen[p] == magnitude { return (candidate, p) }
            p += 1
        }
        return nil
    }

    /// The general path: the standard library's `description` already yields the shortest
    /// digits that round-trip, choosing the closest candidate as ECMAScript requires; only
    /// its layout differs (`1e-07`, `1e+16`, `100.0`), so the digits and the decimal exponent
    /// are extracted from it. Returns (digit count, n).
    static func shortestFromDescription(_ magnitude: Double, into digits: UnsafeMutablePointer<UInt8>) -> (Int, Int) {
        let text = magnitude.description
        var k = 0  // significant digits kept
        var seen = 0  // mantissa digits read, including leading zeros
        var pointPosition = -1
        var leadingZeros = 0
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in text.utf8 {
            if inExponent {
                if byte == UInt8(ascii: "-") {
                    exponentNegative = true
                } else if byte != UInt8(ascii: "+") {
                    exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "."):
                pointPosition = seen
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            default:
                seen += 1
                if k == 0 && byte == UInt8(ascii: "0") {
                    leadingZeros += 1
                } else if k < 17 {  // a double never needs more than 17 significant digits
                    digits[k] = byte
                    k += 1
                }
            }
        }
        if pointPosition < 0 { pointPosition = seen }
        if exponentNegative { exponent = -exponent }
        while k > 1 && digits[k - 1] == UInt8(ascii: "0") { k -= 1 }
        return (k, pointPosition + exponent - leadingZeros)
    }

    /// Lays out digits `d1...dk` of value 0.d1...dk × 10^n as ECMAScript `Number::toString`
    /// does; returns the bytes written.
    static func layout(digits: UnsafeMutablePointer<UInt8>, count k: Int, exponent n: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        if k <= n && n <= 21 {
            out.update(from: digits, count: k)
            o = k
            for _ in 0..<(n - k) {
                out[o] = UInt8(ascii: "0")
                o += 1
            }
        } else if 0 < n && n <= 21 {
            out.update(from: digits, count: n)
            out[n] = UInt8(ascii: ".")
            (out + n + 1).update(from: digits + n, count: k - n)
            o = k + 1
        } else if -6 < n && n <= 0 {
            out[0] = UInt8(ascii: "0")
            out[1] = UInt8(ascii: ".")
            o = 2
            for _ in 0..<(-n) {
                out[o] = UInt8(ascii: "0")
                o += 1
            }
            (out + o).update(from: digits, count: k)
            o += k
        } else {
            out[0] = digits[0]
            o = 1
            if k > 1 {
                out[1] = UInt8(ascii: ".")
                (out + 2).update(from: digits + 1, count: k - 1)
                o = k + 1
            }
            out[o] = UInt8(ascii: "e")
            let e = n - 1
            out[o + 1] = e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            o += 2
            o += writeInteger(Int64(e.magnitude), to: out + o)
        }
        return o
    }
}
