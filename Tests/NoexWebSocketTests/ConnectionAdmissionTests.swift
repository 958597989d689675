import Foundation
import Glibc
@testable import NoexWebSocket
import Synchronization
import Testing

/// The connection caps: every accepted socket, handshaking or upgraded, holds a slot; one over
/// a cap is answered 503 before any upgrade; slots come back when sockets close.
@Suite("Connection admission, live on 127.0.0.1", .serialized)
struct ConnectionAdmissionTests {
    /// Half an upgrade request: the stalled client of the descriptor-exhaustion attack.
    static let stalled = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"

    /// Opens a socket that sends half a request, and waits until the server counts it.
    private func stall(_ server: WebSocketServer, port: Int, expectOpen count: Int) async throws -> RawSocket {
        let socket = try RawSocket(port: port)
        socket.send(Self.stalled)
        #expect(await eventually { server.statistics?.openSockets == count }, "open sockets never reached \(count)")
        return socket
    }

    private func upgrade(port: Int) throws -> (RawSocket, String) {
        let socket = try RawSocket(port: port)
        socket.send(RawSocket.upgradeRequest())
        return (socket, socket.receiveHead())
    }

    @Test func stalledHandshakesFillTheCapAndTheExcessGets503() async throws {
        try await withServer(configure: { $0.maxConnections = 3 }) { server, port in
            #expect(server.statistics?.maxConnections == 3)
            var stalled: [RawSocket] = []
            for count in 1...3 { stalled.append(try await stall(server, port: port, expectOpen: count)) }
            #expect(server.statistics?.handshakingSockets == 3)

            // A real client over the cap is refused before any upgrade, and the socket closed.
            let (refused, head) = try upgrade(port: port)
            #expect(head.hasPrefix("HTTP/1.1 503 Service Unavailable"))
            #expect(refused.receiveUntilClose().eof)
            refused.close()
            #expect(server.statistics?.refusedAtCapacity == 1)
            #expect(server.statistics?.openSockets == 3)

            // A stalled socket that leaves gives its slot back.
            stalled.removeFirst().close()
            #expect(await eventually { server.statistics?.openSockets == 2 })
            let (admitted, upgraded) = try upgrade(port: port)
            #expect(upgraded.hasPrefix("HTTP/1.1 101 "))
            #expect(await eventually { server.statistics?.handshakingSockets == 2 })
            admitted.close()
            for socket in stalled { socket.close() }
            #expect(await eventually { server.statistics?.openSockets == 0 })
            #expect(server.statistics?.handshakingSockets == 0)
        }
    }

