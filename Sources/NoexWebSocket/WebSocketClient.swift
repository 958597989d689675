import CEpoll
import Foundation
import Glibc
import Synchronization

/// An RFC 6455 client with blocking I/O on a reader thread, for tests and the Swift client.
///
/// Messages queue up in arrival order and are taken with ``receive()``. Pings are answered
/// automatically. Sends from several tasks are serialized by a lock (one frame at a time).
public final class WebSocketClient: Sendable {
    private struct Writer {
        var open = true
        var closeSent = false
        var random: UInt64
    }

    private struct Inbox {
        var messages: [WebSocketMessage] = []
        var head = 0
        var finished = false
        /// Callers of `receive()` waiting for a message, served in call order.
        var waiters: [CheckedContinuation<WebSocketMessage?, Never>] = []
        var closeCode: UInt16?
        var closeReason = ""
    }

    private let fd: Int32
    private let writer: Mutex<Writer>
    private let inbox = Mutex(Inbox())
    private let maxMessageBytes: Int

    private init(fd: Int32, maxMessageBytes: Int) {
        self.fd = fd
        self.maxMessageBytes = maxMessageBytes
        var system = SystemRandomNumberGenerator()
        writer = Mutex(Writer(random: system.next() | 1))
    }

    /// Connects and completes the opening handshake.
    /// - Parameters:
    ///   - host: A numeric address or resolvable name.
    ///   - port: The port.
    ///   - path: The request target.
    ///   - origin: An `Origin` header to send.
    ///   - headers: Extra request headers.
    ///   - timeout: The limit for connecting plus the handshake.
    ///   - maxMessageBytes: The largest message accepted from the server.
    /// - Returns: The connected client.
    /// - Throws: ``WebSocketError`` when the connection or handshake fails (a refused upgrade is
    ///   ``WebSocketError/handshakeRejected(status:)``).
    public static func connect(
        host: String, port: Int, path: String = "/", origin: String? = nil, headers: [(String, String)] = [],
        timeout: Duration = .seconds(10), maxMessageBytes: Int = 64 << 20
    ) async throws -> WebSocketClient {
        let headerList = headers.map { HeaderPair(name: $0.0, value: $0.1) }
        let result: Result<(Int32, [UInt8]), WebSocketError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.openSocket(
                    host: host, port: port, path: path, origin: origin, headers: headerList, timeout: timeout))
            }
            thread.start()
        }
        let (fd, leftover) = try result.get()
        let client = WebSocketClient(fd: fd, maxMessageBytes: maxMessageBytes)
        let thread = Thread { client.readLoop(leftover: leftover) }
        thread.name = "noex-ws-client"
        thread.start()
        return client
    }

    private struct HeaderPair: Sendable {
        let name: String
        let value: String
    }

    /// Blocking connect and handshake; returns the socket and any bytes read past the response head.
    private static func openSocket(
        host: String, port: Int, path: String, origin: String?, headers: [HeaderPair], timeout: Duration
    ) -> Result<(Int32, [UInt8]), WebSocketError> {
        do {
            let fd = try SocketAddress.withResolved(host: host, port: port, passive: false) { address, length, family in
                let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { throw WebSocketError.system(call: "socket", errno: errno) }
                var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
                if limit.tv_sec == 0 { limit.tv_usec = 500_000 }
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                guard Glibc.connect(fd, address, length) == 0 else {
                    let code = errno
                    Glibc.close(fd)
                    throw WebSocketError.system(call: "connect", errno: code)
                }
                SocketAddress.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                return fd
            }
            do {
                let key = WebSocketHandshake.makeClientKey()
                let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
                let request = WebSocketHandshake.clientRequest(
                    host: hostHeader, path: path, key: key, origin: origin, headers: headers.map { ($0.name, $0.value) })
                try writeAll(fd, request)
                var received: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    if let end = headEnd(received) {
                        try checkResponse(Array(received[..<end]), key: key)
                        // Handshake done: reads block without a timeout from here on.
                        var none = timeval()
                        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
                        return .success((fd, Array(received[end...])))
                    }
                    guard received.count < 65_536 else { throw WebSocketError.invalidHandshakeResponse("head too large") }
                    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw WebSocketError.timeout }
                    guard count > 0 else { throw WebSocketError.connectionClosed }
                    received += chunk[0..<count]
                }
            } catch {
                Glibc.close(fd)
                throw error
            }
        } catch let error as WebSocketError {
            return .failure(error)
        } catch {
            return .failure(.connectionClosed)
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    private static func checkResponse(_ head: [UInt8], key: String) throws {
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let status = lines[0].split(separator: " ")
        guard status.count >= 2, status[0].hasPrefix("HTTP/1."), let code = Int(status[1]) else {
            throw WebSocketError.invalidHandshakeResponse("malformed status line")
        }
        guard code == 101 else { throw WebSocketError.handshakeRejected(status: code) }
        var accept: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "sec-websocket-accept" {
                accept = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
        }
        guard accept == WebSocketHandshake.acceptValue(forKey: key) else {
            throw WebSocketError.invalidHandshakeResponse("wrong Sec-WebSocket-Accept")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw WebSocketError.system(call: "send", errno: errno)
            }
            offset += written
        }
    }

    // MARK: Sending

    /// Sends a text message.
    /// - Parameter text: The message.
    /// - Throws: ``WebSocketError/connectionClosed`` after close.
    public func send(text: String) async throws {
        try sendFrame(.text, Array(text.utf8))
    }

    /// Sends a binary message.
    /// - Parameter binary: The message.
    /// - Throws: ``WebSocketError/connectionClosed`` after close.
    public func send(binary: [UInt8]) async throws {
        try sendFrame(.binary, binary)
    }

    /// Sends a ping.
    /// - Parameter payload: Up to 125 bytes.
    /// - Throws: ``WebSocketError/connectionClosed`` after close.
    public func ping(_ payload: [UInt8] = []) async throws {
        try sendFrame(.ping, payload)
    }

    /// Writes raw bytes to the socket unchanged (tests: malformed or unmasked frames).
    /// - Parameter bytes: The bytes.
    /// - Throws: ``WebSocketError/connectionClosed`` after the socket closed.
    public func sendRaw(_ bytes: [UInt8]) async throws {
        try writer.withLock { state in
            guard state.open else { throw WebSocketError.connectionClosed }
            try Self.writeAll(fd, bytes)
        }
    }

    private func sendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws {
        try writer.withLock { state in
            guard state.open, !state.closeSent else { throw WebSocketError.connectionClosed }
            if opcode == .close { state.closeSent = true }
            try Self.writeAll(fd, WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, maskingKey: Self.nextKey(&state)))
        }
    }

    /// A masking key from a per-client PRNG (splitmix64) seeded from the system generator.
    private static func nextKey(_ state: inout Writer) -> UInt32 {
        state.random &+= 0x9E37_79B9_7F4A_7C15
        var z = state.random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }

    // MARK: Receiving

    /// The next message, or `nil` once the connection has closed.
    /// - Returns: The message in arrival order.
    /// - Throws: Nothing today; the signature leaves room for cancellation.
    public func receive() async throws -> WebSocketMessage? {
        await withCheckedContinuation { continuation in
            let ready: WebSocketMessage?? = inbox.withLock { inbox in
                if inbox.head < inbox.messages.count {
                    let message = inbox.messages[inbox.head]
                    inbox.head += 1
                    if inbox.head == inbox.messages.count {
                        inbox.messages.removeAll(keepingCapacity: true)
                        inbox.head = 0
                    }
                    return .some(message)
                }
                if inbox.finished { return .some(nil) }
                inbox.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The close code the server sent, once the connection closed with a close frame.
    public var closeCode: UInt16? { inbox.withLock { $0.closeCode } }

    /// The close reason the server sent.
    public var closeReason: String { inbox.withLock { $0.closeReason } }

    /// Runs the close handshake and waits (up to `timeout`) for the server to close the socket.
    /// Messages still queued are discarded.
    /// - Parameters:
    ///   - code: The close code.
    ///   - reason: The close reason.
    ///   - timeout: How long to wait for the server.
    /// - Throws: Nothing today; the signature leaves room for cancellation.
    public func close(code: UInt16 = 1000, reason: String = "", timeout: Duration = .seconds(5)) async throws {
        try? sendFrame(.close, WebSocketFrameEncoder.closePayload(code: code, reason: reason))
        let watchdog = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.abortSocket()
        }
        while try await receive() != nil {}
        watchdog.cancel()
    }

    /// Makes the reader see end-of-stream (the socket itself is closed by the reader).
    private func abortSocket() {
        writer.withLock { state in
            if state.open { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func deliver(_ message: WebSocketMessage) {
        let waiter: CheckedContinuation<WebSocketMessage?, Never>? = inbox.withLock { inbox in
            if !inbox.waiters.isEmpty { return inbox.waiters.removeFirst() }
            inbox.messages.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    private func finish(code: UInt16?, reason: String) {
        writer.withLock { state in
            if state.open {
                state.open = false
                Glibc.close(fd)
            }
        }
        let waiters: [CheckedContinuation<WebSocketMessage?, Never>] = inbox.withLock { inbox in
            if inbox.closeCode == nil { inbox.closeCode = code }
            if inbox.closeReason.isEmpty { inbox.closeReason = reason }
            inbox.finished = true
            defer { inbox.waiters = [] }
            return inbox.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    private func readLoop(leftover: [UInt8]) {
        let decoder = WebSocketFrameDecoder(role: .client, maxPayloadLength: maxMessageBytes)
        var machine = WebSocketStateMachine(maxMessageBytes: maxMessageBytes)
        var pending = leftover
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var code: UInt16?
        var reason = ""
        reading: while true {
            // Handle every complete frame in `pending`.
            var consumed = 0
            var stop = false
            pending.withUnsafeMutableBytes { buffer in
                while consumed < buffer.count && !stop {
                    let rest = UnsafeRawBufferPointer(rebasing: buffer[consumed...])
                    let action: WebSocketStateMachine.Action
                    switch decoder.decodeHeader(rest) {
                    case .needMoreData:
                        return
                    case let .failure(failCode, failReason):
                        action = machine.protocolViolation(code: failCode, reason: failReason)
                        consumed = buffer.count
                    case let .header(header):
                        guard header.frameLength <= rest.count else { return }
                        let start = consumed + header.headerLength
                        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + header.payloadLength)])
                        consumed += header.frameLength
                        action = machine.receive(header, payload: UnsafeRawBufferPointer(payload))
                    }
                    switch action {
                    case .none: break
                    case let .text(bytes): deliver(.text(String(decoding: bytes, as: UTF8.self)))
                    case let .binary(bytes): deliver(.binary(Array(bytes)))
                    case let .assembled(opcode):
                        let message = machine.takeAssembledMessage()
                        deliver(opcode == .text ? .text(String(decoding: message, as: UTF8.self)) : .binary(message))
                    case let .pong(bytes): try? sendFrame(.pong, Array(bytes))
                    case let .fail(failCode, failReason):
                        code = failCode
                        reason = failReason
                        try? sendFrame(.close, WebSocketFrameEncoder.closePayload(code: failCode, reason: failReason))
                    case let .peerClosed(peerCode, peerReason, reply):
                        code = peerCode
                        reason = peerReason
                        if reply { try? sendFrame(.close, WebSocketFrameEncoder.closePayload(code: peerCode, reason: "")) }
                    case .drop:
                        stop = true
                    }
                }
            }
            if stop { break reading }
            pending.removeSubrange(0..<consumed)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                pending += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break reading
            }
        }
        finish(code: code, reason: reason)
    }
}
