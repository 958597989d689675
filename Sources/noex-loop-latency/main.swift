// noex-loop-latency: shows that no allowed request stalls the server for other clients
// (issue 14, "nothing slow on the event loop"), and that transactions cost linear time.
//
// Usage: noex-loop-latency [seconds-per-phase] [big-bucket-records] [transaction-operations]
//
// 1. Times `Store.transaction` with 2 500 / 5 000 / 10 000 / 20 000 inserts (linear: each
//    doubling should about double the time).
// 2. Starts a server on 127.0.0.1 (default limits) and measures a healthy client's
//    `store.get` latency on a small bucket, first alone, then while other connections loop
//    the worst allowed request of each kind: a 1 000-operation transaction (the default
//    `maxTransactionOperations`; the third argument changes it), `store.all` /
//    `store.where` / a 10 000-record `store.paginate` / a filtered `store.count` of a large
//    bucket, a subscription to a query over it, and rules events that fan out to the action
//    budget or run a catastrophic regular expression. Prints p50 / p99 / max per phase.
//
// Run a release build on an otherwise idle machine: `swift run -c release noex-loop-latency`.
import Dispatch
import Foundation
import NoexRules
import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization

let arguments = CommandLine.arguments

func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded(.up)))]
}

/// The healthy client's `store.get` latencies (ms) over `seconds`, sorted.
func healthyLatencies(port: Int, seconds: Double) async throws -> [Double] {
    let client = try await TestClient.live(port: port)
    var latencies: [Double] = []
    let end = nowNs() + UInt64(seconds * 1e9)
    var i = 0
    while nowNs() < end {
        let start = nowNs()
        _ = try await client.result("store.get", ["bucket": "small", "key": .string("s\(i % 100)")])
        latencies.append(Double(nowNs() - start) / 1e6)
        i += 1
        // A steady trickle, like an interactive client, not a saturating loop.
        try await Task.sleep(for: .milliseconds(2))
    }
    await client.close()
    return latencies.sorted()
}

// The healthy client runs in a process of its own (`noex-loop-latency healthy <port> <seconds>`):
// in the server's process it would share the cooperative thread pool with the heavy requests
// and measure its own scheduling, not the server.
if arguments.count == 4, arguments[1] == "healthy", let port = Int(arguments[2]), let seconds = Double(arguments[3]) {
    let latencies = try await healthyLatencies(port: port, seconds: seconds)
    print(latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.last ?? .nan)
    exit(0)
}

let phaseSeconds = arguments.count > 1 ? Double(arguments[1]) ?? 5 : 5
let bigRecords = arguments.count > 2 ? Int(arguments[2]) ?? 80_000 : 80_000
/// Operations in the looping transaction (the default `maxTransactionOperations`).
let transactionSize = arguments.count > 3 ? Int(arguments[3]) ?? 1_000 : 1_000

let schema: JSONObject = [
    "key": "id",
    "schema": ["id": ["type": "string"], "n": ["type": "number"], "text": ["type": "string"]],
]

// MARK: 1. Transaction cost against size

print("Store.transaction, inserts only (in-process, no server):")
for size in [2_500, 5_000, 10_000, 20_000] {
    let store = try Store(configuration: .init(ttlCheckIntervalMs: 0))
    try store.defineBucket("t", json: schema)
    let start = nowNs()
    try store.transaction { tx throws(StoreError) in
        for i in 0..<size { try tx.insert("t", ["id": .string("k\(i)"), "n": .number(Double(i))]) }
    }
    let ms = Double(nowNs() - start) / 1e6
    print(String(format: "  %6d inserts: %8.1f ms  (%.2f µs/insert)", size, ms, ms * 1000 / Double(size)))
}

// MARK: 1b. The store lock: how long a get waits while large transactions loop

do {
    let store = try Store(configuration: .init(ttlCheckIntervalMs: 0))
    try store.defineBucket("t", json: schema)
    try store.defineBucket("small", json: schema)
    try store.bucket("small").insert(["id": "s"])
    try store.transaction { tx throws(StoreError) in
        for i in 0..<10_000 { try tx.insert("t", ["id": .string("k\(i)"), "n": 0]) }
    }
    let running = Atomic<Bool>(true)
    let writer = Thread {
        var n = 0.0
        while running.load(ordering: .relaxed) {
            n += 1
            _ = try? store.transaction { tx throws(StoreError) in
                for i in 0..<10_000 { try tx.update("t", .string("k\(i)"), ["n": .number(n)]) }
            }
        }
    }
    writer.start()
    var waits: [Double] = []
    let end = nowNs() + 3_000_000_000
    while nowNs() < end {
        let start = nowNs()
        _ = try store.getEncoded("s", inBucket: "small")
        waits.append(Double(nowNs() - start) / 1e6)
        usleep(200)
    }
    running.store(false, ordering: .relaxed)
    waits.sort()
    print(String(format: "  store.get beside looping 10 000-update transactions: p50 %.3f ms  p99 %.3f ms  max %.3f ms",
        percentile(waits, 0.5), percentile(waits, 0.99), waits.last ?? .nan))
}

// MARK: 2. Healthy-client latency under the worst allowed requests

let store = try Store(configuration: .init(ttlCheckIntervalMs: 0))
try store.defineBucket("small", json: schema)
try store.defineBucket("big", json: schema)
try store.defineBucket("tx", json: schema)
let text = String(repeating: "x", count: 100)
try store.transaction { tx throws(StoreError) in
    for i in 0..<100 { try tx.insert("small", ["id": .string("s\(i)"), "n": .number(Double(i))]) }
    for i in 0..<bigRecords { try tx.insert("big", ["id": .string("b\(i)"), "n": .number(Double(i)), "text": .string(text)]) }
    for i in 0..<10_000 { try tx.insert("tx", ["id": .string("t\(i)"), "n": 0]) }
}
try store.defineQuery("bigQuery", json: ["bucket": "big", "filter": ["text": .string(text)]])

