@testable import NoexServer
import NoexRules
import NoexStore
import NoexWire
import Synchronization

/// A store with `orders` and `items`, a rule engine, and a procedure engine over them: the
/// engine without a server, for unit tests.
struct ProcedureFixture {
    let store: Store
    let rules: RuleEngine?
    let engine: ProcedureEngine

    init(rules withRules: Bool = true, limits: ProcedureLimits = ProcedureLimits(), clock: ServerClock = .system) throws {
        store = try Store()
        try Self.defineOrdersAndItems(in: store)
        rules = withRules ? RuleEngine() : nil
        engine = ProcedureEngine(registry: ProcedureRegistry(), store: store, rules: rules, limits: limits, clock: clock)
    }

    /// Defines `orders` (`id`, `status` default `pending`, `total` default 0) and `items`
    /// (`id`, required `orderId`, optional `price`), the buckets of the reference's tests.
    static func defineOrdersAndItems(in store: Store) throws {
        try store.defineBucket(
            "orders",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "status": ["type": "string", "default": "pending"],
                    "total": ["type": "number", "default": 0],
                ],
            ])
        try store.defineBucket(
            "items",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "orderId": ["type": "string", "required": true],
                    "price": ["type": "number"],
                ],
            ])
    }

    /// Registers a procedure with the given steps (under a fresh name unless one is given) and runs it.
    func run(
        _ steps: [JSONValue], input: JSONObject = [:], transaction: Bool = false, name: String? = nil
    ) throws -> JSONObject {
        let name = name ?? "p-\(UInt64.random(in: 0...UInt64.max))"
        try engine.register(["name": .string(name), "steps": .array(steps), "transaction": .bool(transaction)])
        return try engine.call(name, input: input).objectValue ?? [:]
    }

    /// The error a run throws, or `nil` when it succeeds.
    func failure(_ steps: [JSONValue], input: JSONObject = [:], transaction: Bool = false) -> (any Error)? {
        do {
            _ = try run(steps, input: input, transaction: transaction)
            return nil
        } catch {
            return error
        }
    }

    /// The wire error a run answers, or `nil` when it succeeds.
    func protocolFailure(_ steps: [JSONValue], input: JSONObject = [:], transaction: Bool = false) -> ProtocolError? {
        failure(steps, input: input, transaction: transaction).map(ProcedureError.protocolError(for:))
    }

    func insertOrder(_ id: String, total: Double, status: String = "pending") throws {
        _ = try store.bucket("orders").insert(["id": .string(id), "total": .number(total), "status": .string(status)])
    }

    func insertItem(_ id: String, order: String, price: JSONValue) throws {
        _ = try store.bucket("items").insert(["id": .string(id), "orderId": .string(order), "price": price])
    }

    /// Every event the rule engine emits, by topic.
    func recordEvents() -> EventLog {
        let log = EventLog()
        _ = rules?.subscribe("*") { topic, event in log.append(topic, event.data) }
        return log
    }
}

/// Events seen by a rule-engine subscription.
final class EventLog: Sendable {
    private let entries = Mutex<[(String, JSONObject)]>([])
    func append(_ topic: String, _ data: JSONObject) { entries.withLock { $0.append((topic, data)) } }
    var topics: [String] { entries.withLock { $0.map(\.0) } }
    var data: [JSONObject] { entries.withLock { $0.map(\.1) } }
}

/// A clock that moves forward by `step` ms every time it is read.
final class SteppingClock: Sendable {
    private let now = Atomic<Int64>(0)
    let step: Int64
    init(step: Int64) { self.step = step }
    var clock: ServerClock { ServerClock { [self] in now.add(step, ordering: .relaxed).newValue } }
}
