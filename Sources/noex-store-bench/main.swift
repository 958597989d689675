// noex-store-bench: micro-benchmarks of NoexStore (run a release build).
//
// Usage: noex-store-bench [scale]   (scale 1 = default sizes; smaller for a quick run)
import Dispatch
import Foundation
import NoexStore
import NoexWire
import Synchronization

let scale = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 1 : 1

func n(_ base: Int) -> Int { max(1, Int(Double(base) * scale)) }

func measure(_ label: String, ops: Int, _ body: () throws -> Void) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rate = Double(ops) / seconds
    print(label.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%12.0f ops/s %10.2f µs/op", rate, seconds / Double(ops) * 1e6))
}

let itemsSchema: JSONObject = [
    "key": "id",
    "schema": [
        "id": ["type": "string", "generated": "uuid"],
        "name": ["type": "string", "required": true],
        "value": ["type": "number", "default": 0],
        "tier": ["type": "string", "default": "basic"],
    ],
    "indexes": ["tier"],
]

func freshStore(_ persistence: PersistenceConfiguration = .memory, durability: Durability = .sync) throws -> Store {
    let store = try Store(configuration: .init(persistence: persistence, durability: durability, ttlCheckIntervalMs: 0))
    try store.defineBucket("items", json: itemsSchema)
    return store
}