// The rules attacks: a rule that fans out 4 events per firing (stopped by maxActionsPerEvent)
// and one whose condition is a catastrophic regular expression (stopped by regexTimeLimitMs).
let rules = RuleEngine()
_ = try rules.registerRule([
    "id": "fan", "name": "Fan out", "trigger": ["type": "event", "topic": "fan.out"],
    "actions": .array(Array(repeating: ["type": "emit_event", "topic": "fan.out", "data": [:]], count: 4)),
])
_ = try rules.registerRule([
    "id": "regex", "name": "Regex", "trigger": ["type": "event", "topic": "regex.in"],
    "conditions": [["source": ["type": "event", "field": "text"], "operator": "matches", "value": "^(a+)+$"]],
    "actions": [["type": "set_fact", "key": "matched", "value": true]],
])

var configuration = ServerConfiguration(store: store)
configuration.rules = rules
configuration.host = "127.0.0.1"
configuration.port = 0
configuration.logWarning = { _ in }
// The attackers' answers are large; they must not be refused for backpressure while the
// (same-process) client reads them.
configuration.backpressure = BackpressureConfiguration(maxBufferedBytes: 64 * 1_048_576)
let server = try await NoexServer.start(configuration)
let recordBytes = try store.getEncoded("b0", inBucket: "big")?.count ?? 0
print("\nServer on port \(server.port); big bucket: \(bigRecords) records of ~\(recordBytes) bytes of JSON")

/// One attacker: loops its request on its own connection until `stop` is set.
struct Attack: Sendable {
    let label: String
    let type: String
    let payload: JSONObject
}

let updates: JSONValue = .array((0..<transactionSize).map { i in
    ["op": "update", "bucket": "tx", "key": .string("t\(i)"), "data": ["n": 1]]
})
let attacks: [Attack] = [
    Attack(label: "store.transaction (\(transactionSize) updates)", type: "store.transaction", payload: ["operations": updates]),
    Attack(label: "store.all (big)", type: "store.all", payload: ["bucket": "big"]),
    Attack(label: "store.where (big, scan)", type: "store.where", payload: ["bucket": "big", "filter": ["n": ["$gte": 0]]]),
    Attack(label: "store.paginate (big, 10 000)", type: "store.paginate", payload: ["bucket": "big", "limit": 10_000, "after": "b100"]),
    Attack(label: "store.count (big, filter)", type: "store.count", payload: ["bucket": "big", "filter": ["text": .string(text)]]),
    Attack(label: "store.subscribe (query over big)", type: "store.subscribe", payload: ["query": "bigQuery"]),
    Attack(label: "rules.emit (4-way fan-out rule)", type: "rules.emit", payload: ["topic": "fan.out"]),
    Attack(
        label: "rules.emit (catastrophic regex rule)", type: "rules.emit",
        payload: ["topic": "regex.in", "data": ["text": .string(String(repeating: "a", count: 40) + "b")]]),
    Attack(label: "rules.queryFacts (glob attack)", type: "rules.queryFacts", payload: ["pattern": "**************b"]),
]

let stop = Atomic<Bool>(false)
let completed = Mutex<[String: Int]>([:])

/// Runs the healthy client in a child process for `seconds`; returns `(n, p50, p99, max)`.
/// The wait happens on a dispatch thread: blocking a cooperative-pool thread for the whole
/// phase would take it away from the server's tasks.
func measureHealthy(seconds: Double) async throws -> (Int, Double, Double, Double) {
    let port = server.port
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runHealthyChild(port: port, seconds: seconds) })
        }
    }
}

func runHealthyChild(port: Int, seconds: Double) throws -> (Int, Double, Double, Double) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["healthy", String(port), String(seconds)]
    let pipe = Pipe()
    child.standardOutput = pipe
    try child.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    let fields = output.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan }
    guard fields.count == 4 else { return (0, .nan, .nan, .nan) }
    return (Int(fields[0]), fields[1], fields[2], fields[3])
}

func report(_ label: String, _ m: (Int, Double, Double, Double)) {
    print(String(format: "  %-46@ n=%5d  p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms", label as NSString, m.0, m.1, m.2, m.3))
}

print("\nHealthy client (own process): store.get on a 100-record bucket, every 2 ms, \(phaseSeconds) s per phase")
report("alone", try await measureHealthy(seconds: phaseSeconds))

for attack in attacks {
    stop.store(false, ordering: .relaxed)
    let attacker = Task {
        let client = try await TestClient.live(port: server.port)
        while !stop.load(ordering: .relaxed) {
            let answer = try await client.request(attack.type, attack.payload)
            if answer["type"] != "result" {
                guard completed.withLock({ $0["! " + attack.label] == nil }) else { continue }
                completed.withLock { $0["! " + attack.label] = 1 }
                print("  ! \(attack.label): \(answer["code"]?.stringValue ?? "?") \(answer["message"]?.stringValue ?? "")")
            } else if attack.type == "store.subscribe", let id = answer["data"]?["subscriptionId"] {
                _ = try await client.request("store.unsubscribe", ["subscriptionId": id])
            }
            completed.withLock { $0[attack.label, default: 0] += 1 }
        }
        await client.close()
    }
    // Let the attacker get going first.
    try await Task.sleep(for: .milliseconds(200))
    let latencies = try await measureHealthy(seconds: phaseSeconds)
    stop.store(true, ordering: .relaxed)
    _ = await attacker.result
    let done = completed.withLock { $0[attack.label] ?? 0 }
    report("with \(attack.label) ×\(done)", latencies)
}

await server.stop()
