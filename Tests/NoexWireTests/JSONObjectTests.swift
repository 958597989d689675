import NoexWire
import Testing

@Suite struct JSONObjectTests {
    @Test func keepsInsertionOrderAndReplacesInPlace() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = 4
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == 4)
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object.removeValue(forKey: "missing") == nil)
    }

    @Test func equalityAndHashIgnoreMemberOrder() {
        let lhs: JSONObject = ["x": 1, "y": [true, nil]]
        let rhs: JSONObject = ["y": [true, nil], "x": 1]
        #expect(lhs == rhs)
        #expect(lhs.hashValue == rhs.hashValue)
        #expect(lhs != ["x": 1])
        #expect(lhs != ["x": 1, "y": [true, false]])
    }

    @Test func duplicateLiteralKeysKeepTheLastValue() {
        let object = JSONObject([("k", 1), ("k", 2)])
        #expect(object.count == 1)
        #expect(object["k"] == 2)
    }

    @Test func integerValueRejectsFractionsAndNonNumbers() {
        #expect(JSONValue.number(3).integerValue == 3)
        #expect(JSONValue.number(3.5).integerValue == nil)
        #expect(JSONValue.number(.infinity).integerValue == nil)
        #expect(JSONValue.string("3").integerValue == nil)
    }
}
