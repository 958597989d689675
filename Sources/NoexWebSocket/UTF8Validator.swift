/// An incremental UTF-8 validator (RFC 3629): feed a message in pieces, fail as soon as a byte
/// cannot start or continue a valid sequence, and check at the end that no sequence is cut off.
///
/// Surrogates (U+D800–U+DFFF), overlong forms and code points above U+10FFFF are rejected.
/// ASCII runs are checked eight bytes at a time.
public struct UTF8Validator: Sendable, Hashable {
    /// Continuation bytes still expected by the current sequence.
    private var needed: UInt8 = 0
    /// Inclusive bounds for the next continuation byte (tighter after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Creates a validator at the start of a message.
    public init() {}

    /// Whether the bytes seen so far end on a character boundary.
    public var isComplete: Bool { needed == 0 }

    /// Resets to the start of a new message.
    public mutating func reset() { self = UTF8Validator() }

    /// Validates the next piece of a message.
    /// - Parameter bytes: The next bytes.
    /// - Returns: `false` as soon as the bytes cannot be part of valid UTF-8.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        var needed = self.needed
        var lower = self.lower
        var upper = self.upper
        while index < count {
            if needed == 0 {
                // Fast path: skip ASCII eight bytes at a time.
                while index &+ 8 <= count {
                    let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    index &+= 8
                }
                if index >= count { break }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index &+= 1
                switch byte {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: needed = 1; lower = 0x80; upper = 0xBF
                case 0xE0: needed = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: needed = 2; lower = 0x80; upper = 0xBF
                case 0xED: needed = 2; lower = 0x80; upper = 0x9F
                case 0xF0: needed = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: needed = 3; lower = 0x80; upper = 0xBF
                case 0xF4: needed = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index &+= 1
                guard byte >= lower && byte <= upper else { return false }
                needed &-= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        self.needed = needed
        self.lower = lower
        self.upper = upper
        return true
    }

    /// Validates a complete message in one call.
    /// - Parameter bytes: The whole message.
    /// - Returns: Whether it is valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.feed(bytes) && validator.isComplete
    }

    /// Validates a complete message held in a collection.
    /// - Parameter bytes: The whole message.
    /// - Returns: Whether it is valid UTF-8.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        if let result = bytes.withContiguousStorageIfAvailable({ isValid(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { isValid($0) }
    }
}
