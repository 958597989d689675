import NoexProtocol
import NoexStore
import NoexWebSocket
import NoexWire
import Synchronization

/// A counter the benchmark closures can share.
final class BenchmarkCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// The next value, starting at 1.
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

extension MicroBenchmark {
    /// Hot paths above the JSON codec: frames, payload validation, the store and one reactive
    /// fan-out.
    static let server: [MicroBenchmark] = {
        let requestText = wireRequest
        let request = parsed(requestText).objectValue ?? [:]
        let insertMessage: JSONObject = [
            "id": 18, "type": "store.insert", "bucket": "users",
            "data": ["name": "Ada", "email": "ada@example.com", "age": 36],
        ]
        let maskedFrame = WebSocketFrameEncoder.encode(opcode: .text, payload: requestText, maskingKey: 0x1234_5678)
        let decoder = WebSocketFrameDecoder(role: .server, maxPayloadLength: 1 << 20)

        let store = try? Store()
        try? store?.defineBucket(
            "users",
            json: ["key": "id", "schema": ["id": ["type": "string"], "name": ["type": "string"], "n": ["type": "number"]]])
        let users = try? store?.bucket("users")
        for i in 0..<10_000 { _ = try? users?.insert(["id": .string("u\(i)"), "name": "x", "n": .number(Double(i))]) }
        let inserts = BenchmarkCounter()
        let gets = BenchmarkCounter()
        let updatesPlain = BenchmarkCounter()

        // 1,000 subscribers of one query over a one-record bucket: one update, one evaluation,
        // 1,000 callbacks.
        try? store?.defineBucket("hot", json: ["key": "id", "schema": ["id": ["type": "string"], "seq": ["type": "number"]]])
        _ = try? store?.bucket("hot").insert(["id": "k", "seq": 0])
        try? store?.defineQuery("hot-all", json: ["bucket": "hot"])
        var subscriptions: [StoreSubscription] = []
        for _ in 0..<1_000 {
            if let (_, subscription) = try? store?.subscribe(query: "hot-all", params: nil, onChange: { blackHole($0) }) {
                subscriptions.append(subscription)
            }
        }
        let updates = BenchmarkCounter()
        let subscribers = subscriptions

        return [
            MicroBenchmark("frame: encode server text frame (\(requestText.count) B)") {
                blackHole(WebSocketFrameEncoder.encode(opcode: .text, payload: requestText))
            },
            MicroBenchmark("frame: decode header + unmask client frame (\(requestText.count) B)") {
                var copy = maskedFrame
                copy.withUnsafeMutableBytes { bytes in
                    blackHole(decoder.decodeHeader(UnsafeRawBufferPointer(bytes)))
                    WebSocketMasking.apply(key: 0x1234_5678, to: UnsafeMutableRawBufferPointer(rebasing: bytes[6...]))
                }
                blackHole(copy)
            },
            MicroBenchmark("protocol: decode + validate store.get payload") {
                blackHole(try? Request(type: "store.get", payload: request))
            },
            MicroBenchmark("protocol: decode + validate store.insert payload") {
                blackHole(try? Request(type: "store.insert", payload: insertMessage))
            },
            MicroBenchmark("store: get among 10,000 records") {
                blackHole(try? users?.get(.string("u\(gets.next() &* 7919 % 10_000)")))
            },
            MicroBenchmark("store: getEncoded among 10,000 records (cached JSON text)") {
                blackHole(try? users?.getEncoded(.string("u\(gets.next() &* 7919 % 10_000)")))
            },
            MicroBenchmark("store: updateEncoded one field among 10,000 records") {
                let n = updatesPlain.next()
                blackHole(try? users?.updateEncoded(.string("u\(n &* 7919 % 10_000)"), ["n": .number(Double(n))]))
            },
            MicroBenchmark("store: insert (schema-validated)") {
                blackHole(try? users?.insert(["id": .string("i\(inserts.next())"), "name": "y", "n": 1]))
            },
            MicroBenchmark("store: update → re-evaluate 1 query → 1,000 subscribers notified") {
                _ = try? store?.bucket("hot").update("k", ["seq": .number(Double(updates.next()))])
                store?.settleBlocking()
                blackHole(subscribers.count)
            },
        ]
    }()
}
