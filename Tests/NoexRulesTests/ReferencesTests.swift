@testable import NoexRules
import NoexWire
import Testing

@Suite struct ReferencesTests {
    private let context = ExecutionContext(
        triggerData: ["order": ["id": 7, "items": ["a", "b"]], "n": 1.5, "big": 1e21],
        matchedData: [["x": 1], ["x": 2]], variables: ["item": ["name": "pen"], "item_index": 3],
        lookups: ["rate": ["eur": 0.9]], correlationId: nil, depth: 0, budget: ChainBudget(100))
    private let facts: (String) -> JSONValue? = { key in key == "stock:7" ? 12 : nil }

    @Test func everySourceResolves() throws {
        #expect(try References.resolve("event.order.id", context, facts: facts) == 7)
        #expect(try References.resolve("trigger.order.items.1", context, facts: facts) == "b")
        #expect(try References.resolve("event.order.items.length", context, facts: facts) == 2)
        #expect(try References.resolve("event", context, facts: facts)?["n"] == 1.5)
        #expect(try References.resolve("fact.stock:${event.order.id}", context, facts: facts) == 12)
        #expect(try References.resolve("var.item.name", context, facts: facts) == "pen")
        #expect(try References.resolve("lookup.rate.eur", context, facts: facts) == 0.9)
        #expect(try References.resolve("matched.1.x", context, facts: facts) == 2)
        #expect(try References.resolve("matched.0", context, facts: facts) == ["x": 1])
        #expect(try References.resolve("matched.5.x", context, facts: facts) == nil)
        #expect(try References.resolve("event.missing.deep", context, facts: facts) == nil)
        #expect(throws: ActionFailure.self) { try References.resolve("env.HOME", context, facts: facts) }
    }

    @Test func templatesUseJavaScriptStringConversion() throws {
        #expect(try References.interpolate("id=${event.order.id} n=${event.n}", context, facts: facts) == "id=7 n=1.5")
        #expect(try References.interpolate("${ var.item_index }/${event.order.items}", context, facts: facts) == "3/a,b")
        #expect(try References.interpolate("${event.order}|${event.none}|${fact.nope}", context, facts: facts) == "[object Object]||")
        #expect(try References.interpolate("no templates", context, facts: facts) == "no templates")
        #expect(try References.interpolate("unclosed ${event.n", context, facts: facts) == "unclosed ${event.n")
        #expect(References.jsString(true) == "true")
        #expect(References.jsNumber(-3) == "-3")
        #expect(References.jsNumber(0.25) == "0.25")
        #expect(throws: ActionFailure.self) { try References.interpolate("${nope.x}", context, facts: facts) }
    }

    @Test func valuesResolveOnlyTopLevelRefs() throws {
        #expect(try References.value(["ref": "event.n"], context, facts: facts) == 1.5)
        #expect(try References.value(["ref": "event.absent"], context, facts: facts) == .null)
        #expect(try References.value(["nested": ["ref": "event.n"]], context, facts: facts) == ["nested": ["ref": "event.n"]])
        #expect(try References.object(["a": ["ref": "var.item"], "b": 2], context, facts: facts) == ["a": ["name": "pen"], "b": 2])
    }
}
