import Foundation
import Testing
import Glibc
import NoexWebSocket
import Synchronization

/// A delegate that echoes (unless told otherwise) and records what happened.
final class RecordingDelegate: WebSocketServerDelegate {
    struct Record {
        var opened = 0
        var closed: [(id: UInt64, code: UInt16?, reason: String)] = []
        var texts: [String] = []
        var drained = 0
        var requests: [WebSocketUpgradeRequest] = []
    }

    let record = Mutex(Record())
    let allowedOrigin: String?
    /// Runs when a connection opens (tests use it to push data).
    let onOpen: (@Sendable (WebSocketConnection) -> Void)?

    init(allowedOrigin: String? = nil, onOpen: (@Sendable (WebSocketConnection) -> Void)? = nil) {
        self.allowedOrigin = allowedOrigin
        self.onOpen = onOpen
    }

    func shouldAccept(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision {
        record.withLock { $0.requests.append(request) }
        if let allowedOrigin, request.origin != allowedOrigin { return .reject(status: 403) }
        return .accept
    }

    func connectionDidOpen(_ connection: WebSocketConnection) {
        #expect(connection.isOnLoopThread)
        record.withLock { $0.opened += 1 }
        onOpen?(connection)
    }

    func connection(_ connection: WebSocketConnection, didReceiveText text: UnsafeRawBufferPointer) {
        let string = String(decoding: text, as: UTF8.self)
        record.withLock { $0.texts.append(string) }
        if string.hasPrefix("close:") {
            connection.close(code: UInt16(string.dropFirst(6)) ?? 1000, reason: "asked")
        } else {
            connection.sendText(text)
        }
    }

    func connection(_ connection: WebSocketConnection, didReceiveBinary data: UnsafeRawBufferPointer) {
        connection.sendBinary(data)
    }

    func connectionDidDrain(_ connection: WebSocketConnection) {
        record.withLock { $0.drained += 1 }
    }

    func connectionDidClose(_ connection: WebSocketConnection, code: UInt16?, reason: String) {
        #expect(connection.isOnLoopThread)
        record.withLock { $0.closed.append((connection.id, code, reason)) }
    }

    var closedCount: Int { record.withLock { $0.closed.count } }
}

/// Starts a server on 127.0.0.1:0, runs `body`, and always shuts the server down.
func withServer<R>(
    delegate: RecordingDelegate = RecordingDelegate(),
    configure: (inout WebSocketServerConfiguration) -> Void = { _ in },
    _ body: (WebSocketServer, Int) async throws -> R
) async throws -> R {
    var configuration = WebSocketServerConfiguration(host: "127.0.0.1", port: 0, path: "/")
    configure(&configuration)
    let server = WebSocketServer(configuration: configuration, delegate: delegate)
    let port = try server.start()
    do {
        let result = try await body(server, port)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A blocking TCP socket with receive timeouts, for raw protocol tests.
struct RawSocket {
    let fd: Int32

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WebSocketError.system(call: "socket", errno: errno) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            Glibc.close(fd)
            throw WebSocketError.system(call: "connect", errno: code)
        }
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until `count` bytes, EOF or timeout.
    func receive(atLeast count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while result.count < count {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { break }
            result += chunk[0..<got]
        }
        return result
    }

    /// Reads the HTTP response head (through the blank line).
    func receiveHead() -> String {
        var result: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            result.append(byte)
            if result.count >= 4 && result.suffix(4) == [13, 10, 13, 10] { break }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Reads until EOF; returns the bytes and whether EOF (not a timeout) ended it.
    func receiveUntilClose() -> (bytes: [UInt8], eof: Bool) {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got == 0 { return (result, true) }
            if got < 0 { return (result, errno == ECONNRESET) }
            result += chunk[0..<got]
        }
    }

    func close() { Glibc.close(fd) }

    static func upgradeRequest(path: String = "/", extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extra)\r\n"
    }
}

/// The number of open descriptors of this process.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// An actor whose methods run on a connection's loop thread.
actor Session {
    let connection: WebSocketConnection
    var sent = 0
    init(connection: WebSocketConnection) { self.connection = connection }
    nonisolated var unownedExecutor: UnownedSerialExecutor { connection.executor.asUnownedSerialExecutor() }

    func greet() -> Bool {
        connection.sendText(Array("from actor".utf8))
        sent += 1
        return connection.isOnLoopThread
    }
}

/// Thread-safe list of observations.
final class Flags: Sendable {
    let values = Mutex<[Bool]>([])
}

/// Records whether a task preferring the loop executor, and an actor on it, run on the loop thread.
func runOnLoop(_ connection: WebSocketConnection, _ flags: Flags) async {
    flags.values.withLock { $0.append(connection.isOnLoopThread) }
    connection.sendText(Array("from task".utf8))
    let session = Session(connection: connection)
    let isolated = await session.greet()
    flags.values.withLock { $0.append(isolated) }
}
