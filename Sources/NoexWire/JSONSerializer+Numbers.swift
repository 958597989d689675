extension JSONSerializer {
    /// Appends a number exactly as JavaScript's `JSON.stringify` writes it.
    @usableFromInline
    static func appendNumber(_ value: Double, to buffer: inout [UInt8]) {
        guard value.isFinite else {
            appendASCII("null", to: &buffer)
            return
        }
        // Integers below 2^53 print as themselves (this also turns -0 into "0").
        if value.magnitude < 9_007_199_254_740_992, value.rounded(.towardZero) == value {
            appendInteger(Int64(value), to: &buffer)
            return
        }
        appendShortest(value, to: &buffer)
    }

    /// Appends the decimal digits of an integer.
    @usableFromInline
    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    /// Appends a finite non-integer (or huge) number per ECMAScript `Number::toString`.
    ///
    /// The standard library's `description` already yields the shortest digits that round-trip,
    /// choosing the closest candidate as ECMAScript requires; only its layout differs
    /// (`1e-07`, `1e+16`, `100.0`), so the digits and the decimal exponent are extracted and
    /// laid out again.
    static func appendShortest(_ value: Double, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let text = value.magnitude.description
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
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
                    } else if k < 32 {
                        digits[k] = byte
                        k += 1
                    }
                }
            }
            if pointPosition < 0 { pointPosition = seen }
            if exponentNegative { exponent = -exponent }
            while k > 1 && digits[k - 1] == UInt8(ascii: "0") { k -= 1 }
            // value = 0.d1d2...dk × 10^n
            let n = pointPosition + exponent - leadingZeros
            let digitRun = UnsafeBufferPointer(rebasing: digits[0..<k])

            if k <= n && n <= 21 {
                buffer.append(contentsOf: digitRun)
                for _ in 0..<(n - k) { buffer.append(UInt8(ascii: "0")) }
            } else if 0 < n && n <= 21 {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<n]))
                buffer.append(UInt8(ascii: "."))
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n..<k]))
            } else if -6 < n && n <= 0 {
                buffer.append(UInt8(ascii: "0"))
                buffer.append(UInt8(ascii: "."))
                for _ in 0..<(-n) { buffer.append(UInt8(ascii: "0")) }
                buffer.append(contentsOf: digitRun)
            } else {
                buffer.append(digits[0])
                if k > 1 {
                    buffer.append(UInt8(ascii: "."))
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1..<k]))
                }
                buffer.append(UInt8(ascii: "e"))
                let e = n - 1
                buffer.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                appendInteger(Int64(e.magnitude), to: &buffer)
            }
        }
    }
}
