@testable import NoexWire
import Testing

/// The small-string paths of the parser and the serializer (strings of at most 15 UTF-8
/// bytes built and read as two words): every length around that limit, ASCII and not,
/// escaped and raw, must give exactly the strings the standard library would build.
@Suite struct SmallStringTests {
    /// Strings of 0 to 20 bytes: ASCII, ending in a two-byte character, and a four-byte one.
    static let samples: [String] = (0...20).flatMap { length -> [String] in
        let ascii = String(repeating: "k", count: length)
        var result = [ascii]
        if length >= 2 { result.append(String(repeating: "x", count: length - 2) + "é") }
        if length >= 4 { result.append("😀" + String(repeating: "y", count: length - 4)) }
        return result
    }

    /// The JSON escape form of every character of `string` (`\uXXXX`, pairs above U+FFFF).
    static func fullyEscaped(_ string: String) -> String {
        string.utf16.map { unit in
            let hex = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }.joined()
    }

    @Test func layoutIsVerifiedOnSixtyFourBitPlatforms() {
        #if _pointerBitWidth(_64) && _endian(little)
            #expect(SmallString.isLayoutVerified)
        #endif
    }

    @Test func parsedStringsEqualStandardLibraryStrings() throws {
        for sample in Self.samples {
            let reference = String(decoding: Array(sample.utf8), as: UTF8.self)
            for text in ["\"\(sample)\"", "\"\(Self.fullyEscaped(sample))\""] {
                guard case .string(let parsed) = try JSONParser.parse(text) else {
                    Issue.record("not a string: \(text)")
                    continue
                }
                #expect(parsed == reference)
                #expect(Array(parsed.utf8) == Array(sample.utf8))
                #expect(parsed.utf8.count == sample.utf8.count)
                #expect(parsed.count == reference.count)
                #expect(parsed.hashValue == reference.hashValue)
                #expect(Set([parsed, reference]).count == 1)
                // A parsed string is an ordinary value: it grows and compares like any other.
                var grown = parsed
                grown += "!"
                #expect(grown == reference + "!")
            }
        }
    }

    @Test func smallKeysFindDuplicatesAcrossEscapes() throws {
        for sample in Self.samples {
            let escaped = Self.fullyEscaped(sample)
            let text = #"{"\#(sample)":1,"other":2,"\#(escaped)":3}"#
            let object = try #require(try JSONParser.parse(text).objectValue)
            #expect(object.keys == [sample, "other"])
            #expect(object[sample] == 3)
        }
        // Keys that differ only in their second word, or only in length, stay apart.
        let keys = ["abcdefgh1", "abcdefgh2", "abcdefghijklmn1", "abcdefghijklmn2", "abcdefghijklmn12", "a", "a\u{0}"]
        let text = "{" + keys.enumerated().map { "\(JSONSerializerTests.referenceQuoted($1)):\($0)" }
            .joined(separator: ",") + "}"
        let object = try #require(try JSONParser.parse(text).objectValue)
        #expect(object.keys == keys)
    }

    @Test func writerEmitsSmallStringsWithSeparators() {
        for sample in Self.samples + ["ab\"c", "tab\there", "back\\slash", "\u{1F}"] {
            var writer = JSONWriter()
            writer.beginObject()
            writer.member(sample, sample)
            writer.member("n", 1)
            writer.key(sample)
            writer.string(sample)
            writer.endObject()
            let quoted = JSONSerializerTests.referenceQuoted(sample)
            let expected = "{\(quoted):\(quoted),\"n\":1,\(quoted):\(quoted)}"
            #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        }
    }
}
