@testable import NoexServer
import NoexWire
import Testing

/// `{{ }}` references and `if` refs (spec-identity §6.3).
@Suite struct ProcedureScopeTests {
    let scope = ProcedureScope(
        input: ["orderId": "o-1", "x": 42, "nested": ["deep": ["value": true]], "none": nil],
        results: [
            "order": ["id": "o-1", "total": 150.5, "tags": ["a", "b"], "owner": nil],
            "items": [["price": 100], ["price": 50]],
            "total": 150,
            "missing": nil,
            "name": "Ada",
        ])

    @Test func refsReadInputAndResults() {
        #expect(scope.resolve(ref: "input.orderId") == "o-1")
        #expect(scope.resolve(ref: "input.nested.deep.value") == true)
        #expect(scope.resolve(ref: "input") == .object(scope.input))
        #expect(scope.resolve(ref: "total") == 150)
        #expect(scope.resolve(ref: "order.total") == 150.5)
        #expect(scope.resolve(ref: "items.length") == 2)
        #expect(scope.resolve(ref: "order.tags.length") == 2)
        #expect(scope.resolve(ref: "items.1.price") == 50)
        #expect(scope.resolve(ref: "missing") == .null)
    }

    @Test func missingOrNullLinksAreUndefined() {
        #expect(scope.resolve(ref: "unknown") == nil)
        #expect(scope.resolve(ref: "unknown.a") == nil)
        #expect(scope.resolve(ref: "missing.a") == nil)
        #expect(scope.resolve(ref: "order.owner.name") == nil)
        #expect(scope.resolve(ref: "input.none.a") == nil)
        #expect(scope.resolve(ref: "input.absent") == nil)
        #expect(scope.resolve(ref: "items.9") == nil)
        #expect(scope.resolve(ref: "items.01") == nil)
        // Strings are not objects: no `length`, no members.
        #expect(scope.resolve(ref: "name.length") == nil)
        #expect(scope.resolve(ref: "total.x") == nil)
    }

    @Test func exactTemplateKeepsTheRawValue() {
        #expect(scope.resolve("{{ input.x }}") == 42)
        #expect(scope.resolve("{{input.x}}") == 42)
        #expect(scope.resolve("{{   order   }}") == scope.results["order"])
        #expect(scope.resolve("{{ items }}") == scope.results["items"])
        #expect(scope.resolve("{{ missing }}") == .null)
        #expect(scope.resolve("{{ nothing }}") == nil)
    }

    @Test func mixedStringsInterpolate() {
        #expect(scope.resolve("Order {{ input.orderId }} costs {{ order.total }}") == "Order o-1 costs 150.5")
        #expect(scope.resolve("[{{ nothing }}|{{ missing }}]") == "[|]")
        #expect(scope.resolve("tags={{ order.tags }} flag={{ input.nested.deep.value }}") == #"tags=["a","b"] flag=true"#)
        #expect(scope.resolve("o: {{ items.0 }}") == #"o: {"price":100}"#)
        #expect(scope.resolve(" {{ total }}") == " 150")
    }

    @Test func textThatIsNotATemplateStays() {
        #expect(scope.resolve("plain") == "plain")
        #expect(scope.resolve("{{}}") == "{{}}")
        #expect(scope.resolve("{{ total }") == "{{ total }")
        #expect(scope.resolve("{ total }}") == "{ total }}")
        #expect(scope.resolve("{{ a } b }}") == "{{ a } b }}")
    }

    @Test func resolutionIsRecursiveAndLeavesNonStrings() {
        let value: JSONValue = [
            "id": "{{ input.orderId }}", "n": 5, "flag": false, "none": nil,
            "list": ["{{ total }}", "{{ nothing }}", 1],
            "deep": ["label": "#{{ input.x }}", "gone": "{{ nothing }}"],
        ]
        #expect(
            scope.resolve(value) == [
                "id": "o-1", "n": 5, "flag": false, "none": nil,
                "list": [150, nil, 1],
                "deep": ["label": "#42"],
            ])
    }

    @Test func templateMatcherFindsEveryOccurrence() {
        let matches = TemplateMatch.all(in: "a{{ x }}b{{y}}{{{z}}")
        #expect(matches.map(\.trimmedPath) == ["x", "y", "{z"])
        #expect(TemplateMatch.all(in: "{{ }}").first?.exactPath == " ")
        #expect(TemplateMatch.all(in: "{{ }}").first?.trimmedPath == "")
    }
}
