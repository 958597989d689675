#if canImport(Glibc)
    import Glibc
#endif
import NoexWire

/// A blocking, minimal WebSocket client on a raw socket, for tests that need control the
/// async client does not give: above all, a client that stops reading.
final class RawWebSocket {
    private let fd: Int32
    private var pending: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`, whose reads time out after 10 s.
    /// - Parameters:
    ///   - port: the server's port.
    ///   - receiveBuffer: when set, the socket's kernel receive buffer (`SO_RCVBUF`).
    /// - Returns: the descriptor; the caller closes it.
    static func connectLoopback(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Connects to 127.0.0.1:`port` and completes the handshake.
    /// - Parameter receiveBuffer: when set, the socket's kernel receive buffer (`SO_RCVBUF`).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = try Self.connectLoopback(port: port, receiveBuffer: receiveBuffer)
        try write(Array(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        while true {
            if let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                guard head.hasPrefix("HTTP/1.1 101") else { throw Failure(description: "refused: \(head)") }
                return
            }
            try fill()
        }
    }

    deinit { close(fd) }

    /// Sends one masked text frame.
    func send(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// Reads the next text message (blocking, up to the receive timeout).
    func receiveText() throws -> String {
        while true {
            if let (opcode, payload, length) = parseFrame() {
                pending.removeSubrange(..<length)
                if opcode == 0x1 { return String(decoding: payload, as: UTF8.self) }
                if opcode == 0x8 { throw Failure(description: "closed") }
                continue
            }
            try fill()
        }
    }

    /// Reads the next message as a JSON object.
    func receiveJSON() throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(receiveText()) else {
            throw Failure(description: "not an object")
        }
        return object
    }

    private func parseFrame() -> (UInt8, ArraySlice<UInt8>, Int)? {
        guard pending.count >= 2 else { return nil }
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(pending[$1]) }
            offset = 10
        }
        guard pending.count >= offset + length else { return nil }
        return (pending[0] & 0x0F, pending[offset..<offset + length], offset + length)
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: "receive failed or timed out") }
        pending += buffer[..<count]
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed") }
            sent += count
        }
    }
}
