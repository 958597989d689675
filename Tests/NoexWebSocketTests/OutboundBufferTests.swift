import Glibc
@testable import NoexWebSocket
import Testing

@Suite("Outbound buffer")
struct OutboundBufferTests {
    /// A connected UNIX stream socket pair.
    func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw WebSocketError.system(call: "socketpair", errno: errno)
        }
        return (fds[0], fds[1])
    }

    func readAll(_ fd: Int32, count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while result.count < count {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { break }
            result += chunk[0..<got]
        }
        return result
    }

    @Test func framesSharedFramesAndRawBytesComeOutInOrder() throws {
        let (writer, reader) = try socketPair()
        defer { close(writer); close(reader) }
        let buffer = OutboundBuffer()
        let big = PreparedFrame(text: [UInt8](repeating: 0x7A, count: 5000))   // queued by reference
        let small = PreparedFrame(text: Array("hi".utf8))                      // copied
        buffer.appendFrame(opcode: .text, payload: Array("one".utf8))
        buffer.append(frame: big.storage)
        buffer.append(frame: small.storage)
        Array("raw".utf8).withUnsafeBytes { buffer.append(bytes: $0) }
        let expected = WebSocketFrameEncoder.encode(opcode: .text, payload: Array("one".utf8)) + big.bytes + small.bytes
            + Array("raw".utf8)
        #expect(buffer.count == expected.count)
        guard case .drained = buffer.write(to: writer) else {
            Issue.record("not drained")
            return
        }
        #expect(buffer.isEmpty)
        #expect(readAll(reader, count: expected.count) == expected)
    }

    @Test func fullSocketBlocksThenResumesWhereItStopped() throws {
        let (writer, reader) = try socketPair()
        defer { close(writer); close(reader) }
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        let buffer = OutboundBuffer()
        var expected: [UInt8] = []
        for index in 0..<200 {
            let payload = [UInt8](repeating: UInt8(index % 251), count: 10_000 + index)
            buffer.appendFrame(opcode: .binary, payload: payload)
            expected += WebSocketFrameEncoder.encode(opcode: .binary, payload: payload)
        }
        guard case .blocked = buffer.write(to: writer) else {
            Issue.record("2 MB fit a socket pair buffer?")
            return
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !buffer.isEmpty || received.count < expected.count {
            _ = buffer.write(to: writer)
            let got = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if got <= 0 { break }
            received += chunk[0..<got]
        }
        #expect(received == expected)
    }

    @Test func writingToAClosedPeerFailsWithoutSIGPIPE() throws {
        // With SIGPIPE at its default action, a plain write() here would kill the test process.
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        let (writer, reader) = try socketPair()
        defer { close(writer) }
        close(reader)
        let buffer = OutboundBuffer()
        buffer.appendFrame(opcode: .text, payload: Array("lost".utf8))
        buffer.append(frame: PreparedFrame(text: [UInt8](repeating: 1, count: 4096)).storage)
        guard case let .failed(code) = buffer.write(to: writer) else {
            Issue.record("write to a closed peer did not fail")
            return
        }
        #expect(code == EPIPE)
    }
}
