import NoexClient
import NoexWebSocket
import NoexWire
import Synchronization
import Testing

/// A WebSocket peer that plays the server's part from a script, for behaviour that a real
/// server only shows under timing (pings) or never (answers out of request order).
final class ScriptedPeer: WebSocketServerDelegate {
    /// Every text message received, parsed.
    let received = Mutex<[JSONObject]>([])
    /// Requests held back until `holdCount` have arrived, then answered in reverse order.
    private let held = Mutex<[(WebSocketConnection, Double, JSONValue)]>([])
    let holdCount: Int

    init(holdCount: Int = 0) { self.holdCount = holdCount }

    func shouldAccept(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision { .accept }

    func connectionDidOpen(_ connection: WebSocketConnection) {
        connection.sendText(Array(#"{"type":"welcome","version":"1.0.0","serverTime":1,"requiresAuth":false}"#.utf8))
        connection.sendText(Array(#"{"type":"ping","timestamp":4242}"#.utf8))
    }

    func connection(_ connection: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer) {
        guard case .object(let message)? = try? JSONParser.parse(text) else { return }
        received.withLock { $0.append(message) }
        guard let id = message["id"]?.numberValue else { return }
        let batch: [(WebSocketConnection, Double, JSONValue)] = held.withLock { held in
            held.append((connection, id, message["n"] ?? .null))
            guard held.count >= holdCount else { return [] }
            defer { held.removeAll() }
            return held.reversed()
        }
        for (peer, id, n) in batch {
            let answer: JSONValue = ["type": "result", "id": .number(id), "data": ["n": n]]
            peer.sendText(JSONSerializer.serialize(answer))
        }
    }

    func connection(_ connection: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer) {}
    func connectionDidDrain(_ connection: WebSocketConnection) {}
    func connectionDidClose(_ connection: WebSocketConnection, code: UInt16?, reason: String) {}

    /// Starts a server on 127.0.0.1, port 0.
    static func start(holdCount: Int = 0) throws -> (ScriptedPeer, WebSocketServer, String) {
        let peer = ScriptedPeer(holdCount: holdCount)
        let server = WebSocketServer(configuration: WebSocketServerConfiguration(host: "127.0.0.1", port: 0), delegate: peer)
        let port = try server.start()
        return (peer, server, "ws://127.0.0.1:\(port)/")
    }
}

@Suite("NoexClient against a scripted peer")
struct ScriptedPeerTests {
    @Test("a server ping is answered with a pong echoing its timestamp")
    func pong() async throws {
        let (peer, server, url) = try ScriptedPeer.start()
        let client = try await NoexClient.connect(to: url)
        #expect(await eventually { peer.received.withLock { $0.contains { $0["type"] == "pong" } } })
        let pong = peer.received.withLock { $0.first { $0["type"] == "pong" } }
        #expect(pong == ["type": "pong", "timestamp": 4242])
        await client.close()
        await server.shutdown()
    }

    @Test("answers arriving in another order than the requests are matched by id")
    func outOfOrderAnswers() async throws {
        let (_, server, url) = try ScriptedPeer.start(holdCount: 3)
        let client = try await NoexClient.connect(to: url)
        async let first = client.request("test.echo", payload: ["n": 1])
        async let second = client.request("test.echo", payload: ["n": 2])
        async let third = client.request("test.echo", payload: ["n": 3])
        // The peer answers the three together, last request first; each answer carries its
        // request's `n`, so every call must get the answer with its own id.
        let answers = try await [first, second, third]
        #expect(answers.map { $0["n"] } == [1, 2, 3])
        await client.close()
        await server.shutdown()
    }
}
