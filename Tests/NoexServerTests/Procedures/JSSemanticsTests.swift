@testable import NoexServer
import NoexWire
import Testing

/// The JavaScript value rules the reference's steps rely on.
@Suite struct JSSemanticsTests {
    @Test func stringForms() {
        #expect(JSSemantics.string(42) == "42")
        #expect(JSSemantics.string(1.5) == "1.5")
        #expect(JSSemantics.string(-0.25) == "-0.25")
        #expect(JSSemantics.string(1e21) == "1e+21")
        #expect(JSSemantics.string(0.000001) == "0.000001")
        #expect(JSSemantics.string(1e-7) == "1e-7")
        #expect(JSSemantics.string([1, nil, "a", [2, 3]]) == "1,,a,2,3")
        #expect(JSSemantics.string(["a": 1]) == "[object Object]")
        #expect(JSSemantics.interpolation(nil) == "")
        #expect(JSSemantics.interpolation(.null) == "")
        #expect(JSSemantics.interpolation(["a": [1, "x"]]) == #"{"a":[1,"x"]}"#)
        #expect(JSSemantics.interpolation(false) == "false")
        // JSON.stringify's escaping: non-ASCII and `/` stay, control characters are escaped.
        #expect(JSSemantics.interpolation(["s": "é/\n\u{1}\""]) == #"{"s":"é/\n\u0001\""}"#)
    }

    @Test func toNumber() {
        #expect(JSSemantics.number(nil).isNaN)
        #expect(JSSemantics.number(.null) == 0)
        #expect(JSSemantics.number(true) == 1)
        #expect(JSSemantics.number("  12.5 ") == 12.5)
        #expect(JSSemantics.number("") == 0)
        #expect(JSSemantics.number("0x1F") == 31)
        #expect(JSSemantics.number("-Infinity") == -.infinity)
        #expect(JSSemantics.number("inf").isNaN)
        #expect(JSSemantics.number("12px").isNaN)
        #expect(JSSemantics.number([7]) == 7)
        #expect(JSSemantics.number(["a": 1]).isNaN)
    }

    @Test func relationalComparison() {
        #expect(JSSemantics.lessThan("B", "a") == true)  // code units: uppercase first
        #expect(JSSemantics.lessThan("abc", "abd") == true)
        #expect(JSSemantics.lessThan("ab", "a") == false)
        #expect(JSSemantics.lessThan(2, "10") == true)
        #expect(JSSemantics.lessThan("x", 1) == nil)
        #expect(JSSemantics.lessThan(nil, 1) == nil)
        #expect(JSSemantics.lessThan(.null, 1) == true)
        #expect(JSSemantics.lessThan([2], [10]) == false)  // both become strings: "2" > "10"
    }

    @Test func memberLookup() {
        #expect(JSSemantics.member(of: ["a": 1], named: "a") == 1)
        #expect(JSSemantics.member(of: [5, 6], named: "1") == 6)
        #expect(JSSemantics.member(of: [5, 6], named: "length") == 2)
        #expect(JSSemantics.member(of: [5, 6], named: "-1") == nil)
        #expect(JSSemantics.member(of: "text", named: "length") == nil)
        #expect(JSSemantics.member(of: nil, named: "a") == nil)
    }
}
