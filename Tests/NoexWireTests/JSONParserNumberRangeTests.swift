import NoexWire
import Testing

/// ``JSONParser/parse(_:numbersOutOfRange:)``: numbers a `Double` cannot hold are reported
/// instead of silently becoming infinity (and `null` on the way out) (issue 14, item 7).
@Suite struct JSONParserNumberRangeTests {
    private func check(_ text: String) throws -> (value: JSONValue, outOfRange: Bool) {
        var outOfRange = false
        let value = try Array(text.utf8).withUnsafeBytes { raw throws(JSONParseError) in
            try JSONParser.parse(raw, numbersOutOfRange: &outOfRange)
        }
        return (value, outOfRange)
    }

    @Test(arguments: ["1e400", "-1e400", "[1, {\"a\": 1e309}]", "2" + String(repeating: "0", count: 309)])
    func overflowingLiteralsAreReported(text: String) throws {
        #expect(try check(text).outOfRange)
    }

    @Test(arguments: ["0", "-0", "1e308", "-1.7976931348623157e308", "1e-400", "5e-324", "123456789012345678901234567890", "[1, 2.5, {\"a\": -3}]", "\"1e400\""])
    func inRangeLiteralsAreNot(text: String) throws {
        #expect(try !check(text).outOfRange)
    }

    @Test func aHundredThousandDigitsAreReportedWithoutConversion() throws {
        let huge = String(repeating: "9", count: 100_000)
        let (value, outOfRange) = try check("{\"value\": \(huge)}")
        #expect(outOfRange)
        #expect(value["value"] == .number(.infinity))
        // The plain parser keeps JavaScript's answer.
        #expect(try JSONParser.parse(huge) == .number(.infinity))
    }

    @Test func theLiteralLengthBoundAtAndPastItsValue() throws {
        let limit = JSONParser.maximumNumberLength
        let atBound = "0." + String(repeating: "5", count: limit - 2)
        let (value, outOfRange) = try check(atBound)
        #expect(!outOfRange)
        #expect(value.numberValue.map { abs($0 - 0.5555555555555556) < 1e-15 } == true)
        #expect(try check(atBound + "5").outOfRange)
        // Without the check a long in-range literal is converted as before.
        #expect(try JSONParser.parse(atBound + "5").numberValue.map { abs($0 - 0.5555555555555556) < 1e-15 } == true)
    }
}
