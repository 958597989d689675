import Dispatch
import NoexStore
import NoexWire
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersAndSubscribersConverge() async throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        try store.defineQuery("count") { ctx, _ in .number(Double(try ctx.bucket("users").count())) }
        let last = Mutex<JSONValue?>(nil)
        _ = try store.subscribe(query: "count") { v in last.withLock { $0 = v } }
        let users = try store.bucket("users")
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<200 {
                do {
                    let r = try users.insert(["name": .string("t\(t)-\(i)")])
                    if i % 3 == 0, let key = r["id"] { try users.update(key, ["age": .number(Double(i))]) }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        await store.settle()
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try users.count() == 800)
        #expect(last.withLock { $0 } == .some(800), "the subscriber converged to the final state")
    }

    @Test func concurrentTransactionsStayAtomic() throws {
        let store = try makeStore()
        try store.defineBucket("accounts", json: ["key": "id", "schema": ["id": ["type": "number"], "balance": ["type": "number", "min": 0]]])
        let accounts = try store.bucket("accounts")
        for i in 0..<5 { try accounts.insert(["id": .number(Double(i)), "balance": 100]) }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<150 {
                let from = JSONValue.number(Double(Int.random(in: 0..<5, using: &rng)))
                let to = JSONValue.number(Double(Int.random(in: 0..<5, using: &rng)))
                guard from != to else { continue }
                let amount = Double(Int.random(in: 1...30, using: &rng))
                do throws(StoreError) {
                    try store.transaction { tx throws(StoreError) in
                        guard let a = try tx.get("accounts", from)?["balance"]?.numberValue,
                            let b = try tx.get("accounts", to)?["balance"]?.numberValue
                        else { return }
                        try tx.update("accounts", from, ["balance": .number(a - amount)])
                        try tx.update("accounts", to, ["balance": .number(b + amount)])
                    }
                } catch {
                    // A conflict or an overdraft aborts the whole transfer; both are expected here.
                    _ = error
                }
            }
            _ = t
        }
        // Conflicts and overdrafts (validation) abort whole transfers, so money is conserved.
        #expect(try accounts.sum("balance") == 500)
        #expect(try accounts.min("balance") ?? -1 >= 0)
    }
}
