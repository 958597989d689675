import NoexWire
import Testing

@Suite struct JSONParserTests {
    /// Valid inputs, the value they parse to, and what `JSON.stringify(JSON.parse(input))`
    /// prints for them in JavaScript.
    static let valid: [(input: String, value: JSONValue, js: String)] = [
        ("null", nil, "null"),
        ("true", true, "true"),
        ("false", false, "false"),
        ("0", 0, "0"),
        ("-0", .number(-0.0), "0"),
        ("1", 1, "1"),
        ("-1", -1, "-1"),
        ("17", 17, "17"),
        ("1.5", 1.5, "1.5"),
        ("-1.25e-2", -0.0125, "-0.0125"),
        ("1e3", 1000, "1000"),
        ("1E3", 1000, "1000"),
        ("1e+3", 1000, "1000"),
        ("1e-3", 0.001, "0.001"),
        ("0.1", 0.1, "0.1"),
        ("0e10", 0, "0"),
        ("-0.0e-5", .number(-0.0), "0"),
        ("123456789", 123_456_789, "123456789"),
        ("9007199254740993", 9_007_199_254_740_992, "9007199254740992"),  // ties to even
        ("9007199254740995", 9_007_199_254_740_996, "9007199254740996"),
        ("12345678901234567890123", 1.2345678901234568e22, "1.2345678901234568e+22"),
        ("0.000000000000000000000000000001", 1e-30, "1e-30"),
        ("1.00000000000000011102230246251565404236316680908203125", 1, "1"),  // exact halfway: even
        ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002, "1.0000000000000002"),
        ("2.2250738585072011e-308", .number(Double.leastNormalMagnitude.nextDown), "2.225073858507201e-308"),
        ("4.9406564584124654e-324", .number(.leastNonzeroMagnitude), "5e-324"),
        ("2e-324", 0, "0"),
        ("3e-324", .number(.leastNonzeroMagnitude), "5e-324"),
        ("1.7976931348623157e308", 1.7976931348623157e308, "1.7976931348623157e+308"),
        ("1.7976931348623159e308", .number(.infinity), "null"),
        ("1e400", .number(.infinity), "null"),
        ("-1e400", .number(-.infinity), "null"),
        ("1e-400", 0, "0"),
        ("1e99999999999999999999", .number(.infinity), "null"),
        ("123e-20", 1.23e-18, "1.23e-18"),
        ("1e21", 1e21, "1e+21"),
        ("100000000000000000000", 1e20, "100000000000000000000"),
        ("\"\"", "", "\"\""),
        ("\"abc\"", "abc", "\"abc\""),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t", #""\"\\/\b\f\n\r\t""#),
        (#""\u0041\u00e9\u00E9\u65e5""#, "Aéé日", "\"Aéé日\""),
        (#""\u0000\u001F""#, "\u{0}\u{1F}", #""\u0000\u001f""#),
        ("\"é日本😀\"", "é日本😀", "\"é日本😀\""),
        (#""\ud83d\ude00""#, "😀", "\"😀\""),
        (#""\uD83D\uDE00x""#, "😀x", "\"😀x\""),
        // Lone surrogates: JS keeps them; a Swift String cannot, so they become U+FFFD.
        (#""\ud800""#, "\u{FFFD}", "\"\u{FFFD}\""),
        (#""\udc00x""#, "\u{FFFD}x", "\"\u{FFFD}x\""),
        (#""\ud800\u0041""#, "\u{FFFD}A", "\"\u{FFFD}A\""),
        (#""\ud800\ud800\udc00""#, "\u{FFFD}\u{10000}", "\"\u{FFFD}\u{10000}\""),
        (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}", "\"\u{FFFD}\u{FFFD}\""),
        ("\"\u{7F}\u{2028}\"", "\u{7F}\u{2028}", "\"\u{7F}\u{2028}\""),
        ("[]", [], "[]"),
        ("{}", [:], "{}"),
        ("[1,2,3]", [1, 2, 3], "[1,2,3]"),
        (" \t\n\r[ 1 ,\"a\" , [ ] , { } ] \n", [1, "a", [], [:]], #"[1,"a",[],{}]"#),
        (#"{"a":{"b":[null,{"c":true}]}}"#, ["a": ["b": [nil, ["c": true]]]], #"{"a":{"b":[null,{"c":true}]}}"#),
        (#"{ "b" : 1 , "a" : 2 }"#, ["b": 1, "a": 2], #"{"b":1,"a":2}"#),
        // Duplicate keys: the last value wins, in the position of the first key.
        (#"{"a":1,"b":2,"a":3}"#, ["a": 3, "b": 2], #"{"a":3,"b":2}"#),
        (#"{"a":1,"\u0061":2}"#, ["a": 2], #"{"a":2}"#),
        (#"{"":0,"":[]}"#, ["": []], #"{"":[]}"#),
        (#"{"id":17,"type":"store.get","bucket":"users","key":"user-4711"}"#,
         ["id": 17, "type": "store.get", "bucket": "users", "key": "user-4711"],
         #"{"id":17,"type":"store.get","bucket":"users","key":"user-4711"}"#),
    ]

    @Test func parsesValidInputs() throws {
        for (input, value, _) in Self.valid {
            let parsed = try JSONParser.parse(input)
            #expect(parsed == value, "\(input)")
            // The same bytes through the other two entry points.
            #expect(try JSONParser.parse(Array(input.utf8)) == value)
            let viaRaw = Array(input.utf8).withUnsafeBytes { raw in
                Result { () throws(JSONParseError) in try JSONParser.parse(raw) }
            }
            #expect(try viaRaw.get() == value)
        }
    }

    @Test func reserializesValidInputsLikeJavaScript() throws {
        for (input, _, js) in Self.valid {
            #expect(JSONSerializer.string(try JSONParser.parse(input)) == js, "\(input)")
        }
    }

    @Test func keepsNegativeZeroAndKeyOrder() throws {
        let zero = try JSONParser.parse("-0").numberValue
        #expect(zero?.sign == .minus)
        let object = try JSONParser.parse(#"{"z":1,"y":2,"x":3,"y":4}"#).objectValue
        #expect(object?.keys == ["z", "y", "x"])
        #expect(object?["y"] == 4)
    }

    @Test func duplicateKeysInLargeObjectsUseTheLastValue() throws {
        // Past the linear-scan limit the parser switches to a hash table; semantics must not change.
        var text = "{"
        for i in 0..<200 { text += "\"k\(i)\":\(i)," }
        for i in stride(from: 0, to: 200, by: 7) { text += "\"k\(i)\":\"dup\(i)\"," }
        text += #""k\u0031":"escaped"}"#
        let object = try #require(try JSONParser.parse(text).objectValue)
        #expect(object.count == 200)
        #expect(object.keys == (0..<200).map { "k\($0)" })
        #expect(object["k7"] == "dup7")
        #expect(object["k8"] == 8)
        #expect(object["k1"] == "escaped")
    }

    @Test func duplicateKeysAtEveryObjectSize() throws {
        // Covers each duplicate-detection tier: in-frame fingerprints, the shared stack, the table.
        for size in [1, 2, 15, 16, 17, 20, 31, 32, 33, 40] {
            var text = "{"
            for i in 0..<size { text += "\"key\(i)\":{\"inner\":[\(i)]}," }
            text += "\"key0\":\"first\",\"key\(size / 2)\":\"middle\",\"key\(size - 1)\":\"last\",\"extra\":true}"
            let object = try #require(try JSONParser.parse(text).objectValue)
            #expect(object.count == size + 1, "size \(size)")
            #expect(object.keys.first == "key0")
            #expect(object.keys.last == "extra")
            #expect(object["key\(size - 1)"] == "last")
            if size > 2 {
                #expect(object["key0"] == "first")
                #expect(object["key\(size / 2)"] == "middle")
                #expect(object["key1"] == ["inner": [1]])
            }
        }
    }

    @Test func nestedLargeObjectsKeepTheirOwnKeys() throws {
        // Inner objects past the in-frame fingerprints share the reader's stack with the outer one.
        func object(_ size: Int, _ value: (Int) -> String) -> String {
            "{" + (0..<size).map { "\"k\($0)\":\(value($0))" }.joined(separator: ",") + ",\"k0\":\"again\"}"
        }
        let text = object(24) { i in object(20 + i % 3) { j in "\(i * 100 + j)" } }
        let outer = try #require(try JSONParser.parse(text).objectValue)
        #expect(outer.count == 24)
        #expect(outer["k0"] == "again")
        let inner = try #require(outer["k23"]?.objectValue)
        #expect(inner.count == 20 + 23 % 3)
        #expect(inner["k0"] == "again")
        #expect(inner["k19"] == 2319)
    }

    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        // JS compares keys by code units: precomposed and decomposed "é" are different keys.
        let object = try #require(try JSONParser.parse(#"{"\u00e9":1,"e\u0301":2}"#).objectValue)
        #expect(object.count == 2)
    }

    /// Inputs `JSON.parse` rejects.
    static let invalid: [String] = [
        "", " ", "\n\t ", "nul", "tru", "fals", "nulll", "True", "NULL", "undefined",
        "NaN", "Infinity", "-Infinity", "+1", "-", "--1", "-a", "01", "-01", "00", "1.", "-1.",
        ".5", "1.e3", "1e", "1E", "1e+", "1e-", "1e+-1", "0x10", "1_000", "1,", "1 2",
        "[", "]", "[1", "[1,", "[1,]", "[,1]", "[,]", "[1 2]", "[] []", "[1]x",
        "{", "}", "{\"a\"", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\" 1}",
        "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{1:1}", "{\"a\":1]", "[1}", "['a']",
        "\"abc", "\"", "\"\\\"", "\"\\x\"", "\"\\a\"", "\"\\U0041\"", "\"\\u12\"", "\"\\u12g4\"",
        "\"\\u\"", "\"\\ud83d\\u\"", "\"\\",
        "\"a\nb\"", "\"\t\"", "\"\u{0}\"", "\"\u{1F}\"", "\"\r\"",
        "// c\n1", "/* c */1", "1 // c", "1 /* c */", "#1",
        "\u{FEFF}1", "\u{FEFF}{}", "\u{A0}1", "\u{0B}1", "\u{0C}1", "1\u{0}", "\u{0}",
        "\"a\"\"b\"", "{}{}", "[]]", "[[]", "{\"a\":{}", "'a'", "tRUE", "nan", "inf",
    ]

    @Test func rejectsMalformedInputs() {
        for input in Self.invalid {
            #expect(throws: JSONParseError.self, "\(input.debugDescription)") {
                try JSONParser.parse(input)
            }
        }
    }

    /// Byte sequences that are not well-formed UTF-8, inside and outside strings.
    static let invalidUTF8: [[UInt8]] = [
        [0x22, 0xFF, 0x22],
        [0x22, 0xFE, 0x22],
        [0x22, 0x80, 0x22],  // lone continuation byte
        [0x22, 0xC3, 0x22],  // truncated two-byte sequence
        [0x22, 0xC3],
        [0x22, 0xE2, 0x82, 0x22],  // truncated three-byte sequence
        [0x22, 0xF0, 0x9F, 0x98, 0x22],  // truncated four-byte sequence
        [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
        [0x22, 0xC1, 0xBF, 0x22],  // overlong U+007F
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong three-byte
        [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],  // overlong four-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800 (CESU-8)
        [0x22, 0xED, 0xBF, 0xBF, 0x22],  // encoded surrogate U+DFFF
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22],  // five-byte form
        [0x22, 0xC3, 0x5C, 0x75, 0x30, 0x30, 0x41, 0x39, 0x22],  // truncated lead, then \u00A9
        [0x22, 0x5C, 0x75, 0x30, 0x30, 0x41, 0x39, 0xA9, 0x22],  // \u00A9, then a stray continuation
        [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // \n, then an invalid byte
        [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D],  // invalid key
        [0x7B, 0x22, 0x61, 0x5C, 0x6E, 0xC3, 0x22, 0x3A, 0x31, 0x7D],  // invalid escaped key
        [0xC3, 0xA9],  // valid UTF-8 but not a JSON value
        [0xEF, 0xBB, 0xBF, 0x31],  // byte-order mark
        [0xFF],
        [0x5B, 0x31, 0x2C, 0x80, 0x5D],
    ]

    @Test func rejectsInvalidUTF8() {
        for bytes in Self.invalidUTF8 {
            #expect(throws: JSONParseError.self, "\(bytes)") { try JSONParser.parse(bytes) }
        }
    }

    @Test func rejectsEveryTruncation() throws {
        let documents = [
            #"{"id":17,"type":"store.get","bucket":"users","key":"user-4711"}"#,
            #"[1,-2.5e-3,"x\u00e9\ud83d\ude00",true,false,null,{"b":[{}]}]"#,
            #"{"a" : [ 1 , { "b" : "c\"d" } ] , "e" : -0.5E+10 }"#,
            #""esc\\aped \" \/ \b \f \n \r \t \u0041""#,
            "\"é日本😀\"",
            "true", "false", "null",
        ]
        for document in documents {
            let bytes = Array(document.utf8)
            _ = try JSONParser.parse(bytes)
            for length in 0..<bytes.count {
                #expect(throws: JSONParseError.self, "\(document) cut at \(length)") {
                    try JSONParser.parse(Array(bytes[0..<length]))
                }
            }
        }
    }

    @Test func limitsNestingDepth() throws {
        let limit = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try JSONParser.parse(deepest)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError(offset: limit, reason: .nestingTooDeep)) { try JSONParser.parse(tooDeep) }
        let deepestObjects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        let parsed = try JSONParser.parse(deepestObjects)
        #expect(JSONSerializer.string(parsed) == deepestObjects)
        let objects = String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
        // Far beyond the limit, unterminated: an error, not a stack overflow.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[", count: 200_000)) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[{\"a\":", count: 50_000)) }
    }

    @Test func reportsOffsetsAndReasons() {
        let cases: [(String, JSONParseError)] = [
            ("", JSONParseError(offset: 0, reason: .unexpectedEndOfInput)),
            ("[1,]", JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "]")))),
            ("01", JSONParseError(offset: 1, reason: .invalidNumber)),
            ("1.x", JSONParseError(offset: 2, reason: .invalidNumber)),
            ("\"a\u{1}\"", JSONParseError(offset: 2, reason: .controlCharacterInString)),
            (#""\q""#, JSONParseError(offset: 1, reason: .invalidEscape)),
            (#""\u00G0""#, JSONParseError(offset: 5, reason: .invalidUnicodeEscape)),
            ("1 x", JSONParseError(offset: 2, reason: .trailingCharacters)),
            ("[1", JSONParseError(offset: 2, reason: .unexpectedEndOfInput)),
        ]
        for (input, error) in cases {
            #expect(throws: error, "\(input.debugDescription)") { try JSONParser.parse(input) }
        }
        // Invalid UTF-8 is reported at the bad sequence (at the string start if it has escapes).
        #expect(throws: JSONParseError(offset: 1, reason: .invalidUTF8)) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError(offset: 5, reason: .invalidUTF8)) {
            try JSONParser.parse([0x5B, 0x22, 0x61, 0xC3, 0xA9, 0xE2, 0x82, 0x22, 0x5D])
        }
        #expect(throws: JSONParseError(offset: 2, reason: .invalidUTF8)) {
            try JSONParser.parse([0x5B, 0x22, 0x5C, 0x6E, 0xC0, 0xAF, 0x22, 0x5D])
        }
        #expect(JSONParseError(offset: 3, reason: .unexpectedByte(0x7D)).description == "Unexpected character '}' at position 3")
    }

    @Test func emptyBufferIsAnError() {
        #expect(throws: JSONParseError(offset: 0, reason: .unexpectedEndOfInput)) {
            try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}
