import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// The procedures behaviours of spec-identity §9 (tests/integration/procedures.test.ts), F13,
/// F14 and the authorization tiers, over the wire.
@Suite struct ProceduresTests {
    /// A server with `orders` and `items` buckets and a rule engine.
    private func harness(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Harness {
        let harness = try await Harness.start(configure)
        try ProcedureFixture.defineOrdersAndItems(in: harness.store)
        return harness
    }

    private let simple: JSONObject = ["name": "simple-proc", "steps": [["action": "return", "value": "ok"]]]

    private let getOrder: JSONObject = [
        "name": "get-order", "description": "Reads one order",
        "input": ["orderId": ["type": "string"]],
        "steps": [["action": "store.get", "bucket": "orders", "key": "{{ input.orderId }}", "as": "order"]],
    ]

    @Test func registerAnswersAndValidates() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(try await client.result("procedures.register", ["procedure": .object(simple)]) == ["name": "simple-proc", "registered": true])
        let duplicate = try await client.request("procedures.register", ["procedure": .object(simple)])
        #expect(duplicate.code == "ALREADY_EXISTS")
        #expect(duplicate.message == #"Procedure "simple-proc" already exists"#)
        let missing = try await client.request("procedures.register")
        #expect(missing.code == "VALIDATION_ERROR")
        #expect(missing.message == #"Missing or invalid "procedure": expected object"#)
        let empty = try await client.request("procedures.register", ["procedure": ["name": "e", "steps": []]])
        #expect(empty.code == "VALIDATION_ERROR")
        #expect(empty.message == #"Procedure validation failed: "steps" must contain at least one step"#)
        #expect(empty["details"] == ["issues": [#""steps" must contain at least one step"#]])
        let bogus = try await client.request("procedures.bogus")
        #expect(bogus.code == "UNKNOWN_OPERATION")
        #expect(bogus.message == #"Unknown procedures operation "procedures.bogus""#)
    }

