@testable import NoexServer
import NoexWire
import Testing

/// Every issue message of spec-identity §6.5, and what a valid definition parses into.
@Suite struct ProcedureDefinitionValidationTests {
    let limits = ProcedureLimits()

    /// The issues a definition produces (empty when it is valid).
    func issues(_ config: JSONValue, limits: ProcedureLimits = ProcedureLimits()) -> [String] {
        do {
            _ = try ProcedureDefinition.parse(config, limits: limits)
            return []
        } catch {
            guard case .invalidDefinition(let issues) = error else { return ["unexpected \(error)"] }
            return issues
        }
    }

    /// A definition with one step.
    func steps(_ steps: JSONValue...) -> JSONValue {
        ["name": "p", "steps": .array(steps)]
    }

    @Test func topLevelMessages() {
        #expect(issues("text") == ["Procedure config must be an object"])
        #expect(issues([1, 2]) == ["Procedure config must be an object"])
        #expect(
            issues(["description": 5, "input": "x", "transaction": "yes", "timeoutMs": 0]) == [
                #"Missing or invalid "name": expected non-empty string"#,
                #""description" must be a string"#,
                #""input" must be an object"#,
                #""transaction" must be a boolean"#,
                #""timeoutMs" must be a positive number"#,
                #"Missing or invalid "steps": expected array"#,
            ])
        #expect(issues(["name": "", "steps": []]) == [
            #"Missing or invalid "name": expected non-empty string"#, #""steps" must contain at least one step"#,
        ])
        // Null counts as present, as `undefined` alone is absent in the reference.
        #expect(issues(["name": "p", "description": nil, "timeoutMs": -1, "steps": nil]) == [
            #""description" must be a string"#, #""timeoutMs" must be a positive number"#,
            #"Missing or invalid "steps": expected array"#,
        ])
    }

    @Test func inputMessages() {
        let config: JSONValue = [
            "name": "p", "steps": [["action": "return", "value": 1]],
            "input": ["a": "string", "b": ["type": "date"], "c": ["required": false], "d": ["type": "array"]],
        ]
        #expect(
            issues(config) == [
                "input.a: expected field definition object",
                "input.b.type: expected one of: string, number, boolean, object, array",
                "input.c.type: expected one of: string, number, boolean, object, array",
            ])
    }

    @Test func stepShapeMessages() {
        let actions =
            "store.get, store.where, store.findOne, store.insert, store.update, store.delete, store.count, aggregate, rules.emit, rules.setFact, rules.getFact, if, transform, return"
        #expect(issues(steps(1, ["action": "store.drop"], ["bucket": "b"])) == [
            "steps[0]: expected step object",
            "steps[1].action: expected one of: \(actions)",
            "steps[2].action: expected one of: \(actions)",
        ])
    }

    @Test func storeStepMessages() {
        #expect(issues(steps(["action": "store.get"])) == [
            "steps[0].bucket: expected non-empty string", "steps[0].key: expected non-empty string",
            "steps[0].as: expected non-empty string",
        ])
        #expect(issues(steps(["action": "store.where", "bucket": "b", "filter": [1], "as": "x"])) == [
            "steps[0].filter: expected object"
        ])
        #expect(issues(steps(["action": "store.findOne", "bucket": "", "filter": nil, "as": "x"])) == [
            "steps[0].bucket: expected non-empty string", "steps[0].filter: expected object",
        ])
        #expect(issues(steps(["action": "store.insert", "bucket": "b", "data": "x", "as": 3])) == [
            "steps[0].data: expected object", "steps[0].as: expected non-empty string",
        ])
        #expect(issues(steps(["action": "store.insert", "bucket": "b", "data": [:]])) == [])
        #expect(issues(steps(["action": "store.update", "bucket": "b", "key": 7, "data": [:]])) == [
            "steps[0].key: expected non-empty string"
        ])
        #expect(issues(steps(["action": "store.delete", "bucket": "b"])) == ["steps[0].key: expected non-empty string"])
        #expect(issues(steps(["action": "store.count", "bucket": "b", "filter": "f"])) == [
            "steps[0].filter: expected object", "steps[0].as: expected non-empty string",
        ])
        #expect(issues(steps(["action": "store.count", "bucket": "b", "as": "n"])) == [])
    }

    @Test func aggregateAndTransformMessages() {
        #expect(issues(steps(["action": "aggregate", "source": "s", "as": "a", "op": "median"])) == [
            "steps[0].op: expected one of: sum, avg, min, max, count", "steps[0].field: expected non-empty string",
        ])
        #expect(issues(steps(["action": "aggregate", "source": "s", "as": "a", "op": "count"])) == [])
        #expect(issues(steps(["action": "transform", "source": "s", "as": "t", "operation": "reduce"])) == [
            "steps[0].operation: expected one of: map, filter, pick, pluck", "steps[0].args: required",
        ])
        #expect(issues(steps(["action": "transform", "source": "s", "as": "t", "operation": "pick", "args": nil])) == [])
    }

    @Test func rulesAndReturnMessages() {
        #expect(issues(steps(["action": "rules.emit"], ["action": "rules.emit", "topic": "t", "data": 1])) == [
            "steps[0].topic: expected non-empty string", "steps[1].data: expected object",
        ])
        #expect(issues(steps(["action": "rules.setFact", "key": "k"])) == ["steps[0].value: required"])
        #expect(issues(steps(["action": "rules.setFact", "key": "k", "value": nil])) == [])
        #expect(issues(steps(["action": "rules.getFact", "key": "k"])) == ["steps[0].as: expected non-empty string"])
        #expect(issues(steps(["action": "return"])) == ["steps[0].value: required"])
        #expect(issues(steps(["action": "return", "value": nil])) == [])
    }

    @Test func conditionMessages() {
        let ret: JSONValue = ["action": "return", "value": 1]
        #expect(issues(steps(["action": "if", "then": []])) == [
            "steps[0].condition: expected object", "steps[0].then: expected non-empty array of steps",
        ])
        #expect(
            issues(steps(["action": "if", "condition": ["ref": "", "operator": "like"], "then": [ret], "else": []])) == [
                "steps[0].condition.ref: expected non-empty string",
                "steps[0].condition.operator: expected one of: eq, neq, gt, gte, lt, lte, exists, not_exists",
                "steps[0].else: expected non-empty array of steps",
            ])
        // Nested paths name the branch.
        let nested: JSONValue = [
            "action": "if", "condition": ["ref": "x", "operator": "exists"],
            "then": [ret, ["action": "store.get"]], "else": [["action": "if", "condition": 1, "then": [ret]]],
        ]
        #expect(issues(steps(ret, nested)) == [
            "steps[1].then[1].bucket: expected non-empty string", "steps[1].then[1].key: expected non-empty string",
            "steps[1].then[1].as: expected non-empty string", "steps[1].else[0].condition: expected object",
        ])
    }

    @Test func validDefinitionParses() throws {
        let config: JSONObject = [
            "name": "calc", "description": "d", "transaction": true, "timeoutMs": 500, "custom": ["kept": true],
            "input": ["id": ["type": "string"], "n": ["type": "number", "required": false, "default": 3]],
            "steps": [
                ["action": "store.get", "bucket": "orders", "key": "{{ input.id }}", "as": "order"],
                [
                    "action": "if", "condition": ["ref": "order.total", "operator": "gte", "value": 100],
                    "then": [["action": "rules.emit", "topic": "big"]],
                ],
                ["action": "return", "value": nil],
            ],
        ]
        let definition = try ProcedureDefinition.parse(.object(config), limits: limits)
        #expect(definition.name == "calc")
        #expect(definition.description == "d")
        #expect(definition.transaction)
        #expect(definition.timeoutMs == 500)
        #expect(definition.json == config)
        #expect(definition.input == [
            ProcedureInputField(name: "id", type: .string, required: true, defaultValue: nil),
            ProcedureInputField(name: "n", type: .number, required: false, defaultValue: 3),
        ])
        #expect(definition.steps == [
            .storeGet(bucket: "orders", key: "{{ input.id }}", as: "order"),
            .condition(
                ProcedureCondition(ref: "order.total", comparison: .gte, value: 100),
                then: [.emit(topic: "big", data: nil)], otherwise: nil),
            .return(.null),
        ])
        #expect(definition.buckets == ["orders"])
    }
}
