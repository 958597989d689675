import NoexWebSocket
import Testing

@Suite("UTF-8 validation")
struct UTF8ValidatorTests {
    static let valid: [[UInt8]] = [
        [],
        Array("hello world, a longer ASCII run to use the 8-byte path".utf8),
        Array("κόσμε".utf8),
        [0xC2, 0x80], [0xDF, 0xBF],                     // 2-byte range ends
        [0xE0, 0xA0, 0x80], [0xEF, 0xBF, 0xBF],         // 3-byte range ends
        [0xED, 0x9F, 0xBF],                             // U+D7FF, just below the surrogates
        [0xEE, 0x80, 0x80],                             // U+E000, just above them
        [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], // U+10000 and U+10FFFF
        Array("😀 ✓ ascii".utf8),
    ]

    static let invalid: [[UInt8]] = [
        [0x80],                          // lone continuation
        [0xBF],
        [0xC0, 0x80], [0xC1, 0xBF],      // overlong 2-byte
        [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], // overlong 3-byte
        [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], // overlong 4-byte
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], // surrogates U+D800, U+DFFF
        [0xF4, 0x90, 0x80, 0x80],        // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF],
        [0xC2],                          // truncated
        [0xE1, 0x80],
        [0xF0, 0x90, 0x80],
        [0xC2, 0x41],                    // continuation missing
        [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x80], // invalid right after an ASCII word
        Array("κόσμε".utf8) + [0xED, 0xA0, 0x80] + Array("edited".utf8),
    ]

    @Test(arguments: valid)
    func acceptsValid(_ bytes: [UInt8]) {
        #expect(UTF8Validator.isValid(bytes))
        #expect(feedSplit(bytes), "split feeds")
    }

    @Test(arguments: invalid)
    func rejectsInvalid(_ bytes: [UInt8]) {
        #expect(!UTF8Validator.isValid(bytes))
        #expect(!feedSplit(bytes), "split feeds")
    }

    /// Feeds the bytes in two pieces at every split point; returns whether all splits accept.
    func feedSplit(_ bytes: [UInt8]) -> Bool {
        var allValid = true
        var anyValid = false
        for split in 0...bytes.count {
            var validator = UTF8Validator()
            let ok = bytes.withUnsafeBytes { buffer in
                validator.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<split]))
                    && validator.feed(UnsafeRawBufferPointer(rebasing: buffer[split...]))
                    && validator.isComplete
            }
            allValid = allValid && ok
            anyValid = anyValid || ok
        }
        // Splitting must never change the verdict.
        #expect(allValid == anyValid)
        return allValid
    }

    @Test func failsFastBeforeTheMessageEnds() {
        var validator = UTF8Validator()
        let prefix: [UInt8] = [0xCE, 0xBA, 0xF4, 0x90]
        #expect(!prefix.withUnsafeBytes { validator.feed($0) })
    }

    @Test func incompleteSequenceIsNotComplete() {
        var validator = UTF8Validator()
        #expect(([0xF0, 0x9F] as [UInt8]).withUnsafeBytes { validator.feed($0) })
        #expect(!validator.isComplete)
        #expect(([0x98, 0x80] as [UInt8]).withUnsafeBytes { validator.feed($0) })
        #expect(validator.isComplete)
    }
}