    @Test func callReadsWithTemplatedKey() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "orders", "data": ["id": "o-1", "status": "new"]])
        _ = try await client.result("procedures.register", ["procedure": .object(getOrder)])
        let result = try await client.result("procedures.call", ["name": "get-order", "input": ["orderId": "o-1"]])
        #expect(result["success"] == true)
        #expect(result["results"]?["order"]?["id"] == "o-1")
        #expect(result["results"]?["order"]?["status"] == "new")
        #expect(result["result"] == nil)
    }

    @Test func calcTotalAggregatesAndUpdates() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "orders", "data": ["id": "o-1"]])
        for price in [100, 50] {
            _ = try await client.result("store.insert", ["bucket": "items", "data": ["orderId": "o-1", "price": .number(Double(price))]])
        }
        let procedure: JSONObject = [
            "name": "calc-total", "input": ["orderId": ["type": "string"]],
            "steps": [
                ["action": "store.where", "bucket": "items", "filter": ["orderId": "{{ input.orderId }}"], "as": "items"],
                ["action": "aggregate", "source": "items", "field": "price", "op": "sum", "as": "total"],
                ["action": "store.update", "bucket": "orders", "key": "{{ input.orderId }}", "data": ["total": "{{ total }}", "status": "calculated"]],
            ],
        ]
        _ = try await client.result("procedures.register", ["procedure": .object(procedure)])
        let result = try await client.result("procedures.call", ["name": "calc-total", "input": ["orderId": "o-1"]])
        #expect(result["results"]?["total"] == 150)
        let order = try await client.result("store.get", ["bucket": "orders", "key": "o-1"])
        #expect(order["total"] == 150)
        #expect(order["status"] == "calculated")
    }

    @Test func ifElseBranches() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "orders", "data": ["id": "o-1", "total": 500]])
        let procedure: JSONObject = [
            "name": "classify",
            "steps": [
                ["action": "store.get", "bucket": "orders", "key": "{{ input.orderId }}", "as": "order"],
                [
                    "action": "if", "condition": ["ref": "order.total", "operator": "gte", "value": 100],
                    "then": [["action": "store.update", "bucket": "orders", "key": "{{ input.orderId }}", "data": ["status": "high-value"]]],
                    "else": [["action": "store.update", "bucket": "orders", "key": "{{ input.orderId }}", "data": ["status": "normal"]]],
                ],
            ],
        ]
        _ = try await client.result("procedures.register", ["procedure": .object(procedure)])
        _ = try await client.result("procedures.call", ["name": "classify", "input": ["orderId": "o-1"]])
        #expect(try await client.result("store.get", ["bucket": "orders", "key": "o-1"])["status"] == "high-value")
    }

    @Test func emitStepPushesToRulesSubscribers() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let subscriber = try await harness.client()
        let subscriptionId = try await subscriber.result("rules.subscribe", ["pattern": "order.*"])["subscriptionId"]?.stringValue
        let caller = try await harness.client()
        let procedure: JSONObject = [
            "name": "notify", "steps": [["action": "rules.emit", "topic": "order.processed", "data": ["id": "{{ input.id }}"]]],
        ]
        _ = try await caller.result("procedures.register", ["procedure": .object(procedure)])
        _ = try await caller.result("procedures.call", ["name": "notify", "input": ["id": "o-9"]])
        let push = try await subscriber.nextPush(subscriptionId: subscriptionId)
        #expect(push["data"]?["topic"] == "order.processed")
        #expect(push["data"]?["event"]?["data"] == ["id": "o-9"])
    }

    @Test func transactionalInsertWithTemplate() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let procedure: JSONObject = [
            "name": "tx-insert", "transaction": true,
            "steps": [["action": "store.insert", "bucket": "orders", "data": ["status": "{{ input.status }}"], "as": "inserted"]],
        ]
        _ = try await client.result("procedures.register", ["procedure": .object(procedure)])
        let result = try await client.result("procedures.call", ["name": "tx-insert", "input": ["status": "from-tx"]])
        #expect(result["results"]?["inserted"]?["status"] == "from-tx")
        #expect(try await client.result("store.count", ["bucket": "orders"]) == 1)
    }

    @Test func callErrors() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let unknown = try await client.request("procedures.call", ["name": "nope"])
        #expect(unknown.code == "NOT_FOUND")
        #expect(unknown.message == #"Procedure "nope" not found"#)
        let counted: JSONObject = ["name": "counted", "input": ["count": ["type": "number"]], "steps": [["action": "return", "value": "{{ input.count }}"]]]
        _ = try await client.result("procedures.register", ["procedure": .object(counted)])
        let missing = try await client.request("procedures.call", ["name": "counted"])
        #expect(missing.code == "VALIDATION_ERROR")
        #expect(missing.message == #"Invalid procedure input: Missing required input "count""#)
        #expect(missing["details"] == ["issues": [#"Missing required input "count""#]])
        let wrongType = try await client.request("procedures.call", ["name": "counted", "input": ["count": [1]]])
        #expect(wrongType.message == #"Invalid procedure input: Input "count": expected number, got object"#)
        // Step failures are INTERNAL_ERROR carrying the original message.
        let broken: JSONObject = ["name": "broken", "steps": [["action": "store.get", "bucket": "ghosts", "key": "k", "as": "g"]]]
        _ = try await client.result("procedures.register", ["procedure": .object(broken)])
        let failed = try await client.request("procedures.call", ["name": "broken"])
        #expect(failed.code == "INTERNAL_ERROR")
        #expect(failed.message == #"Bucket "ghosts" is not defined"#)
    }

    @Test func returnKeepsTypes() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let procedure: JSONObject = ["name": "compute", "steps": [["action": "return", "value": ["computed": "{{ input.x }}"]]]]
        _ = try await client.result("procedures.register", ["procedure": .object(procedure)])
        let result = try await client.result("procedures.call", ["name": "compute", "input": ["x": 42]])
        #expect(result["result"] == ["computed": 42])
        #expect(result["results"] == [:])
    }

    @Test func unregisterUpdateGetList() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(try await client.result("procedures.list") == ["procedures": []])
        _ = try await client.result("procedures.register", ["procedure": .object(getOrder)])
        _ = try await client.result("procedures.register", ["procedure": .object(simple)])

        let definition = try await client.result("procedures.get", ["name": "get-order"])
        #expect(definition["name"] == "get-order")
        #expect(definition["description"] == "Reads one order")
        #expect(definition["input"] == getOrder["input"])
        #expect(definition["steps"]?.arrayValue?.count == 1)
        #expect(try await client.request("procedures.get", ["name": "nope"]).code == "NOT_FOUND")

        let list = try #require(try await client.result("procedures.list")["procedures"]?.arrayValue)
        #expect(list == [["name": "get-order", "description": "Reads one order", "stepsCount": 1], ["name": "simple-proc", "stepsCount": 1]])

        #expect(try await client.result("procedures.update", ["name": "get-order", "updates": ["description": "Updated"]]) == ["name": "get-order", "updated": true])
        #expect(try await client.result("procedures.get", ["name": "get-order"])["description"] == "Updated")
        let badUpdate = try await client.request("procedures.update", ["name": "get-order", "updates": ["steps": "x"]])
        #expect(badUpdate.code == "VALIDATION_ERROR")
        #expect(try await client.result("procedures.get", ["name": "get-order"])["steps"]?.arrayValue?.count == 1)
        let missingUpdate = try await client.request("procedures.update", ["name": "nope", "updates": [:]])
        #expect(missingUpdate.code == "NOT_FOUND")
        #expect(try await client.request("procedures.update", ["name": "x"]).message == #"Missing or invalid "updates": expected object"#)

        #expect(try await client.result("procedures.unregister", ["name": "simple-proc"]) == ["name": "simple-proc", "unregistered": true])
        #expect(try await client.request("procedures.call", ["name": "simple-proc"]).code == "NOT_FOUND")
        let unknown = try await client.request("procedures.unregister", ["name": "simple-proc"])
        #expect(unknown.code == "NOT_FOUND")
        #expect(unknown.message == #"Procedure "simple-proc" not found"#)
        #expect(try await client.request("procedures.unregister", ["name": ""]).message == #"Missing or invalid "name": expected non-empty string"#)
    }

    @Test func fullCycle() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("procedures.register", ["procedure": .object(simple)])
        _ = try await client.result("procedures.get", ["name": "simple-proc"])
        _ = try await client.result("procedures.update", ["name": "simple-proc", "updates": ["description": "d"]])
        #expect(try await client.result("procedures.list")["procedures"]?.arrayValue?.count == 1)
        #expect(try await client.result("procedures.call", ["name": "simple-proc"]) == ["success": true, "result": "ok", "results": [:]])
        _ = try await client.result("procedures.unregister", ["name": "simple-proc"])
        #expect(try await client.result("procedures.list") == ["procedures": []])
    }

    @Test func invoiceInATransaction() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "orders", "data": ["id": "inv-1"]])
        let invoice: JSONObject = [
            "name": "invoice", "transaction": true, "input": ["orderId": ["type": "string"], "prices": ["type": "array"]],
            "steps": [
                ["action": "store.insert", "bucket": "items", "data": ["orderId": "{{ input.orderId }}", "price": "{{ input.prices.0 }}"]],
                ["action": "store.insert", "bucket": "items", "data": ["orderId": "{{ input.orderId }}", "price": "{{ input.prices.1 }}"]],
                ["action": "store.insert", "bucket": "items", "data": ["orderId": "{{ input.orderId }}", "price": "{{ input.prices.2 }}"]],
                ["action": "store.where", "bucket": "items", "filter": ["orderId": "{{ input.orderId }}"], "as": "items"],
                ["action": "aggregate", "source": "items", "op": "sum", "field": "price", "as": "total"],
                ["action": "store.update", "bucket": "orders", "key": "{{ input.orderId }}", "data": ["total": "{{ total }}", "status": "calculated"]],
            ],
        ]
        _ = try await client.result("procedures.register", ["procedure": .object(invoice)])
        let result = try await client.result("procedures.call", ["name": "invoice", "input": ["orderId": "inv-1", "prices": [100, 50.5, 25]]])
        #expect(result["results"]?["total"] == 175.5)
        #expect(result["results"]?["items"]?.arrayValue?.count == 3)
        let order = try await client.result("store.get", ["bucket": "orders", "key": "inv-1"])
        #expect(order["total"] == 175.5)
        #expect(order["status"] == "calculated")
    }

    /// F14: a failing step after two writes leaves the store unchanged and pushes nothing.
    @Test func failedTransactionChangesNothingAndPushesNothing() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        try harness.store.defineQuery("all-orders", json: ["bucket": "orders"])
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "orders", "data": ["id": "o-1", "total": 10]])
        let watcher = try await harness.client()
        let subscribed = try await watcher.result("store.subscribe", ["query": "all-orders"])
        let before = subscribed["data"]
        _ = try await watcher.result("rules.subscribe", ["pattern": "*"])

        let procedure: JSONObject = [
            "name": "half-done", "transaction": true,
            "steps": [
                ["action": "store.insert", "bucket": "orders", "data": ["id": "o-2", "total": 20]],
                ["action": "store.update", "bucket": "orders", "key": "o-1", "data": ["status": "touched"]],
                ["action": "rules.emit", "topic": "order.touched"],
                ["action": "store.insert", "bucket": "items", "data": ["price": 5]],
            ],
        ]
        _ = try await client.result("procedures.register", ["procedure": .object(procedure)])
        let failed = try await client.request("procedures.call", ["name": "half-done"])
        #expect(failed.code == "VALIDATION_ERROR")
        #expect(failed.message?.hasPrefix(#"Validation failed for bucket "items""#) == true)
        #expect(failed["details"] == nil)
        #expect(try await client.result("store.all", ["bucket": "orders"]) == before)
        #expect(try await client.result("store.count", ["bucket": "items"]) == 0)
        #expect(await watcher.noPush())

        // Control: without `transaction` the first two writes stay, and they are pushed.
        _ = try await client.result("procedures.update", ["name": "half-done", "updates": ["transaction": false]])
        #expect(try await client.request("procedures.call", ["name": "half-done"]).code == "VALIDATION_ERROR")
        #expect(try await client.result("store.count", ["bucket": "orders"]) == 2)
        _ = try await watcher.nextPush()
    }

    /// F13: procedures never reach `_` system buckets.
    @Test func systemBucketsAreForbidden() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket("_users", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let client = try await harness.client()
        let procedure: JSONObject = ["name": "leak", "steps": [["action": "store.where", "bucket": "_users", "filter": [:], "as": "users"]]]
        let refused = try await client.request("procedures.register", ["procedure": .object(procedure)])
        #expect(refused.code == "FORBIDDEN")
        #expect(refused.message == #"Cannot access system bucket "_users" in procedure"#)
        #expect(try await client.result("procedures.list") == ["procedures": []])
    }

    @Test func tiersWithCustomAuth() async throws {
        let harness = try await harness { configuration in
            configuration.auth = TokenAuthConfiguration(validate: testTokenValidator)
        }
        defer { Task { await harness.stop() } }
        let admin = try await harness.client()
        _ = try await admin.result("auth.login", ["token": "user:a:admin"])
        let writer = try await harness.client()
        _ = try await writer.result("auth.login", ["token": "user:w:writer"])
        let reader = try await harness.client()
        _ = try await reader.result("auth.login", ["token": "user:r:reader"])

        for client in [writer, reader] {
            let denied = try await client.request("procedures.register", ["procedure": .object(simple)])
            #expect(denied.code == "FORBIDDEN")
        }
        #expect(try await admin.result("procedures.register", ["procedure": .object(simple)])["registered"] == true)
        let writing: JSONObject = ["name": "writes", "steps": [["action": "store.insert", "bucket": "orders", "data": ["id": "{{ input.id }}"]]]]
        _ = try await admin.result("procedures.register", ["procedure": .object(writing)])

        #expect(try await writer.result("procedures.call", ["name": "simple-proc"])["result"] == "ok")
        let readerCall = try await reader.request("procedures.call", ["name": "writes", "input": ["id": "by-reader"]])
        #expect(readerCall.code == "FORBIDDEN")
        #expect(readerCall.message == "Role level insufficient for procedures.call (requires write)")
        #expect(try await admin.result("store.count", ["bucket": "orders"]) == 0)
        #expect(try await reader.result("procedures.get", ["name": "simple-proc"])["name"] == "simple-proc")
        #expect(try await writer.request("procedures.unregister", ["name": "simple-proc"]).code == "FORBIDDEN")
        #expect(try await writer.request("procedures.list").code == "FORBIDDEN")
        #expect(try await writer.request("procedures.update", ["name": "simple-proc", "updates": [:]]).code == "FORBIDDEN")

        _ = try await admin.result("procedures.update", ["name": "simple-proc", "updates": ["description": "x"]])
        _ = try await admin.result("procedures.get", ["name": "simple-proc"])
        #expect(try await admin.result("procedures.list")["procedures"]?.arrayValue?.count == 2)
        _ = try await admin.result("procedures.call", ["name": "writes", "input": ["id": "by-admin"]])
        _ = try await admin.result("procedures.unregister", ["name": "simple-proc"])
        #expect(try await writer.result("procedures.call", ["name": "writes", "input": ["id": "by-writer"]])["success"] == true)
        #expect(try await admin.result("store.count", ["bucket": "orders"]) == 2)
    }

    @Test func withoutAuthRegisterAndCallWork() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(try await client.result("procedures.register", ["procedure": .object(simple)])["registered"] == true)
        #expect(try await client.result("procedures.call", ["name": "simple-proc"])["success"] == true)
    }

    @Test func limitsComeFromTheConfiguration() async throws {
        let harness = try await harness { $0.procedures = ProcedureLimits(maxSteps: 2) }
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let ret: JSONValue = ["action": "return", "value": 1]
        let tooLong = try await client.request("procedures.register", ["procedure": ["name": "long", "steps": [ret, ret, ret]]])
        #expect(tooLong.message == "Procedure validation failed: Total step count (3) exceeds maximum (2)")
    }
}
