/// Reads and builds strings of at most 15 UTF-8 bytes directly in the standard library's
/// small-string representation, without a call into the runtime.
///
/// Almost every key and most string values of wire messages are that short. Even for them,
/// `String(unsafeUninitializedCapacity:initializingUTF8With:)` is an opaque call that runs
/// a closure and checks the bytes for ASCII again (it was a quarter of the time spent
/// parsing a typical request), and `utf8.withContiguousStorageIfAvailable` spills the
/// string to the stack, where the serializer's word loads then stall on store forwarding.
///
/// On 64-bit platforms a small string is two words: the first eight code units
/// (little-endian), then the next seven and a top byte holding the flags
/// `immortal | small` (`0xA0`), `ascii` (`0x40`) and the count; no other kind of string
/// has the `small` bit (`0x20`) of that byte set. That layout is part of the standard
/// library's ABI (inlinable code in every binary reads it), but instead of trusting it
/// blindly it is compared once per process against strings the standard library built
/// itself (``isLayoutVerified``); without that, callers use the public APIs.
@usableFromInline
enum SmallString {
    /// The most UTF-8 bytes a small string holds.
    @inline(__always)
    static var capacity: Int { 15 }

    /// Whether ``make(_:ascii:)`` produces exactly what the standard library would.
    ///
    /// Reading it goes through a once-only initialization check, so hot paths read it once
    /// per document or writer and pass the answer down.
    @usableFromInline
    static let isLayoutVerified: Bool = {
        #if _pointerBitWidth(_64) && _endian(little)
            guard MemoryLayout<String>.size == 16 else { return false }
            // Every length, and non-ASCII text, against the standard library's own strings.
            var samples = (0...capacity).map { String(decoding: Array("abcdefghijklmnop".utf8.prefix($0)), as: UTF8.self) }
            samples += ["é", "Zürich", "東京 😀", "123456789012€"]
            for sample in samples {
                let utf8 = Array(sample.utf8)
                let made = utf8.withUnsafeBytes { make($0, ascii: sample.utf8.allSatisfy { $0 < 0x80 }) }
                guard bits(made) == bits(sample), made == sample, Array(made.utf8) == utf8,
                    let (low, high, count) = content(of: sample), (low, high) == bits(sample), count == utf8.count
                else { return false }
            }
            // Longer strings, immortal and on the heap, must not look small.
            let literal = "a string literal longer than fifteen bytes"
            let heap = String(decoding: Array(literal.utf8), as: UTF8.self)
            return content(of: literal) == nil && content(of: heap) == nil
        #else
            return false
        #endif
    }()

    /// The two words of a string (for a small string: its bytes, flags and length).
    @inline(__always)
    static func bits(_ string: String) -> (UInt64, UInt64) {
        unsafeBitCast(string, to: (UInt64, UInt64).self)
    }

    /// The two words and the byte count of a small string, or `nil` for any other string.
    /// Call only when ``isLayoutVerified`` is true.
    @inline(__always)
    static func content(of string: String) -> (low: UInt64, high: UInt64, count: Int)? {
        let (low, high) = bits(string)
        guard high & smallFlag != 0 else { return nil }
        return (low, high, Int(truncatingIfNeeded: high &>> 56 & 0x0F))
    }

    /// The `small` bit of the second word.
    @inline(__always)
    static var smallFlag: UInt64 { 0x20 << 56 }

    /// Makes a small string from at most 15 bytes of well-formed UTF-8; `ascii` must say
    /// exactly whether they are all below 0x80.
    ///
    /// Only the buffer's own bytes are read. Call only when ``isLayoutVerified`` is true.
    @inline(__always)
    static func make(_ utf8: UnsafeRawBufferPointer, ascii: Bool) -> String {
        let count = utf8.count
        var low: UInt64 = 0
        var high: UInt64 = 0
        if let start = utf8.baseAddress {
            // Overlapping loads that cover exactly the `count` bytes; overlapped bytes are
            // equal, so OR-ing the shifted halves reassembles them.
            if count >= 8 {
                low = start.loadUnaligned(as: UInt64.self)
                if count > 8 {
                    high = start.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) &>> UInt64(8 * (16 - count))
                }
            } else if count >= 4 {
                low = UInt64(start.loadUnaligned(as: UInt32.self))
                    | UInt64(start.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) &<< UInt64(8 * (count - 4))
            } else if count >= 2 {
                low = UInt64(start.loadUnaligned(as: UInt16.self))
                    | UInt64(start.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)) &<< UInt64(8 * (count - 2))
            } else if count == 1 {
                low = UInt64(start.load(as: UInt8.self))
            }
        }
        let flags: UInt64 = ascii ? 0xE0 : 0xA0
        high |= (flags | UInt64(truncatingIfNeeded: count)) &<< 56
        return unsafeBitCast((low, high), to: String.self)
    }
}