    @Test func upgradedConnectionsHoldTheirSlotUntilClosed() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate: delegate, configure: { $0.maxConnections = 2 }) { server, port in
            let (first, firstHead) = try upgrade(port: port)
            let (second, secondHead) = try upgrade(port: port)
            #expect(firstHead.hasPrefix("HTTP/1.1 101 ") && secondHead.hasPrefix("HTTP/1.1 101 "))
            let (third, thirdHead) = try upgrade(port: port)
            #expect(thirdHead.hasPrefix("HTTP/1.1 503 "))
            third.close()
            #expect(delegate.record.withLock { $0.opened } == 2)
            first.close()
            #expect(await eventually { delegate.closedCount == 1 && server.statistics?.openSockets == 1 })
            let (fourth, fourthHead) = try upgrade(port: port)
            #expect(fourthHead.hasPrefix("HTTP/1.1 101 "))
            second.close()
            fourth.close()
        }
    }

    @Test func perAddressCapCountsHandshakingSockets() async throws {
        try await withServer(configure: { $0.maxConnectionsPerAddress = 2 }) { server, port in
            let one = try await stall(server, port: port, expectOpen: 1)
            let two = try await stall(server, port: port, expectOpen: 2)
            // Nothing is upgraded, yet the address is at its cap.
            let (refused, head) = try upgrade(port: port)
            #expect(head.hasPrefix("HTTP/1.1 503 "))
            refused.close()
            #expect(server.statistics?.refusedPerAddress == 1)
            #expect(server.statistics?.refusedAtCapacity == 0)
            one.close()
            #expect(await eventually { server.statistics?.openSockets == 1 })
            let (admitted, upgraded) = try upgrade(port: port)
            #expect(upgraded.hasPrefix("HTTP/1.1 101 "))
            admitted.close()
            two.close()
        }
    }

    @Test func handshakeTimeoutClosesStalledSocketsAndFreesTheirSlots() async throws {
        try await withServer(configure: {
            $0.maxConnections = 1
            $0.handshakeTimeout = .milliseconds(300)
        }) { server, port in
            let stalled = try await stall(server, port: port, expectOpen: 1)
            defer { stalled.close() }
            let (bytes, eof) = stalled.receiveUntilClose()
            #expect(eof && bytes.isEmpty)
            #expect(await eventually { server.statistics?.openSockets == 0 })
            let (admitted, head) = try upgrade(port: port)
            #expect(head.hasPrefix("HTTP/1.1 101 "))
            admitted.close()
        }
    }

    @Test func theDefaultCapKeepsTheReserveBelowTheRaisedLimit() async throws {
        try await withServer { server, _ in
            let statistics = try #require(server.statistics)
            let limit = try #require(server.descriptorLimit)
            #expect(limit.soft == limit.hard || limit.soft >= 1 << 20)
            #expect(statistics.descriptorLimit == limit.soft)
            #expect(statistics.maxConnections == DescriptorLimit.connectionCap(limit: limit.soft, reserve: 256))
            #expect(statistics.maxConnections < limit.soft)
        }
        // An explicit cap above what the limit allows is lowered to it.
        try await withServer(configure: { $0.maxConnections = Int.max }) { server, _ in
            let limit = try #require(server.descriptorLimit)
            #expect(server.statistics?.maxConnections == DescriptorLimit.connectionCap(limit: limit.soft, reserve: 256))
        }
    }

    @Test func descriptorShortageShedsHandshakingSocketsFirstThenUpgradedWith1013() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate: delegate) { server, port in
            let clients = [
                try await WebSocketClient.connect(host: "127.0.0.1", port: port),
                try await WebSocketClient.connect(host: "127.0.0.1", port: port),
            ]
            #expect(await eventually { delegate.record.withLock { $0.opened } == 2 })
            var stalled: [RawSocket] = []
            for count in 3...5 { stalled.append(try await stall(server, port: port, expectOpen: count)) }

            await server.relieveDescriptorShortage(shedding: 4)
            // The three stalled sockets go without a word, then one upgraded one with 1013 (the
            // highest descriptor: usually the newer, but other suites share this process's table).
            for socket in stalled {
                let (bytes, eof) = socket.receiveUntilClose()
                #expect(eof && bytes.isEmpty)
                socket.close()
            }
            #expect(await eventually { clients.contains { $0.closeCode == WebSocketCloseCode.tryAgainLater } })
            #expect(await eventually { server.statistics?.openSockets == 1 })
            // The other one still works.
            let survivors = clients.filter { $0.closeCode == nil }
            try #require(survivors.count == 1)
            let older = survivors[0]
            try await older.send(text: "still here")
            #expect(try await older.receive() == .text("still here"))
            let statistics = try #require(server.statistics)
            #expect(statistics.descriptorShortages == 1)
            #expect(statistics.maxConnections == 1)   // lowered below the sockets that were open
            #expect(statistics.handshakingSockets == 0)
            // New sockets are refused until the remaining one leaves.
            let (refused, head) = try upgrade(port: port)
            #expect(head.hasPrefix("HTTP/1.1 503 "))
            refused.close()
            try await older.close()
        }
    }

    @Test func connectionCapArithmetic() {
        #expect(DescriptorLimit.connectionCap(limit: 2000, reserve: 256) == 1744)
        #expect(DescriptorLimit.connectionCap(limit: 1024, reserve: 256) == 768)
        #expect(DescriptorLimit.connectionCap(limit: 300, reserve: 256) == 150)   // half kept back
        #expect(DescriptorLimit.connectionCap(limit: 1, reserve: 256) == 1)
        #expect(DescriptorLimit.connectionCap(limit: 2000, reserve: 256, requested: 10) == 10)
        #expect(DescriptorLimit.connectionCap(limit: 2000, reserve: 256, requested: 5000) == 1744)
        #expect(DescriptorLimit.connectionCap(limit: 2000, reserve: 256, requested: 0) == 1)
        #expect(DescriptorLimit.connectionCap(limit: 2000, reserve: -5) == 2000)
        #expect(DescriptorLimit.connectionCap(limit: Int.max, reserve: Int.max) == Int.max / 2)
    }
}
