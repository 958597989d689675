@testable import NoexServer
import NoexProtocol
import NoexStore
import NoexWire
import Testing

/// `maxSteps`, `maxConditionDepth` and the call time limit.
@Suite struct ProcedureLimitsTests {
    let ret: JSONValue = ["action": "return", "value": 1]

    func condition(_ then: [JSONValue], otherwise: [JSONValue]? = nil) -> JSONValue {
        var step: JSONObject = ["action": "if", "condition": ["ref": "input.x", "operator": "exists"], "then": .array(then)]
        if let otherwise { step["else"] = .array(otherwise) }
        return .object(step)
    }

    @Test func defaultsAreTheReferences() throws {
        let configuration = ServerConfiguration(store: try Store())
        #expect(configuration.procedures == ProcedureLimits(maxSteps: 100, maxConditionDepth: 5, defaultTimeoutMs: 30_000))
        #expect(configuration.procedures == ProcedureLimits())
    }

    @Test func stepCountIsStaticAndIncludesBranches() {
        // 1 (if) + 2 (then) + 1 (else) + 1 = 5
        let steps: [JSONValue] = [condition([ret, ret], otherwise: [ret]), ret]
        #expect(ProcedureDefinition.countSteps(steps) == 5)
        #expect(ProcedureDefinition.countSteps([1, "x", ["action": "if", "then": "no"]]) == 3)
        let limits = ProcedureLimits(maxSteps: 4)
        #expect(throws: ProcedureError.invalidDefinition(["Total step count (5) exceeds maximum (4)"])) {
            try ProcedureDefinition.parse(["name": "p", "steps": .array(steps)], limits: limits)
        }
        #expect(throws: Never.self) {
            try ProcedureDefinition.parse(["name": "p", "steps": .array(steps)], limits: ProcedureLimits(maxSteps: 5))
        }
        let hundredAndOne = Array(repeating: ret, count: 101)
        #expect(throws: ProcedureError.invalidDefinition(["Total step count (101) exceeds maximum (100)"])) {
            try ProcedureDefinition.parse(["name": "p", "steps": .array(hundredAndOne)], limits: ProcedureLimits())
        }
    }

    @Test func conditionDepthLimit() {
        let threeDeep = condition([condition([condition([ret])])])
        let limits = ProcedureLimits(maxConditionDepth: 2)
        #expect(throws: ProcedureError.invalidDefinition(["steps[0].then[0].then[0]: condition nesting depth exceeds maximum (2)"])) {
            try ProcedureDefinition.parse(["name": "p", "steps": [threeDeep]], limits: limits)
        }
        #expect(throws: Never.self) {
            try ProcedureDefinition.parse(["name": "p", "steps": [threeDeep]], limits: ProcedureLimits(maxConditionDepth: 3))
        }
        let sixDeep = condition([condition([condition([condition([condition([condition([ret])])])])])])
        #expect(throws: ProcedureError.invalidDefinition(["steps[0].then[0].then[0].then[0].then[0].then[0]: condition nesting depth exceeds maximum (5)"])) {
            try ProcedureDefinition.parse(["name": "p", "steps": [sixDeep]], limits: ProcedureLimits())
        }
    }

    @Test func timeoutStopsAtTheNextStepAndKeepsEarlierWrites() throws {
        // Each clock read advances 10 ms: the start, then one check before every step.
        let clock = SteppingClock(step: 10)
        let f = try ProcedureFixture(clock: clock.clock)
        let insert = { (id: String) -> JSONValue in ["action": "store.insert", "bucket": "orders", "data": ["id": .string(id)]] }
        try f.engine.register(["name": "slow", "timeoutMs": 25, "steps": [insert("a"), insert("b"), insert("c"), insert("d")]])
        #expect(throws: ProcedureError.timedOut("slow", 25)) { try f.engine.call("slow", input: [:]) }
        #expect(ProcedureError.timedOut("slow", 25).protocolError == ProtocolError(.internalError, #"Procedure "slow" timed out after 25ms"#))
        #expect(try f.store.bucket("orders").all().map { $0["id"] } == ["a", "b"])
    }

    @Test func timeoutInATransactionCommitsNothing() throws {
        let clock = SteppingClock(step: 10)
        let f = try ProcedureFixture(clock: clock.clock)
        let insert = { (id: String) -> JSONValue in ["action": "store.insert", "bucket": "orders", "data": ["id": .string(id)]] }
        try f.engine.register([
            "name": "slow", "timeoutMs": 25, "transaction": true, "steps": [insert("a"), insert("b"), insert("c")],
        ])
        #expect(throws: ProcedureError.timedOut("slow", 25)) { try f.engine.call("slow", input: [:]) }
        #expect(try f.store.bucket("orders").count() == 0)
    }

    @Test func defaultTimeoutAppliesWithoutTimeoutMs() throws {
        let clock = SteppingClock(step: 10)
        let f = try ProcedureFixture(limits: ProcedureLimits(defaultTimeoutMs: 15), clock: clock.clock)
        try f.engine.register(["name": "p", "steps": [ret, ret]])
        // start 10, check 20: 10 ms elapsed, the return runs and stops; final check 30: 20 ms > 15.
        #expect(throws: ProcedureError.timedOut("p", 15)) { try f.engine.call("p", input: [:]) }
        let generous = try ProcedureFixture(limits: ProcedureLimits(defaultTimeoutMs: 1000), clock: SteppingClock(step: 10).clock)
        try generous.engine.register(["name": "p", "steps": [ret, ret]])
        #expect(try generous.engine.call("p", input: [:])["result"] == 1)
    }
}
