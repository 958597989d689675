import Foundation
import Glibc
import NoexWebSocket
import Synchronization
import Testing

@Suite("WebSocket server, live on 127.0.0.1", .serialized)
struct WebSocketServerTests {
    @Test func echoesTextBinaryAndFragmentedMessages() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate: delegate) { _, port in
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/?token=1")
            try await client.send(text: "héllo")
            #expect(try await client.receive() == .text("héllo"))
            try await client.send(binary: [0, 1, 2, 255])
            #expect(try await client.receive() == .binary([0, 1, 2, 255]))
            let big = String(repeating: "x", count: 70_000)
            try await client.send(text: big)
            #expect(try await client.receive() == .text(big))
            // Fragmented, with a ping in between: the pong is consumed by the client.
            try await client.sendRaw(WebSocketFrameEncoder.encode(opcode: .text, payload: Array("ab".utf8), fin: false, maskingKey: 7))
            try await client.sendRaw(WebSocketFrameEncoder.encode(opcode: .ping, payload: [1], maskingKey: 9))
            try await client.sendRaw(WebSocketFrameEncoder.encode(opcode: .continuation, payload: Array("cd".utf8), maskingKey: 11))
            #expect(try await client.receive() == .text("abcd"))
            try await client.close(code: 1000, reason: "done")
            #expect(client.closeCode == 1000)
            #expect(await eventually { delegate.closedCount == 1 })
            let record = delegate.record.withLock { $0 }
            #expect(record.closed.first?.code == 1000 && record.closed.first?.reason == "done")
            #expect(record.requests.first?.query == "token=1" && record.requests.first?.remoteAddress == "127.0.0.1")
        }
    }

    @Test func originHookRejectsWith403() async throws {
        let delegate = RecordingDelegate(allowedOrigin: "https://good.example")
        try await withServer(delegate: delegate) { _, port in
            await #expect(throws: WebSocketError.handshakeRejected(status: 403)) {
                _ = try await WebSocketClient.connect(host: "127.0.0.1", port: port, origin: "https://evil.example")
            }
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port, origin: "https://good.example")
            try await client.close()
            #expect(delegate.record.withLock { $0.opened } == 1)
        }
    }

    @Test func wrongPathIs404AndPlainGetIs426() async throws {
        try await withServer(configure: { $0.path = "/ws" }) { _, port in
            await #expect(throws: WebSocketError.handshakeRejected(status: 404)) {
                _ = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/other")
            }
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
            #expect(socket.receiveUntilClose().eof)
        }
    }

    @Test func unmaskedClientFrameClosesWith1002() async throws {
        try await withServer { _, port in
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            try await client.sendRaw(WebSocketFrameEncoder.encode(opcode: .text, payload: hello))
            #expect(try await client.receive() == nil)
            #expect(client.closeCode == 1002)
        }
    }

    @Test func applicationCloseSendsItsCode() async throws {
        let delegate = RecordingDelegate()
        try await withServer(delegate: delegate) { _, port in
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            try await client.send(text: "close:4001")
            #expect(try await client.receive() == nil)
            #expect(client.closeCode == 4001 && client.closeReason == "asked")
            #expect(await eventually { delegate.closedCount == 1 })
            #expect(delegate.record.withLock { $0.closed.first?.code } == 4001)
        }
    }

    @Test func shutdownClosesConnectionsWith1001() async throws {
        let delegate = RecordingDelegate()
        var configuration = WebSocketServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 2
        let server = WebSocketServer(configuration: configuration, delegate: delegate)
        let port = try server.start()
        #expect(server.port == port)
        let first = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
        let second = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
        try await second.send(text: "x")
        #expect(try await second.receive() == .text("x"))
        await server.shutdown()
        #expect(try await first.receive() == nil)
        #expect(try await second.receive() == nil)
        #expect(first.closeCode == 1001 && second.closeCode == 1001)
        #expect(delegate.closedCount == 2)
        #expect(server.port == 0)
    }

    /// Per-connection delegate state that points back at its connection, as a server's does.
    final class Attachment: @unchecked Sendable {
        let connection: WebSocketConnection
        init(_ connection: WebSocketConnection) { self.connection = connection }
    }

    /// Holds attachments weakly, to see them freed.
    final class WeakAttachments: @unchecked Sendable {
        private let lock = Mutex<[() -> Attachment?]>([])
        func add(_ attachment: Attachment) { lock.withLock { $0.append { [weak attachment] in attachment } } }
        var live: Int { lock.withLock { $0.filter { $0() != nil }.count } }
        var count: Int { lock.withLock { $0.count } }
    }

    @Test func attachmentIsKeptWhileOpenAndReleasedOnClose() async throws {
        let attachments = WeakAttachments()
        let delegate = RecordingDelegate { connection in
            let attachment = Attachment(connection)
            connection.attachment = attachment
            attachments.add(attachment)
        }
        try await withServer(delegate: delegate) { _, port in
            let first = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            let second = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            try await first.send(text: "x")
            #expect(try await first.receive() == .text("x"))
            #expect(await eventually { attachments.count == 2 })
            #expect(attachments.live == 2)   // held by the open connections alone
            try await first.close()
            #expect(await eventually { delegate.closedCount == 1 })
            #expect(await eventually { attachments.live == 1 })   // the cycle was broken on close
            _ = second
        }
        #expect(await eventually { attachments.live == 0 })   // shutdown closes and releases the rest
    }

    @Test func framesRightBehindTheRequestHeadAreProcessed() async throws {
        try await withServer { _, port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send(Array(RawSocket.upgradeRequest().utf8) + WebSocketFrameEncoder.encode(opcode: .text, payload: hello, maskingKey: 0x0102_0304))
            let head = socket.receiveHead()
            #expect(head.hasPrefix("HTTP/1.1 101 ") && head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            #expect(socket.receive(atLeast: 7) == [0x81, 0x05] + hello)
        }
    }

    @Test func invalidTextFailsBeforeTheFrameIsComplete() async throws {
        try await withServer { _, port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send(RawSocket.upgradeRequest())
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 101 "))
            let payload = Array("valid then".utf8) + [0xED, 0xA0, 0x80] + [UInt8](repeating: 0x61, count: 1000)
            let frame = WebSocketFrameEncoder.encode(opcode: .text, payload: payload, maskingKey: 0xA1B2_C3D4)
            socket.send(Array(frame[0..<40]))   // the rest never comes
            let reply = socket.receive(atLeast: 4)
            #expect(reply.count >= 4 && reply[0] == 0x88 && reply[2] == 0x03 && reply[3] == 0xEF)   // close 1007
        }
    }

    @Test func largeFrameArrivingInPiecesIsEchoedIntact() async throws {
        try await withServer { _, port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send(RawSocket.upgradeRequest())
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 101 "))
            let payload = Array(String(repeating: "κόσμε-", count: 20_000).utf8)
            let frame = WebSocketFrameEncoder.encode(opcode: .text, payload: payload, maskingKey: 0x0F1E_2D3C)
            var offset = 0
            for size in [3, 5, 1001, 77_777, 3] {
                socket.send(Array(frame[offset..<(offset + size)]))
                offset += size
                try await Task.sleep(for: .milliseconds(5))
            }
            socket.send(Array(frame[offset...]))
            let expected = WebSocketFrameEncoder.encode(opcode: .text, payload: payload)
            #expect(socket.receive(atLeast: expected.count) == expected)
        }
    }

    @Test func garbageNeverHurtsTheServer() async throws {
        var generator = SeededGenerator(state: 99)
        try await withServer { _, port in
            for round in 0..<50 {
                let socket = try RawSocket(port: port)
                if round % 2 == 0 { socket.send(RawSocket.upgradeRequest()) }
                socket.send((0..<Int.random(in: 1...4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                socket.close()
            }
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            try await client.send(text: "still alive")
            #expect(try await client.receive() == .text("still alive"))
            try await client.close()
        }
    }

    @Test func lifecycleErrors() async throws {
        let before = openDescriptorCount()
        let server = WebSocketServer(
            configuration: WebSocketServerConfiguration(host: "127.0.0.1", port: 0), delegate: RecordingDelegate())
        let port = try server.start()
        #expect(throws: WebSocketError.self) { try server.start() }
        let rival = WebSocketServer(
            configuration: WebSocketServerConfiguration(host: "127.0.0.1", port: port), delegate: RecordingDelegate())
        #expect(throws: WebSocketError.system(call: "bind", errno: EADDRINUSE)) { try rival.start() }
        let unresolvable = WebSocketServer(
            configuration: WebSocketServerConfiguration(host: "no such host.invalid", port: 0), delegate: RecordingDelegate())
        #expect(throws: WebSocketError.invalidAddress("no such host.invalid")) { try unresolvable.start() }
        await server.shutdown()
        await server.shutdown()   // idempotent
        #expect(throws: WebSocketError.self) { try server.start() }
        // The count is process-wide and other suites open sockets in parallel: wait for a
        // moment when it is back at (or below) where it started.
        #expect(await eventually { openDescriptorCount() <= before })
    }

    @Test func slowHandshakeTimesOut() async throws {
        try await withServer(configure: { $0.handshakeTimeout = .milliseconds(200) }) { _, port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")   // never finishes the head
            let (bytes, eof) = socket.receiveUntilClose()
            #expect(eof && bytes.isEmpty)
        }
    }

    @Test func oversizedHeadersAreRefusedWith431() async throws {
        try await withServer(configure: { $0.maxHeaderBytes = 1024 }) { _, port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            socket.send("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "a", count: 2000))
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 431 "))
            #expect(socket.receiveUntilClose().eof)
        }
    }

    @Test func bufferedBytesAndDrain() async throws {
        // 32 MiB: well above any kernel's send buffer (Linux caps autotuning at tcp_wmem's
        // maximum, 4 MiB by default), so the first flush cannot write it all and the drain
        // notification must follow a blocked write.
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        let chunks = 512
        let handle = Mutex<WebSocketConnection?>(nil)
        let delegate = RecordingDelegate(onOpen: { connection in
            handle.withLock { $0 = connection }
            for _ in 0..<chunks { connection.sendText(chunk) }
        })
        try await withServer(delegate: delegate) { server, port in
            let socket = try RawSocket(port: port, receiveBuffer: 4096)
            defer { socket.close() }
            socket.send(RawSocket.upgradeRequest())
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 101 "))
            // The peer is not reading: the server must hold most of the 32 MiB.
            #expect(await eventually { delegate.record.withLock { $0.opened } == 1 })
            let pending = { handle.withLock { $0?.bufferedBytes ?? 0 } }
            // After the first flush most of it is still queued and counted.
            #expect(await eventually { pending() > 16 << 20 })
            #expect(delegate.record.withLock { $0.drained } == 0)
            let total = chunks * (chunk.count + 10)   // 64 KiB payloads take the 10-byte header
            let received = socket.receive(atLeast: total)
            #expect(received.count == total)
            #expect(await eventually { delegate.record.withLock { $0.drained } == 1 })
            #expect(pending() == 0)
            _ = server
        }
    }

    @Test func peerThatDoesNotReadStopsBeingRead() async throws {
        let handle = Mutex<WebSocketConnection?>(nil)
        let delegate = RecordingDelegate(onOpen: { connection in handle.withLock { $0 = connection } })
        try await withServer(delegate: delegate, configure: { $0.pauseReadsAbove = 64 * 1024 }) { _, port in
            let socket = try RawSocket(port: port, receiveBuffer: 4096)
            defer { socket.close() }
            var limit = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            socket.send(RawSocket.upgradeRequest())
            #expect(socket.receiveHead().hasPrefix("HTTP/1.1 101 "))
            // A flood of pings, never reading the pongs: 64 MiB offered.
            let ping = WebSocketFrameEncoder.encode(opcode: .ping, payload: [UInt8](repeating: 1, count: 125), maskingKey: 5)
            let burst = Array((0..<8192).map { _ in ping }.joined())
            var offered = 0
            while offered < 64 << 20 {
                let written = burst.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { break }
                offered += written
            }
            #expect(offered < 64 << 20, "the server kept reading")
            let buffered = handle.withLock { $0?.bufferedBytes ?? -1 }
            #expect(buffered >= 0 && buffered < 64 * 1024 + 512 * 1024)
        }
    }

    /// Messages written in place arrive intact, whether sent on the loop thread (straight into
    /// the outbound buffer) or from elsewhere (through a copy), and in send order.
    @Test func messagesWrittenInPlace() async throws {
        /// Sends `text` through the in-place API.
        @Sendable func sendInPlace(_ connection: WebSocketConnection, _ text: String) {
            let bytes = Array(text.utf8)
            connection.sendText(count: bytes.count) { $0.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: bytes.count)) }
        }
        let big = String(repeating: "y", count: 70_000)   // a 64-bit length header
        let delegate = RecordingDelegate(onOpen: { connection in
            #expect(connection.isOnLoopThread)
            for text in ["on loop", "", big] { sendInPlace(connection, text) }
            Thread.detachNewThread { sendInPlace(connection, "from another thread") }
        })
        try await withServer(delegate: delegate) { _, port in
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            #expect(try await client.receive() == .text("on loop"))
            #expect(try await client.receive() == .text(""))
            #expect(try await client.receive() == .text(big))
            #expect(try await client.receive() == .text("from another thread"))
            try await client.close()
        }
    }

    @Test func loopExecutorRunsTasksAndActorsOnTheLoopThread() async throws {
        let onLoop = Flags()
        let delegate = RecordingDelegate(onOpen: { connection in
            Task(executorPreference: connection.executor) {
                await runOnLoop(connection, onLoop)
            }
        })
        try await withServer(delegate: delegate) { _, port in
            let client = try await WebSocketClient.connect(host: "127.0.0.1", port: port)
            #expect(try await client.receive() == .text("from task"))
            #expect(try await client.receive() == .text("from actor"))
            try await client.close()
        }
        #expect(onLoop.values.withLock { $0 } == [true, true])
    }

    @Test func scheduledWorkRuns() async throws {
        try await withServer { server, _ in
            let fired = Mutex(false)
            server.schedule(after: .milliseconds(20)) { fired.withLock { $0 = true } }
            let cancelled = Mutex(false)
            server.schedule(after: .milliseconds(20)) { cancelled.withLock { $0 = true } }.cancel()
            #expect(await eventually { fired.withLock { $0 } })
            try await Task.sleep(for: .milliseconds(50))
            #expect(!cancelled.withLock { $0 })
        }
    }

    @Test func tenThousandConnectionsLeakNoDescriptors() async throws {
        let before = openDescriptorCount()
        let delegate = RecordingDelegate()
        try await withServer(delegate: delegate) { _, port in
            let request = Array(RawSocket.upgradeRequest().utf8)
            for batch in 0..<50 {
                var sockets: [RawSocket] = []
                for _ in 0..<200 {
                    let socket = try RawSocket(port: port)
                    socket.send(request)
                    sockets.append(socket)
                }
                for socket in sockets {
                    #expect(socket.receiveHead().hasPrefix("HTTP/1.1 101 "), "batch \(batch)")
                    socket.close()
                }
            }
            #expect(await eventually(seconds: 30) { delegate.closedCount == 10_000 })
        }
        #expect(delegate.record.withLock { $0.opened } == 10_000)
        // Process-wide count, shared with suites running in parallel; a leak here would be
        // thousands of descriptors, so wait for the count to settle back near where it started.
        #expect(await eventually { openDescriptorCount() <= before + 32 })
    }
}
