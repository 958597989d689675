@testable import NoexServer
import NoexRules
import NoexProtocol
import NoexStore
import NoexWire
import Testing

/// Registry operations, call input, error mapping, F13 and F14 at the engine level.
@Suite struct ProcedureEngineTests {
    let ret: JSONValue = ["action": "return", "value": "{{ input }}"]

    @Test func registerListGetUnregister() throws {
        let f = try ProcedureFixture()
        try f.engine.register(["name": "b", "description": "second", "steps": [ret, ret], "extra": [1]])
        try f.engine.register(["name": "a", "steps": [["action": "if", "condition": ["ref": "x", "operator": "exists"], "then": [ret]]]])
        #expect(throws: ProcedureError.alreadyExists("a")) { try f.engine.register(["name": "a", "steps": [ret]]) }
        // Validation comes before the duplicate check.
        #expect(throws: ProcedureError.invalidDefinition([#""steps" must contain at least one step"#])) {
            try f.engine.register(["name": "a", "steps": []])
        }
        #expect(f.engine.summaries() == [["name": "b", "description": "second", "stepsCount": 2], ["name": "a", "stepsCount": 1]])
        #expect(try f.engine.definition("b") == ["name": "b", "description": "second", "steps": [ret, ret], "extra": [1]])
        try f.engine.unregister("b")
        #expect(throws: ProcedureError.notFound("b")) { try f.engine.unregister("b") }
        #expect(throws: ProcedureError.notFound("b")) { try f.engine.definition("b") }
        #expect(throws: ProcedureError.notFound("b")) { try f.engine.call("b", input: [:]) }
        #expect(f.engine.summaries().count == 1)
    }

    @Test func updateMergesTopLevelAndKeepsTheName() throws {
        let f = try ProcedureFixture()
        try f.engine.register(["name": "p", "description": "old", "steps": [ret], "timeoutMs": 100])
        try f.engine.update("p", ["description": "new", "name": "renamed", "steps": [["action": "return", "value": 2]]])
        #expect(try f.engine.definition("p") == ["name": "p", "description": "new", "steps": [["action": "return", "value": 2]], "timeoutMs": 100])
        #expect(throws: ProcedureError.notFound("renamed")) { try f.engine.definition("renamed") }
        #expect(throws: ProcedureError.invalidDefinition([#""timeoutMs" must be a positive number"#])) {
            try f.engine.update("p", ["timeoutMs": "soon", "description": "bad"])
        }
        #expect(try f.engine.definition("p")["description"] == "new")
        #expect(throws: ProcedureError.notFound("q")) { try f.engine.update("q", [:]) }
        #expect(try f.engine.call("p", input: [:])["result"] == 2)
    }

    @Test func inputValidationAndDefaults() throws {
        let f = try ProcedureFixture()
        try f.engine.register([
            "name": "p", "steps": [ret],
            "input": [
                "count": ["type": "number"], "tags": ["type": "array", "required": false],
                "status": ["type": "string", "required": false, "default": "pending"],
                "meta": ["type": "object", "default": nil], "flag": ["type": "boolean", "required": true],
            ],
        ])
        #expect(throws: ProcedureError.invalidInput([#"Missing required input "count""#, #"Missing required input "flag""#])) {
            try f.engine.call("p", input: [:])
        }
        #expect(
            throws: ProcedureError.invalidInput([
                #"Input "count": expected number, got string"#, #"Input "tags": expected array, got object"#,
                #"Input "meta": expected object, got object"#, #"Input "flag": expected boolean, got number"#,
            ])
        ) {
            try f.engine.call("p", input: ["count": "1", "tags": ["a": 1], "meta": [1], "flag": 0])
        }
        let out = try f.engine.call("p", input: ["count": 1, "flag": true, "status": nil, "extra": "kept"])
        #expect(out["result"] == ["count": 1, "flag": true, "status": "pending", "extra": "kept", "meta": nil])
        let error = ProcedureError.invalidInput([#"Missing required input "count""#]).protocolError
        #expect(error.code == .validationError)
        #expect(error.message == #"Invalid procedure input: Missing required input "count""#)
        #expect(error.details == ["issues": [#"Missing required input "count""#]])
    }

    @Test func anyInputPassesWithoutSchema() throws {
        let f = try ProcedureFixture()
        try f.engine.register(["name": "p", "steps": [ret]])
        #expect(try f.engine.call("p", input: ["anything": [1, 2]])["result"] == ["anything": [1, 2]])
    }

    @Test func errorMapping() throws {
        let f = try ProcedureFixture()
        let definitionError = ProcedureError.invalidDefinition(["a", "b"]).protocolError
        #expect(definitionError == ProtocolError(.validationError, "Procedure validation failed: a; b", details: ["issues": ["a", "b"]]))
        #expect(ProcedureError.notFound("x").protocolError == ProtocolError(.notFound, #"Procedure "x" not found"#))
        #expect(ProcedureError.alreadyExists("x").protocolError == ProtocolError(.alreadyExists, #"Procedure "x" already exists"#))
        // A schema violation keeps VALIDATION_ERROR with the store's message and no details.
        let schema = f.protocolFailure([["action": "store.insert", "bucket": "items", "data": ["price": 1]]])
        #expect(schema?.code == .validationError)
        #expect(schema?.message.hasPrefix(#"Validation failed for bucket "items""#) == true)
        #expect(schema?.details == nil)
        // Other store failures are INTERNAL_ERROR with the original message.
        let unknown = f.protocolFailure([["action": "store.get", "bucket": "ghosts", "key": "k", "as": "g"]])
        #expect(unknown == ProtocolError(.internalError, #"Bucket "ghosts" is not defined"#))
        try f.insertOrder("dup", total: 1)
        let duplicate = f.protocolFailure([["action": "store.insert", "bucket": "orders", "data": ["id": "dup"]]])
        #expect(duplicate == ProtocolError(.internalError, #"Record with key "dup" already exists in bucket "orders""#))
        let emptyTopic = f.protocolFailure([["action": "rules.emit", "topic": "{{ input.none }}"]])
        #expect(emptyTopic == ProtocolError(.internalError, "Event topic must be a non-empty string"))
    }

    @Test func systemBucketsAreRefused() throws {
        let f = try ProcedureFixture()
        try f.store.defineBucket("_users", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        _ = try f.store.bucket("_users").insert(["id": "root"])
        let reader: JSONValue = [
            "name": "peek",
            "steps": [
                ret,
                [
                    "action": "if", "condition": ["ref": "x", "operator": "exists"], "then": [ret],
                    "else": [["action": "store.get", "bucket": "_users", "key": "root", "as": "u"]],
                ],
            ],
        ]
        #expect(throws: ProcedureError.systemBucket("_users")) { try f.engine.register(reader) }
        #expect(ProcedureError.systemBucket("_users").protocolError == ProtocolError(.forbidden, #"Cannot access system bucket "_users" in procedure"#))
        try f.engine.register(["name": "ok", "steps": [ret]])
        #expect(throws: ProcedureError.systemBucket("_sessions")) {
            try f.engine.update("ok", ["steps": [["action": "store.delete", "bucket": "_sessions", "key": "k"]]])
        }
        #expect(f.engine.summaries().map { $0["name"] } == ["ok"])
        // A definition that somehow holds one is still refused at call time, before any step.
        let sneaky = try ProcedureDefinition.parse(
            ["name": "sneaky", "steps": [["action": "store.insert", "bucket": "orders", "data": ["id": "x"]], ["action": "store.delete", "bucket": "_users", "key": "root"]]],
            limits: ProcedureLimits())
        try f.engine.registry.add(sneaky)
        #expect(throws: ProcedureError.systemBucket("_users")) { try f.engine.call("sneaky", input: [:]) }
        #expect(try f.store.bucket("orders").count() == 0)
        #expect(try f.store.bucket("_users").count() == 1)
    }

    @Test func transactionIsAtomicForStoreAndRules() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("o1", total: 10)
        let log = f.recordEvents()
        let failing: [JSONValue] = [
            ["action": "store.insert", "bucket": "orders", "data": ["id": "o2", "total": 20]],
            ["action": "store.update", "bucket": "orders", "key": "o1", "data": ["status": "changed"]],
            ["action": "rules.setFact", "key": "seen", "value": true],
            ["action": "rules.emit", "topic": "order.changed"],
            ["action": "aggregate", "source": "nothing", "op": "count", "as": "n"],
        ]
        let error = f.failure(failing, transaction: true)
        #expect(error as? ProcedureError == .stepFailed(#"aggregate: source "nothing" is not an array"#))
        #expect(try f.store.bucket("orders").all() == [try #require(try f.store.bucket("orders").get("o1"))])
        #expect(try f.store.bucket("orders").get("o1")?["status"] == "pending")
        #expect(f.rules?.getFact("seen") == nil)
        #expect(log.topics.isEmpty)

        // The same steps without a transaction leave the writes made before the failure.
        let g = try ProcedureFixture()
        try g.insertOrder("o1", total: 10)
        let gLog = g.recordEvents()
        #expect(g.failure(failing) != nil)
        #expect(try g.store.bucket("orders").count() == 2)
        #expect(g.rules?.getFact("seen") == true)
        #expect(gLog.topics == ["order.changed"])
    }

    @Test func transactionSeesItsOwnWritesAndAppliesRulesAfterCommit() throws {
        let f = try ProcedureFixture()
        let log = f.recordEvents()
        let out = try f.run(
            [
                ["action": "store.insert", "bucket": "orders", "data": ["id": "o", "status": "{{ input.s }}"], "as": "inserted"],
                ["action": "store.insert", "bucket": "items", "data": ["orderId": "o", "price": 100]],
                ["action": "store.insert", "bucket": "items", "data": ["orderId": "o", "price": 50.5]],
                ["action": "store.where", "bucket": "items", "filter": ["orderId": "o"], "as": "items"],
                ["action": "aggregate", "source": "items", "op": "sum", "field": "price", "as": "total"],
                ["action": "store.update", "bucket": "orders", "key": "o", "data": ["total": "{{ total }}"]],
                ["action": "store.get", "bucket": "orders", "key": "o", "as": "order"],
                ["action": "rules.setFact", "key": "order:o:total", "value": "{{ total }}"],
                ["action": "rules.getFact", "key": "order:o:total", "as": "fact"],
                ["action": "rules.emit", "topic": "order.done", "data": ["total": "{{ total }}"]],
            ], input: ["s": "from-tx"], transaction: true)
        let results = try #require(out["results"]?.objectValue)
        #expect(results["inserted"]?["status"] == "from-tx")
        #expect(results["items"]?.arrayValue?.count == 2)
        #expect(results["total"] == 150.5)
        #expect(results["order"]?["total"] == 150.5)
        #expect(results["fact"] == 150.5)
        #expect(try f.store.bucket("orders").get("o")?["total"] == 150.5)
        #expect(try f.store.bucket("items").count() == 2)
        #expect(f.rules?.getFact("order:o:total") == 150.5)
        #expect(log.topics == ["order.done"])
        #expect(log.data == [["total": 150.5]])
    }

    @Test func failedCommitAppliesNoRulesEffects() throws {
        let f = try ProcedureFixture()
        try f.insertOrder("taken", total: 1)
        // The insert of an existing key is refused while buffering: nothing commits, no fact is set.
        let error = f.failure(
            [
                ["action": "rules.setFact", "key": "k", "value": 1],
                ["action": "store.insert", "bucket": "orders", "data": ["id": "taken"]],
            ], transaction: true)
        #expect(error is StoreError)
        #expect(f.rules?.getFact("k") == nil)
    }
}
