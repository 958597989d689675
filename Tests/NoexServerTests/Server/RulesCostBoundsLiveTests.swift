import NoexRules
import NoexServer
import NoexTesting
import NoexWire
import Testing

/// The attacks of issue 14 (items 2, 6 and 7) over real sockets: each is answered at once and
/// a healthy client on another connection keeps getting answers. On a server without the
/// bounds these requests wedge the event loop; the clients' 10 s response timeout then fails
/// the test instead of hanging it.
@Suite struct RulesCostBoundsLiveTests {
    /// Starts a server, an attacker and a healthy client, both live.
    private func start(
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> (Harness, attacker: TestClient, healthy: TestClient) {
        let harness = try await Harness.start(configure)
        return (harness, try await harness.liveClient(), try await harness.liveClient())
    }

    /// Sends `text` raw from `attacker` and, while it is processed, checks `healthy` is answered;
    /// then returns the attacker's answer to request `id`.
    private func attack(_ text: String, id: Int, attacker: TestClient, healthy: TestClient) async throws -> JSONObject {
        try await attacker.sendRaw(text)
        #expect(try await healthy.result("rules.stats")["factsCount"] != nil)
        let answer = try await attacker.response(id: id)
        #expect(try await healthy.result("rules.getFact", ["key": "healthy"]) == .null)
        return answer
    }

    @Test func theGlobAttackIsAnsweredAtOnce() async throws {
        let (harness, attacker, healthy) = try await start()
        defer { Task { await harness.stop() } }
        _ = try await attacker.result("rules.setFact", ["key": .string(String(repeating: "a", count: 40)), "value": 1])
        _ = try await attacker.result("rules.setFact", ["key": .string(String(repeating: "a", count: 1_000)), "value": 2])
        let first = try await attack(
            #"{"id":901,"type":"rules.queryFacts","pattern":"**************b"}"#, id: 901, attacker: attacker, healthy: healthy)
        #expect(first["type"] == "result")
        #expect(first.data == [])
        let second = try await attack(
            #"{"id":902,"type":"rules.queryFacts","pattern":"****b"}"#, id: 902, attacker: attacker, healthy: healthy)
        #expect(second.data == [])
        // A pattern past the bounds is refused.
        let long = try await attacker.request("rules.queryFacts", ["pattern": .string(String(repeating: "a", count: 512) + "*")])
        #expect(long.code == "VALIDATION_ERROR")
        #expect(long.message == "pattern is too long: 513 bytes (maxPatternLength 512)")
        let atBound = try await attacker.request("rules.queryFacts", ["pattern": .string(String(repeating: "a", count: 511) + "*")])
        #expect(atBound["type"] == "result")
        let wild = try await attacker.request("rules.subscribe", ["pattern": .string(String(repeating: "*.", count: 33) + "x")])
        #expect(wild.code == "VALIDATION_ERROR")
        #expect(wild.message == "pattern has too many wildcards: 33 (maxPatternWildcards 32)")
    }

    @Test func aFanOutRuleStopsAtTheActionBudget() async throws {
        let (harness, attacker, healthy) = try await start()
        defer { Task { await harness.stop() } }
        let fanOut: JSONValue = [
            "id": "fan", "name": "Fan out",
            "trigger": ["type": "event", "topic": "fan.out"],
            "actions": .array(Array(repeating: ["type": "emit_event", "topic": "fan.out", "data": [:]], count: 4)),
        ]
        _ = try await attacker.result("rules.registerRule", ["rule": fanOut])
        let answer = try await attack(
            #"{"id":903,"type":"rules.emit","topic":"fan.out","data":{}}"#, id: 903, attacker: attacker, healthy: healthy)
        #expect(answer["type"] == "result")
        let stats = try await healthy.result("rules.stats")
        // A finished rule run spends 4 actions; when the budget runs out, each of the (at most
        // 16) runs on the chain's stack stops early. So about maxActionsPerEvent / 4 runs, not 4^16.
        let limit = RuleEngineLimits().maxActionsPerEvent
        let runs = stats["rulesExecuted"]?.numberValue ?? 0
        #expect(runs >= Double(limit / 4) && runs <= Double(limit / 4 + 16), "\(runs)")
        #expect(stats["eventsProcessed"] == .number(Double(1 + limit)))
    }

    @Test func aCatastrophicRegexConditionIsAbandoned() async throws {
        let (harness, attacker, healthy) = try await start()
        defer { Task { await harness.stop() } }
        let redos: JSONValue = [
            "id": "redos", "name": "ReDoS",
            "trigger": ["type": "event", "topic": "check"],
            "conditions": [["source": ["type": "event", "field": "text"], "operator": "matches", "value": "^(a+)+$"]],
            "actions": [["type": "set_fact", "key": "hit", "value": true]],
        ]
        _ = try await attacker.result("rules.registerRule", ["rule": redos])
        // Unbounded, ICU gives up on this search only when its backtracking stack is exhausted,
        // after seconds; eight of them in a row kept every connection waiting past 10 s.
        let text = String(repeating: "a", count: 40) + "b"
        for id in 921...928 {
            try await attacker.sendRaw(#"{"id":\#(id),"type":"rules.emit","topic":"check","data":{"text":"\#(text)"}}"#)
        }
        #expect(try await healthy.result("rules.stats")["factsCount"] != nil)
        for id in 921...928 { #expect(try await attacker.response(id: id)["type"] == "result") }
        #expect(try await healthy.result("rules.getFact", ["key": "hit"]) == .null)
        // The same rule still works on ordinary input.
        _ = try await attacker.result("rules.emit", ["topic": "check", "data": ["text": "aaa"]])
        #expect(try await healthy.result("rules.getFact", ["key": "hit"]) == true)
        // A regular expression past maxRegexLength is refused at registration.
        var long = redos.objectValue ?? [:]
        long["id"] = "long"
        long["conditions"] = [["source": ["type": "event", "field": "text"], "operator": "matches", "value": .string(String(repeating: "a", count: 513))]]
        let refused = try await attacker.request("rules.registerRule", ["rule": .object(long)])
        #expect(refused.code == "VALIDATION_ERROR")
        #expect(refused["details"]?.arrayValue?.first?["message"] == "Regular expression is too long: 513 bytes (maxRegexLength 512)")
    }

    @Test func numbersOutOfRangeAreRefused() async throws {
        let (harness, attacker, healthy) = try await start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let huge = String(repeating: "7", count: 100_000)
        let cases = [
            (907, #"{"id":907,"type":"rules.setFact","key":"n","value":1e400}"#),
            (908, #"{"id":908,"type":"rules.setFact","key":"n","value":{"deep":[-1e400]}}"#),
            (909, #"{"id":909,"type":"rules.setFact","key":"n","value":\#(huge)}"#),
            (910, #"{"id":910,"type":"rules.emit","topic":"t","data":{"x":1e999}}"#),
            // Every operation: the check is made on the message, before the operation's own.
            (912, #"{"id":912,"type":"store.insert","bucket":"users","data":{"name":"Ann","age":1e400}}"#),
        ]
        for (id, text) in cases {
            let answer = try await attack(text, id: id, attacker: attacker, healthy: healthy)
            #expect(answer.code == "VALIDATION_ERROR", "\(id)")
            #expect(answer.message?.hasPrefix("Number out of range") == true, "\(id)")
        }
        // Nothing was stored; an in-range number still is.
        #expect(try await healthy.result("rules.getFact", ["key": "n"]) == .null)
        #expect(try await healthy.result("store.count", ["bucket": "users"]) == 0)
        try await attacker.sendRaw(#"{"id":911,"type":"rules.setFact","key":"n","value":1e308}"#)
        #expect(try await attacker.response(id: 911)["type"] == "result")
        #expect(try await healthy.result("rules.getFact", ["key": "n"]) == 1e308)
    }

    /// Once a rule is registered, events and fact changes run on the connection's task (they
    /// may run rules); answers still leave in request order, interleaved with inline ones.
    @Test func ruleRunningRequestsKeepRequestOrder() async throws {
        let (harness, client, _) = try await start()
        defer { Task { await harness.stop() } }
        let rule: JSONValue = [
            "id": "echo", "name": "Echo",
            "trigger": ["type": "event", "topic": "in.*"],
            "actions": [["type": "set_fact", "key": "seen", "value": true]],
        ]
        _ = try await client.result("rules.registerRule", ["rule": rule])
        let requests: [String] = [
            #"{"id":1,"type":"rules.emit","topic":"in.a","data":{}}"#,
            #"{"id":2,"type":"rules.getFact","key":"seen"}"#,
            #"{"id":3,"type":"rules.setFact","key":"k","value":1}"#,
            #"{"id":4,"type":"rules.stats"}"#,
            #"{"id":5,"type":"rules.deleteFact","key":"k"}"#,
            #"{"id":6,"type":"rules.getFact","key":"k"}"#,
        ]
        for text in requests { try await client.sendRaw(text) }
        var answers: [JSONObject] = []
        for _ in requests {
            answers.append(try await client.next { $0["type"] == "result" || $0["type"] == "error" })
        }
        #expect(answers.map { $0["id"] ?? .null } == (1...6).map { .number(Double($0)) })
        #expect(answers[1].data == true)  // the rule ran before the next request was answered
        #expect(answers[5].data == .null)
    }
}