do {
    print("NoexStore micro-benchmarks (scale \(scale))")
    // CRUD in memory
    let store = try freshStore()
    let items = try store.bucket("items")
    let tiers: [JSONValue] = ["vip", "silver", "basic"]
    let inserts = n(200_000)
    var keys: [JSONValue] = []
    keys.reserveCapacity(inserts)
    try measure("insert (memory, uuid key, validated)", ops: inserts) {
        for i in 0..<inserts {
            let record = try items.insert(["name": .string("item \(i)"), "value": .number(Double(i)), "tier": tiers[i % 3]])
            keys.append(record["id"] ?? .null)
        }
    }
    let gets = n(1_000_000)
    var rng = SystemRandomNumberGenerator()
    let order = (0..<gets).map { _ in Int.random(in: 0..<keys.count, using: &rng) }
    try measure("get (random key of \(keys.count))", ops: gets) {
        var found = 0
        for i in order where try items.get(keys[i]) != nil { found += 1 }
        precondition(found == gets)
    }
    let updates = n(200_000)
    try measure("update (random key)", ops: updates) {
        for i in 0..<updates { try items.update(keys[order[i]], ["value": .number(Double(i))]) }
    }
    // Queries on 1,000 records (the reference's queries.bench setup)
    let q = try freshStore()
    let customers = try q.bucket("items")
    for i in 0..<1000 { try customers.insert(["name": .string("c\(i)"), "tier": tiers[i % 3], "value": .number(Double(20 + i % 50))]) }
    let queryOps = n(20_000)
    try measure("where tier=vip (indexed, 1k records, 334 hits)", ops: queryOps) {
        for _ in 0..<queryOps { let c = try customers.where(["tier": "vip"]).count; precondition(c == 334) }
    }
    try measure("where value=30 (scan, 1k records, 20 hits)", ops: queryOps) {
        for _ in 0..<queryOps { let c = try customers.where(["value": 30]).count; precondition(c == 20) }
    }
    let bigWhere = n(20_000)
    try measure("where tier=vip (indexed, \(keys.count) records, limit via findOne)", ops: bigWhere) {
        for _ in 0..<bigWhere { let r = try items.findOne(["tier": "vip"]); precondition(r != nil) }
    }
    // Reactive fan-out: 1,000 subscriptions, one update
    let r = try freshStore()
    let rb = try r.bucket("items")
    let target = try rb.insert(["name": "watched", "value": 0])
    let targetKey = target["id"] ?? .null
    try r.defineQuery("watched") { ctx, params in
        guard let key = params?["id"] else { return nil }
        return try ctx.bucket("items").get(key).map { .object($0) }
    }
    let received = Atomic<Int>(0)
    var subs: [StoreSubscription] = []
    for _ in 0..<1000 {
        subs.append(try r.subscribe(query: "watched", params: ["id": targetKey]) { _ in
            received.add(1, ordering: .relaxed)
        }.subscription)
    }
    let rounds = n(200)
    try measure("update → 1,000 subscribers notified (shared params)", ops: rounds) {
        for i in 0..<rounds {
            try rb.update(targetKey, ["value": .number(Double(i + 1))])
            r.settleBlocking()
        }
    }
    precondition(received.load(ordering: .relaxed) == rounds * 1000)
    for s in subs { s.cancel() }
    // 1,000 distinct-param subscriptions of an all()-style query: each one re-evaluates.
    try r.defineQuery("count-tier") { ctx, params in
        .number(Double(try ctx.bucket("items").count(["tier": params?["tier"] ?? .null])))
    }
    let received2 = Atomic<Int>(0)
    subs.removeAll()
    for i in 0..<1000 {
        subs.append(try r.subscribe(query: "count-tier", params: ["tier": .string("t\(i)")]) { _ in
            received2.add(1, ordering: .relaxed)
        }.subscription)
    }
    let rounds2 = n(50)
    try measure("insert → 1,000 distinct queries re-evaluated", ops: rounds2) {
        for i in 0..<rounds2 {
            try rb.insert(["name": "x", "tier": .string("t\(i % 1000)")])
            r.settleBlocking()
        }
    }
    // Latency from a committed update to its subscriber's callback (background notify queue).
    let latencyStore = try freshStore()
    let lb = try latencyStore.bucket("items")
    let watched = try lb.insert(["name": "w"])
    let watchedKey = watched["id"] ?? .null
    try latencyStore.defineQuery("one") { ctx, params in try ctx.bucket("items").get(params ?? .null).map { .object($0) } }
    let stamps = Mutex<[UInt64]>([])
    _ = try latencyStore.subscribe(query: "one", params: watchedKey) { _ in
        let now = DispatchTime.now().uptimeNanoseconds
        stamps.withLock { $0.append(now) }
    }
    var latencies: [Double] = []
    for i in 0..<n(2000) {
        let before = DispatchTime.now().uptimeNanoseconds
        try lb.update(watchedKey, ["value": .number(Double(i + 1))])
        latencyStore.settleBlocking()
        if let at = stamps.withLock({ $0.popLast() }) { latencies.append(Double(at - before) / 1000) }
    }
    latencies.sort()
    if !latencies.isEmpty {
        print("update → callback latency (1 subscriber)".padding(toLength: 56, withPad: " ", startingAt: 0)
            + String(format: "p50 %.1f µs, p99 %.1f µs", latencies[latencies.count / 2], latencies[latencies.count * 99 / 100]))
    }
    // Durable inserts
    let dir = NSTemporaryDirectory() + "noex-store-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let configs: [(String, PersistenceConfiguration, Durability, Int)] = [
        ("insert file .none", .file(directory: dir + "/f-none"), .none, n(100_000)),
        ("insert file .sync (write before ack)", .file(directory: dir + "/f-sync"), .sync, n(50_000)),
        ("insert file .fsync", .file(directory: dir + "/f-fsync"), .fsync, n(2_000)),
        ("insert sqlite .none", .sqlite(path: dir + "/s-none.db"), .none, n(100_000)),
        ("insert sqlite .sync (commit before ack)", .sqlite(path: dir + "/s-sync.db"), .sync, n(20_000)),
        ("insert sqlite .fsync", .sqlite(path: dir + "/s-fsync.db"), .fsync, n(2_000)),
    ]
    for (label, persistence, durability, count) in configs {
        let d = try freshStore(persistence, durability: durability)
        let b = try d.bucket("items")
        try measure(label, ops: count) {
            for i in 0..<count { try b.insert(["name": .string("item \(i)"), "value": .number(Double(i))]) }
            try d.flush()
        }
        try d.close()
    }
    // Group commit: 4 threads inserting concurrently with .sync
    for (label, persistence) in [("file", PersistenceConfiguration.file(directory: dir + "/g-file")),
                                 ("sqlite", .sqlite(path: dir + "/g-sqlite.db"))] {
        let d = try freshStore(persistence, durability: .sync)
        let b = try d.bucket("items")
        let perThread = n(label == "file" ? 25_000 : 10_000)
        measure("insert \(label) .sync, 4 threads (group commit)", ops: perThread * 4) {
            DispatchQueue.concurrentPerform(iterations: 4) { t in
                for i in 0..<perThread { _ = try? b.insert(["name": .string("t\(t)-\(i)")]) }
            }
        }
        try d.close()
    }
} catch {
    print("error: \(error)")
    exit(1)
}
