import NoexStore
import NoexWire
import Synchronization
import Testing

/// Collects callback results.
final class Recorder: Sendable {
    let values = Mutex<[JSONValue?]>([])
    func record(_ v: JSONValue?) { values.withLock { $0.append(v) } }
    var all: [JSONValue?] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}

/// Counts evaluations.
final class Counter: Sendable {
    let n = Atomic<Int>(0)
    func bump() { n.add(1, ordering: .relaxed) }
    var value: Int { n.load(ordering: .relaxed) }
}

@Suite struct ReactiveTests {
    func setup() throws -> (Store, BucketHandle) {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        return (store, try store.bucket("users"))
    }

    func names(_ v: JSONValue?) -> [String] {
        v?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    @Test func closureQueryPushesChangesButNotTheInitialResult() async throws {
        let (store, users) = try setup()
        try store.defineQuery("all-users") { ctx, _ in .array(try ctx.bucket("users").all().map { .object($0) }) }
        let recorder = Recorder()
        let (initial, sub) = try store.subscribe(query: "all-users") { recorder.record($0) }
        #expect(initial == .array([]))
        await store.settle()
        #expect(recorder.count == 0)
        let alice = try users.insert(["name": "Alice"])
        await store.settle()
        #expect(recorder.all.map(names) == [["Alice"]])
        try users.update(try #require(alice["id"]), ["age": 5])
        await store.settle()
        #expect(recorder.count == 2, "an update changes _version, so the result differs")
        try users.delete(try #require(alice["id"]))
        await store.settle()
        #expect(recorder.all.last == .some(.array([])))
        sub.cancel()
        sub.cancel()
        try users.insert(["name": "Bob"])
        await store.settle()
        #expect(recorder.count == 3, "no callbacks after cancel")
    }

    @Test func getQueryDependsOnlyOnItsKey() async throws {
        let (store, users) = try setup()
        try users.insert(["id": "a", "name": "A"])
        try users.insert(["id": "b", "name": "B"])
        let evaluations = Counter()
        try store.defineQuery("user") { ctx, params in
            evaluations.bump()
            return try ctx.bucket("users").get(params?["id"] ?? .null).map { .object($0) }
        }
        let recorder = Recorder()
        let (initial, _) = try store.subscribe(query: "user", params: ["id": "a"]) { recorder.record($0) }
        #expect(initial?["name"] == "A")
        #expect(evaluations.value == 1)
        try users.update("b", ["name": "B2"])
        try users.insert(["id": "c", "name": "C"])
        try users.delete("c")
        await store.settle()
        #expect(evaluations.value == 1, "changes to other keys do not re-run a get-query")
        #expect(recorder.count == 0)
        try users.update("a", ["name": "A2"])
        await store.settle()
        #expect(evaluations.value == 2)
        #expect(recorder.all.map { $0?["name"] } == ["A2"])
        try users.delete("a")
        await store.settle()
        #expect(recorder.all.last == .some(nil), "a deleted record gives an undefined result")
    }

    @Test func scanQueriesDependOnTheWholeBucketAndDedupe() async throws {
        let (store, users) = try setup()
        try store.defineBucket("other", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let evaluations = Counter()
        try store.defineQuery("admins") { ctx, _ in
            evaluations.bump()
            return .number(Double(try ctx.bucket("users").count(["role": "admin"])))
        }
        let recorder = Recorder()
        let (initial, _) = try store.subscribe(query: "admins") { recorder.record($0) }
        #expect(initial == 0)
        try users.insert(["name": "plain"])
        await store.settle()
        #expect(evaluations.value == 2, "any change in the bucket re-runs a scan query")
        #expect(recorder.count == 0, "an unchanged result is not pushed")
        try store.bucket("other").insert(["id": "x"])
        await store.settle()
        #expect(evaluations.value == 2, "other buckets do not matter")
        try users.insert(["name": "boss", "role": "admin"])
        await store.settle()
        #expect(recorder.all == [1])
    }

    @Test func identicalParamsShareOneEvaluation() async throws {
        let (store, users) = try setup()
        let evaluations = Counter()
        try store.defineQuery("by-role") { ctx, params in
            evaluations.bump()
            return .array(try ctx.bucket("users").where(["role": params?["role"] ?? .null]).map { .object($0) })
        }
        let recorder = Recorder()
        var subs: [StoreSubscription] = []
        for _ in 0..<1000 {
            subs.append(try store.subscribe(query: "by-role", params: ["role": "admin"]) { recorder.record($0) }.subscription)
        }
        let other = Recorder()
        _ = try store.subscribe(query: "by-role", params: ["role": "user"]) { other.record($0) }
        #expect(evaluations.value == 2, "one evaluation per distinct (query, params)")
        #expect(store.listQueries().first?.activeSubscriptions == 1001)
        try users.insert(["name": "root", "role": "admin"])
        await store.settle()
        #expect(evaluations.value == 4)
        #expect(recorder.count == 1000)
        #expect(Set(recorder.all.map(names)) == [["root"]])
        #expect(other.count == 0)
        for s in subs.prefix(999) { s.cancel() }
        #expect(store.listQueries().first?.activeSubscriptions == 2)
    }

    @Test func transactionCommitReevaluatesOnce() async throws {
        let (store, _) = try setup()
        let evaluations = Counter()
        try store.defineQuery("all") { ctx, _ in
            evaluations.bump()
            return .array(try ctx.bucket("users").all().map { .object($0) })
        }
        let recorder = Recorder()
        _ = try store.subscribe(query: "all") { recorder.record($0) }
        try store.transaction { tx throws(StoreError) in
            for name in ["a", "b", "c"] { try tx.insert("users", ["name": .string(name)]) }
        }
        await store.settle()
        #expect(evaluations.value == 2)
        #expect(recorder.all.map(names) == [["a", "b", "c"]])
    }

    @Test func clearReevaluatesDependents() async throws {
        let (store, users) = try setup()
        try users.insert(["id": "a", "name": "A"])
        try store.defineQuery("count") { ctx, _ in .number(Double(try ctx.bucket("users").count())) }
        try store.defineQuery("get") { ctx, _ in try ctx.bucket("users").get("a").map { .object($0) } }
        let counts = Recorder()
        let gets = Recorder()
        _ = try store.subscribe(query: "count") { counts.record($0) }
        _ = try store.subscribe(query: "get") { gets.record($0) }
        try users.clear()
        await store.settle()
        #expect(counts.all == [0])
        #expect(gets.all == [nil])
    }

    @Test func queryErrorsAndLifecycle() async throws {
        let (store, users) = try setup()
        struct Boom: Error {}
        let fail = Atomic<Bool>(false)
        try store.defineQuery("fragile") { ctx, _ in
            let n = try ctx.bucket("users").count()
            if fail.load(ordering: .relaxed) { throw Boom() }
            return .number(Double(n))
        }
        #expect(storeError { () throws(StoreError) in try store.defineQuery("fragile") { _, _ in nil } } == .queryAlreadyDefined("fragile"))
        #expect(storeError { () throws(StoreError) in try store.subscribe(query: "ghost") { _ in } } == .queryNotDefined("ghost"))
        #expect(storeError { () throws(StoreError) in try store.runQuery("ghost", params: nil) }?.message == "Query \"ghost\" is not defined")
        let recorder = Recorder()
        _ = try store.subscribe(query: "fragile") { recorder.record($0) }
        fail.store(true, ordering: .relaxed)
        try users.insert(["name": "a"])
        await store.settle()
        #expect(recorder.count == 0, "a failing re-evaluation pushes nothing")
        fail.store(false, ordering: .relaxed)
        try users.insert(["name": "b"])
        await store.settle()
        #expect(recorder.all == [2], "the subscription survived the failure")
        fail.store(true, ordering: .relaxed)
        // A new (query, params) pair is evaluated at once, and its failure is the subscribe's.
        #expect(storeError { () throws(StoreError) in try store.subscribe(query: "fragile", params: 1) { _ in } }?.code.rawValue == "INTERNAL_ERROR")
        #expect(store.listQueries().first?.activeSubscriptions == 1)
        fail.store(false, ordering: .relaxed)
        #expect(try store.runQuery("fragile", params: nil) == 2)
        try store.undefineQuery("fragile")
        #expect(storeError { () throws(StoreError) in try store.undefineQuery("fragile") } == .queryNotDefined("fragile"))
        try users.insert(["name": "c"])
        await store.settle()
        #expect(recorder.count == 1, "undefining drops the subscriptions silently")
        #expect(store.listQueries().isEmpty)
    }

    @Test func dropBucketDropsDependentSubscriptions() async throws {
        let (store, users) = try setup()
        try store.defineQuery("all") { ctx, _ in .number(Double(try ctx.bucket("users").count())) }
        let recorder = Recorder()
        _ = try store.subscribe(query: "all") { recorder.record($0) }
        try users.insert(["name": "a"])
        await store.settle()
        try store.dropBucket("users")
        #expect(store.stats()["queries"]?["activeSubscriptions"] == 0)
        try store.defineBucket("users", json: usersDefinition)
        try store.bucket("users").insert(["name": "b"])
        await store.settle()
        #expect(recorder.all == [1])
    }

    @Test func callbacksMayReadTheStore() async throws {
        let (store, users) = try setup()
        try store.defineQuery("count") { ctx, _ in .number(Double(try ctx.bucket("users").count())) }
        let seen = Recorder()
        _ = try store.subscribe(query: "count") { _ in
            // Reading from a callback would deadlock if callbacks ran under the store lock.
            seen.record(.number(Double((try? users.count()) ?? -1)))
        }
        try users.insert(["name": "a"])
        await store.settle()
        #expect(seen.all == [1])
    }

    @Test func declarativeQueries() async throws {
        let (store, users) = try setup()
        for (name, role, age) in [("Carol", "admin", 40), ("Alice", "user", 30), ("Bob", "admin", 25), ("Dave", "user", 35)] {
            try users.insert(["name": .string(name), "role": .string(role), "age": .number(Double(age))])
        }
        try users.insert(["name": "Eve", "role": "user"])
        try store.defineQuery("sorted", json: ["bucket": "users", "sort": ["name": "asc"], "limit": 2])
        #expect(names(try store.runQuery("sorted", params: nil)) == ["Alice", "Bob"])
        try store.defineQuery("by-age", json: ["bucket": "users", "sort": ["age": "desc"], "offset": 1, "fields": ["name", "age"]])
        #expect(try store.runQuery("by-age", params: nil) == [["name": "Dave", "age": 35], ["name": "Alice", "age": 30], ["name": "Bob", "age": 25], ["name": "Eve"]])
        try store.defineQuery("multi", json: ["bucket": "users", "sort": ["role": "asc", "age": "asc"], "fields": ["name"]])
        #expect(names(try store.runQuery("multi", params: nil)) == ["Bob", "Carol", "Alice", "Dave", "Eve"])
        try store.defineQuery("admins", json: ["bucket": "users", "filter": ["role": "{{ params.role }}"], "sort": ["name": "asc"]])
        #expect(names(try store.runQuery("admins", params: ["role": "admin"])) == ["Bob", "Carol"])
        #expect(names(try store.runQuery("admins", params: nil)).isEmpty, "a missing param is undefined")
        try store.defineQuery("count", json: ["bucket": "users", "filter": ["role": "admin"], "aggregate": ["function": "count"]])
        #expect(try store.runQuery("count", params: nil) == 2)
        try store.defineQuery("avg-age", json: ["bucket": "users", "aggregate": ["function": "avg", "field": "age"]])
        #expect(try store.runQuery("avg-age", params: nil) == 32.5)
        try store.defineQuery("max-score", json: ["bucket": "users", "aggregate": ["function": "max", "field": "score"]])
        #expect(try store.runQuery("max-score", params: nil) == nil, "min/max over no numbers is undefined")
        try store.defineQuery("ops", json: ["bucket": "users", "filter": ["age": ["$gte": "{{params.min}}"]], "fields": ["name"], "sort": ["name": "asc"]])
        #expect(names(try store.runQuery("ops", params: ["min": 35])) == ["Carol", "Dave"])
        // Reactive: a push after a matching insert, none after a non-matching one.
        let recorder = Recorder()
        let (initial, _) = try store.subscribe(query: "admins", params: ["role": "admin"]) { recorder.record($0) }
        #expect(names(initial) == ["Bob", "Carol"])
        try users.insert(["name": "Zed", "role": "user"])
        await store.settle()
        #expect(recorder.count == 0)
        try users.insert(["name": "Ann", "role": "admin"])
        await store.settle()
        #expect(recorder.all.map(names) == [["Ann", "Bob", "Carol"]])
        // Listing
        let info = try #require(store.listQueries().first { $0.name == "admins" })
        #expect(info.type == .declarative && info.activeSubscriptions == 1)
        #expect(info.config == ["bucket": "users", "filter": ["role": "{{ params.role }}"], "sort": ["name": "asc"]])
        #expect(info.json["config"]?["bucket"] == "users")
    }

    @Test func declarativeConfigErrors() throws {
        let (store, _) = try setup()
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: ["bucket": "ghost"]) }?.message
            == "Bucket \"ghost\" is not defined")
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: [:]) }?.message
            == "Invalid \"bucket\" in query \"q\": expected non-empty string")
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: ["bucket": "users", "sort": ["name": "up"]]) }?.message
            == "Invalid \"sort\" in query \"q\": expected \"asc\" or \"desc\" for field \"name\"")
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: ["bucket": "users", "aggregate": ["function": "median"]]) }?
            .code.rawValue == "VALIDATION_ERROR")
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: ["bucket": "users", "limit": -1]) } != nil)
        try store.defineQuery("q", json: ["bucket": "users", "select": ["name"]])
        #expect(store.listQueries().first?.config?["select"] == ["name"], "unknown keys are kept")
        #expect(storeError { () throws(StoreError) in try store.defineQuery("q", json: ["bucket": "users"]) }?.code.rawValue == "ALREADY_EXISTS")
        try store.defineQuery("p") { _, _ in nil }
        #expect(store.listQueries().map(\.type) == [.declarative, .programmatic])
        #expect(store.listQueries().last?.config == nil)
    }
}
