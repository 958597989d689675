@testable import NoexServer
import NoexRules
import NoexProtocol
import NoexStore
import NoexWire
import Testing

/// Each of the 14 step types run through the engine against a real store and rule engine.
@Suite struct ProcedureStepTests {
    @Test func storeGetStoresTheRecordOrNull() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("o1", total: 10)
        let out = try f.run(
            [
                ["action": "store.get", "bucket": "orders", "key": "{{ input.id }}", "as": "hit"],
                ["action": "store.get", "bucket": "orders", "key": "nope", "as": "miss"],
            ], input: ["id": "o1"])
        #expect(out["success"] == true)
        #expect(out["results"]?["hit"]?["total"] == 10)
        #expect(out["results"]?["miss"] == .null)
        #expect(out["result"] == nil)
    }

    @Test func storeWhereAndFindOneUseResolvedFilters() throws {
        let f = try ProcedureFixture()
        try f.insertItem("i1", order: "o1", price: 5)
        try f.insertItem("i2", order: "o1", price: 7)
        try f.insertItem("i3", order: "o2", price: 9)
        let out = try f.run(
            [
                ["action": "store.where", "bucket": "items", "filter": ["orderId": "{{ input.order }}"], "as": "list"],
                ["action": "store.findOne", "bucket": "items", "filter": ["price": "{{ input.price }}"], "as": "one"],
                ["action": "store.findOne", "bucket": "items", "filter": ["price": 1000], "as": "none"],
            ], input: ["order": "o1", "price": 9])
        #expect(out["results"]?["list"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.sorted() == ["i1", "i2"])
        #expect(out["results"]?["one"]?["id"] == "i3")
        #expect(out["results"]?["none"] == .null)
    }

    @Test func storeInsertWithAndWithoutAs() throws {
        let f = try ProcedureFixture()
        let out = try f.run(
            [
                ["action": "store.insert", "bucket": "orders", "data": ["id": "a", "total": "{{ input.t }}"], "as": "a"],
                ["action": "store.insert", "bucket": "orders", "data": ["id": "b", "status": "s-{{ a.id }}"]],
            ], input: ["t": 3])
        let stored = try #require(try f.store.bucket("orders").get("a"))
        #expect(out["results"] == .object(["a": .object(stored)]))
        #expect(out["results"]?["a"]?["total"] == 3)
        #expect(try f.store.bucket("orders").get("b")?["status"] == "s-a")
    }

    @Test func storeUpdateMergesAndMissingKeyFails() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("o1", total: 1)
        let out = try f.run(
            [["action": "store.update", "bucket": "orders", "key": "o1", "data": ["status": "done"], "as": "u"]])
        #expect(out["results"]?["u"]?["status"] == "done")
        #expect(out["results"]?["u"]?["total"] == 1)
        let error = f.protocolFailure([["action": "store.update", "bucket": "orders", "key": "zz", "data": [:]]])
        #expect(error?.code == .internalError)
        #expect(error?.message == #"Record with key "zz" not found in bucket "orders""#)
    }

    @Test func storeDeleteRemovesAndIgnoresMissing() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("o1", total: 1)
        let out = try f.run(
            [
                ["action": "store.delete", "bucket": "orders", "key": "{{ input.id }}"],
                ["action": "store.delete", "bucket": "orders", "key": "never"],
            ], input: ["id": "o1"])
        #expect(out["results"] == .object([:]))
        #expect(try f.store.bucket("orders").count() == 0)
    }

    @Test func storeCountWithAndWithoutFilter() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("a", total: 1, status: "x")
        try f.insertOrder("b", total: 2, status: "y")
        let out = try f.run(
            [
                ["action": "store.count", "bucket": "orders", "as": "all"],
                ["action": "store.count", "bucket": "orders", "filter": ["status": "{{ input.s }}"], "as": "some"],
            ], input: ["s": "y"])
        #expect(out["results"] == ["all": 2, "some": 1])
    }

    @Test func aggregateOperations() throws {
        let f = try ProcedureFixture()
        try f.insertItem("i1", order: "o", price: 100)
        try f.insertItem("i2", order: "o", price: 50.5)
        try f.insertItem("i3", order: "o", price: 25)
        try f.insertItem("i4", order: "o", price: nil)
        let aggregate = { (op: String, name: String) -> JSONValue in
            ["action": "aggregate", "source": "items", "op": .string(op), "field": "price", "as": .string(name)]
        }
        let out = try f.run([
            ["action": "store.where", "bucket": "items", "filter": ["orderId": "o"], "as": "items"],
            aggregate("sum", "sum"), aggregate("avg", "avg"), aggregate("min", "min"), aggregate("max", "max"),
            ["action": "aggregate", "source": "items", "op": "count", "as": "count"],
            ["action": "store.where", "bucket": "items", "filter": ["orderId": "none"], "as": "empty"],
            ["action": "aggregate", "source": "empty", "op": "avg", "field": "price", "as": "emptyAvg"],
            ["action": "aggregate", "source": "empty", "op": "max", "field": "price", "as": "emptyMax"],
        ])
        let results = try #require(out["results"]?.objectValue)
        #expect(results["sum"] == 175.5)
        #expect(results["avg"] == 43.875)  // the null price counts in the length
        #expect(results["min"] == 25)
        #expect(results["max"] == 100)
        #expect(results["count"] == 4)
        #expect(results["emptyAvg"] == 0)
        #expect(results["emptyMax"] == 0)
        let error = f.protocolFailure([["action": "aggregate", "source": "ghost", "op": "count", "as": "n"]])
        #expect(error == ProtocolError(.internalError, #"aggregate: source "ghost" is not an array"#))
    }

    @Test func rulesEmitDeliversResolvedData() throws {
        let f = try ProcedureFixture()
        let log = f.recordEvents()
        _ = try f.run(
            [
                ["action": "rules.emit", "topic": "order.{{ input.kind }}", "data": ["id": "{{ input.id }}"]],
                ["action": "rules.emit", "topic": "plain"],
            ], input: ["kind": "processed", "id": 7])
        #expect(log.topics == ["order.processed", "plain"])
        #expect(log.data == [["id": 7], [:]])
    }

    @Test func rulesSetFactAndGetFact() throws {
        let f = try ProcedureFixture()
        _ = try f.rules?.setFact("existing", "old")
        let out = try f.run([
            ["action": "rules.setFact", "key": "customer:{{ input.id }}:tier", "value": "{{ input.tier }}"],
            ["action": "rules.getFact", "key": "customer:{{ input.id }}:tier", "as": "tier"],
            ["action": "rules.getFact", "key": "existing", "as": "existing"],
            ["action": "rules.getFact", "key": "absent", "as": "absent"],
        ], input: ["id": 5, "tier": ["level": 2]])
        #expect(f.rules?.getFact("customer:5:tier") == ["level": 2])
        #expect(out["results"] == ["tier": ["level": 2], "existing": "old", "absent": nil])
    }

    @Test func rulesStepsWithoutEngineFail() throws {
        let f = try ProcedureFixture(rules: false)
        let cases: [(JSONValue, String)] = [
            (["action": "rules.emit", "topic": "t"], "rules.emit: rule engine is not configured"),
            (["action": "rules.setFact", "key": "k", "value": 1], "rules.setFact: rule engine is not configured"),
            (["action": "rules.getFact", "key": "k", "as": "v"], "rules.getFact: rule engine is not configured"),
        ]
        for (index, (step, message)) in cases.enumerated() {
            try f.engine.register(["name": .string("r\(index)"), "steps": [step]])
            #expect(throws: ProcedureError.stepFailed(message)) { try f.engine.call("r\(index)", input: [:]) }
            #expect(ProcedureError.stepFailed(message).protocolError.code == .internalError)
        }
    }

    @Test func ifRunsOneBranch() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("big", total: 500)
        try f.insertOrder("small", total: 5)
        let steps: [JSONValue] = [
            ["action": "store.get", "bucket": "orders", "key": "{{ input.id }}", "as": "order"],
            [
                "action": "if", "condition": ["ref": "order.total", "operator": "gte", "value": 100],
                "then": [
                    ["action": "store.update", "bucket": "orders", "key": "{{ input.id }}", "data": ["status": "high-value"]],
                    ["action": "rules.getFact", "key": "x", "as": "thenRan"],
                ],
                "else": [["action": "rules.getFact", "key": "x", "as": "elseRan"]],
            ],
        ]
        try f.engine.register(["name": "classify", "steps": .array(steps)])
        let high = try f.engine.call("classify", input: ["id": "big"])
        let low = try f.engine.call("classify", input: ["id": "small"])
        #expect(try f.store.bucket("orders").get("big")?["status"] == "high-value")
        #expect(try f.store.bucket("orders").get("small")?["status"] == "pending")
        #expect(high["results"]?.objectValue?.keys == ["order", "thenRan"])
        #expect(low["results"]?.objectValue?.keys == ["order", "elseRan"])
    }

    @Test func conditionOperators() {
        let cases: [(ConditionOperator, JSONValue?, JSONValue?, Bool)] = [
            (.eq, 1, 1, true), (.eq, 1, "1", false), (.eq, nil, nil, true), (.eq, nil, .null, false),
            (.eq, ["a": 1], ["a": 1], true), (.neq, "a", "b", true), (.neq, 2, 2, false),
            (.gt, 10, 9, true), (.gt, "b", "a", true), (.gt, "10", "9", false), (.gt, "10", 9, true),
            (.gte, 5, 5, true), (.gte, nil, 0, false), (.gte, .null, 0, true), (.lt, "a", "b", true),
            (.lt, 1, nil, false), (.lte, 3, 4, true), (.lte, "x", 1, false), (.gt, true, 0, true),
            (.exists, 0, nil, true), (.exists, .null, nil, false), (.exists, nil, nil, false),
            (.notExists, nil, nil, true), (.notExists, .null, nil, true), (.notExists, "", nil, false),
        ]
        for (comparison, actual, expected, result) in cases {
            #expect(comparison.holds(actual, expected) == result, "\(comparison) \(String(describing: actual)) \(String(describing: expected))")
        }
    }

    @Test func conditionValueIsTemplatedButRefIsNot() throws {
        let f = try ProcedureFixture()
        let out = try f.run(
            [
                [
                    "action": "if", "condition": ["ref": "input.a", "operator": "eq", "value": "{{ input.b }}"],
                    "then": [["action": "return", "value": "same"]], "else": [["action": "return", "value": "different"]],
                ]
            ], input: ["a": 3, "b": 3])
        #expect(out["result"] == "same")
    }

    @Test func transformOperations() throws {
        let f = try ProcedureFixture()
        let out = try f.run(
            [
                ["action": "store.insert", "bucket": "orders", "data": ["id": "o", "total": 4], "as": "order"],
                ["action": "store.insert", "bucket": "items", "data": ["id": "a", "orderId": "o", "price": 1]],
                ["action": "store.insert", "bucket": "items", "data": ["id": "b", "orderId": "o", "price": 2]],
                ["action": "store.where", "bucket": "items", "filter": ["orderId": "o"], "as": "items"],
                ["action": "transform", "source": "items", "operation": "pluck", "args": "price", "as": "prices"],
                ["action": "transform", "source": "order", "operation": "pick", "args": ["id", "total", "nope"], "as": "brief"],
                ["action": "transform", "source": "items", "operation": "filter", "args": ["price": "{{ input.p }}"], "as": "cheap"],
                ["action": "transform", "source": "items", "operation": "map", "args": ["tag": "{{ input.tag }}"], "as": "tagged"],
            ], input: ["p": 2, "tag": "t"])
        let results = try #require(out["results"]?.objectValue)
        #expect(results["prices"] == [1, 2])
        #expect(results["brief"] == ["id": "o", "total": 4])
        #expect(results["cheap"]?.arrayValue?.map { $0["id"] } == ["b"])
        #expect(results["tagged"]?.arrayValue?.map { $0["tag"] } == ["t", "t"])
        #expect(results["tagged"]?.arrayValue?.first?["price"] == 1)
    }

    @Test func transformEdgeCasesAndErrors() throws {
        #expect(try TransformOperation.pluck.evaluate([["a": 1], 5, nil, ["b": 2]], sourceName: "s", args: "a") == [1, nil, nil, nil])
        #expect(try TransformOperation.map.evaluate([["a": 1], 5], sourceName: "s", args: ["a": 2, "b": 3]) == [["a": 2, "b": 3], 5])
        #expect(try TransformOperation.filter.evaluate([["a": 1], 1, ["a": 2]], sourceName: "s", args: ["a": 1]) == [["a": 1]])
        #expect(throws: ProcedureError.stepFailed(#"transform.pluck: source "s" is not an array"#)) {
            try TransformOperation.pluck.evaluate(["a": 1], sourceName: "s", args: "a")
        }
        #expect(throws: ProcedureError.stepFailed(#"transform.filter: source "s" is not an array"#)) {
            try TransformOperation.filter.evaluate(nil, sourceName: "s", args: [:])
        }
        #expect(throws: ProcedureError.stepFailed(#"transform.map: source "s" is not an array"#)) {
            try TransformOperation.map.evaluate("x", sourceName: "s", args: [:])
        }
        #expect(throws: ProcedureError.stepFailed(#"transform.pick: source "s" is not an object"#)) {
            try TransformOperation.pick.evaluate([["a": 1]], sourceName: "s", args: ["a"])
        }
        #expect(throws: ProcedureError.stepFailed("transform.pick: args is not iterable")) {
            try TransformOperation.pick.evaluate(["a": 1], sourceName: "s", args: 5)
        }
    }

    @Test func returnStopsEverythingAndKeepsRawValues() throws {
        let f = try ProcedureFixture()
        let out = try f.run(
            [
                ["action": "rules.getFact", "key": "k", "as": "before"],
                [
                    "action": "if", "condition": ["ref": "input.x", "operator": "exists"],
                    "then": [
                        ["action": "return", "value": ["computed": "{{ input.x }}", "text": "x={{ input.x }}"]],
                        ["action": "rules.getFact", "key": "k", "as": "afterInBranch"],
                    ],
                ],
                ["action": "store.insert", "bucket": "orders", "data": ["id": "never"]],
            ], input: ["x": 42])
        #expect(out["result"] == ["computed": 42, "text": "x=42"])
        #expect(out["results"]?.objectValue?.keys == ["before"])
        #expect(try f.store.bucket("orders").count() == 0)
        let nullReturn = try f.run([["action": "return", "value": nil]], name: "null")
        #expect(nullReturn["result"] == .null)
        let undefinedReturn = try f.run([["action": "return", "value": "{{ nothing }}"]], name: "undefined")
        #expect(undefinedReturn["result"] == nil)
    }
}
