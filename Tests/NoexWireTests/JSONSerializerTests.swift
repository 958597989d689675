import NoexWire
import Testing

@Suite struct JSONSerializerTests {
    /// Expected strings follow ECMAScript Number::toString: shortest round-trip digits,
    /// plain decimal for 1e-7 < |x| < 1e21, exponential (`e+`/`e-`) outside.
    static let numbers: [(Double, String)] = [
        (0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (-1, "-1"),
        (17, "17"),
        (0.1, "0.1"),
        (0.5, "0.5"),
        (-1.5, "-1.5"),
        (100.25, "100.25"),
        (4.35, "4.35"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.0 / 3.0, "0.3333333333333333"),
        (Double.pi, "3.141592653589793"),
        (123456.789, "123456.789"),
        (123456789.12345679, "123456789.12345679"),
        (1e15 + 0.5, "1000000000000000.5"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (1.2345678901234568e20, "123456789012345680000"),
        (9.999999999999999e20, "999999999999999900000"),
        (12_345_678_901_234_567_168, "12345678901234567000"),
        (1e21, "1e+21"),
        (1e100, "1e+100"),
        (1.5e300, "1.5e+300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9_007_199_254_740_992, "9007199254740992"),  // 2^53
        (9_007_199_254_740_994, "9007199254740994"),  // 2^53 + 2
        (-9_007_199_254_740_994, "-9007199254740994"),
        (1_152_921_504_606_846_976, "1152921504606847000"),  // 2^60
        (-9_223_372_036_854_775_808, "-9223372036854776000"),  // -2^63
        (0.00001, "0.00001"),
        (0.000025, "0.000025"),
        (0.000001, "0.000001"),
        (0.000001234, "0.000001234"),
        (1.1e-6, "0.0000011"),
        (1e-7, "1e-7"),
        (5e-7, "5e-7"),
        (1.5e-7, "1.5e-7"),
        (123e-20, "1.23e-18"),
        (-1e-100, "-1e-100"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (.leastNonzeroMagnitude, "5e-324"),
        (3 * .leastNonzeroMagnitude, "1.5e-323"),
        (.nan, "null"),
        (.infinity, "null"),
        (-.infinity, "null"),
    ]

    @Test func numbersMatchJavaScript() {
        for (value, expected) in Self.numbers {
            #expect(JSONSerializer.string(.number(value)) == expected, "\(value)")
        }
    }

    @Test func stringsAreEscapedLikeJavaScript() {
        let cases: [(String, String)] = [
            ("", #""""#),
            ("plain", #""plain""#),
            ("quote\"backslash\\slash/", #""quote\"backslash\\slash/""#),
            ("\u{8}\u{C}\n\r\t", #""\b\f\n\r\t""#),
            ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
            ("\u{1B}[0m", #""\u001b[0m""#),
            ("\u{7F}\u{80}", "\"\u{7F}\u{80}\""),  // DEL and C1 controls are not escaped
            ("\u{2028}\u{2029}", "\"\u{2028}\u{2029}\""),  // nor are the JS line separators
            ("é日本😀", "\"é日本😀\""),
            ("a\u{0}b\"c", #""a\u0000b\"c""#),
        ]
        for (input, expected) in cases {
            #expect(JSONSerializer.string(.string(input)) == expected)
        }
    }

    /// A plain reference escaper, one scalar at a time.
    static func referenceQuoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Special bytes at every position of strings around the 8-byte word boundaries used by
    /// the word-at-a-time scanners, through the serializer and back through the parser.
    @Test func specialCharactersAtEveryPosition() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\u{1}", "\u{1F}", "é", "😀", "\u{7F}", " "]
        for length in 1..<26 {
            for position in 0..<length {
                for special in specials {
                    var characters = Array(repeating: Character("a"), count: length)
                    characters[position] = special
                    let string = String(characters)
                    let text = JSONSerializer.string(.string(string))
                    #expect(text == Self.referenceQuoted(string))
                    #expect(try JSONParser.parse(text) == .string(string))
                    // The same string as an object key, where the parser also fingerprints it.
                    #expect(try JSONParser.parse("{\(text):1}") == .object([string: 1]))
                }
            }
        }
    }

    @Test func containersKeepOrderAndAreCompact() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = [true, false, nil, "x", [], [:]]
        object["m"] = ["k\n": -0.5]
        #expect(JSONSerializer.string(.object(object)) == #"{"z":1,"a":[true,false,null,"x",[],{}],"m":{"k\n":-0.5}}"#)
        #expect(JSONSerializer.string([]) == "[]")
        #expect(JSONSerializer.string([:]) == "{}")
        #expect(JSONSerializer.string(nil) == "null")
    }

    @Test func serializeIntoAppends() {
        var buffer = Array("prefix:".utf8)
        JSONSerializer.serialize(["a": [1, 2.5]], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"a":[1,2.5]}"#)
        #expect(JSONSerializer.serialize("x") == Array(#""x""#.utf8))
    }
}
