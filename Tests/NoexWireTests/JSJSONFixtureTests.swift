import NoexWire
import Testing

/// Checks against outputs recorded from Node's JSON.parse / JSON.stringify
/// (`Fixtures/make-js-fixtures.js`), independent of the hand-written tables.
@Suite struct JSJSONFixtureTests {
    @Test func stringifyMatchesNode() {
        for (bits, expected) in JSJSONFixtures.stringify {
            let value = Double(bitPattern: bits)
            #expect(JSONSerializer.string(.number(value)) == expected, "\(value)")
        }
    }

    @Test func parseRoundsLikeNode() throws {
        for (literal, bits) in JSJSONFixtures.parse {
            let parsed = try #require(try JSONParser.parse(literal).numberValue)
            #expect(parsed.bitPattern == bits, "\(literal)")
        }
    }
}
