import CEpoll
import Glibc

/// A connection's unsent bytes: frames are encoded straight into one growable byte region, and
/// large shared frames are queued by reference; a flush writes everything with one `writev`.
///
/// Loop-confined (owned by a `ServerConnection` or used by one client writer at a time).
final class OutboundBuffer {
    /// A queued run of bytes: `inline` is the next `length` bytes of the byte region.
    private enum Segment {
        case inline(length: Int)
        case shared(FrameStorage, offset: Int)
    }

    /// Frames at least this big are queued by reference instead of copied.
    static let sharedThreshold = 2048
    private static let initialCapacity = 1024
    private static let retainedCapacity = 64 * 1024

    // Loop-confined, so the runtime's dynamic exclusivity checks (a call per access on this
    // hottest path, several per frame) guard nothing here and are turned off.
    @exclusivity(unchecked) private var storage: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var capacity = 0
    @exclusivity(unchecked) private var head = 0
    @exclusivity(unchecked) private var tail = 0
    @exclusivity(unchecked) private var segments: [Segment] = []
    @exclusivity(unchecked) private var firstSegment = 0
    /// Unsent bytes in total.
    @exclusivity(unchecked) private(set) var count = 0

    deinit { storage?.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// Reserves `maximum` bytes at the tail, lets `body` write up to that many, and queues what it wrote.
    @inline(__always)
    func append(maximum: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        if tail &+ maximum > capacity { makeRoom(maximum) }
        guard let storage else { return }
        let written = body(storage + tail)
        tail &+= written
        count &+= written
        if firstSegment < segments.count, case let .inline(length) = segments[segments.count - 1] {
            segments[segments.count - 1] = .inline(length: length &+ written)
        } else {
            segments.append(.inline(length: written))
        }
    }

    /// Queues raw bytes.
    func append(bytes: UnsafeRawBufferPointer) {
        append(maximum: bytes.count) { target in
            if let base = bytes.baseAddress { target.copyMemory(from: base, byteCount: bytes.count) }
            return bytes.count
        }
    }

    /// Queues a frame: a header for `payload` followed by its bytes (masked when `maskingKey` is set).
    func appendFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, maskingKey: UInt32? = nil) {
        let length = payload.count
        let header = WebSocketFrameEncoder.headerLength(payloadLength: length, masked: maskingKey != nil)
        append(maximum: header &+ length) { target in
            WebSocketFrameEncoder.writeHeader(to: target, opcode: opcode, payloadLength: length, maskingKey: maskingKey)
            if let base = payload.baseAddress, length > 0 {
                (target + header).copyMemory(from: base, byteCount: length)
                if let key = maskingKey {
                    WebSocketMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(start: target + header, count: length))
                }
            }
            return header &+ length
        }
    }

    /// Queues an unmasked frame of `length` payload bytes that `writePayload` writes straight
    /// into the buffer (it must initialise exactly `length` bytes).
    func appendFrame(opcode: WebSocketOpcode, payloadLength length: Int, _ writePayload: (UnsafeMutableRawBufferPointer) -> Void) {
        let header = WebSocketFrameEncoder.headerLength(payloadLength: length, masked: false)
        append(maximum: header &+ length) { target in
            WebSocketFrameEncoder.writeHeader(to: target, opcode: opcode, payloadLength: length)
            writePayload(UnsafeMutableRawBufferPointer(start: target + header, count: length))
            return header &+ length
        }
    }

    /// Queues a text or binary frame from any byte collection.
    func appendFrame(opcode: WebSocketOpcode, payload: some Collection<UInt8>) {
        let done: Void? = payload.withContiguousStorageIfAvailable {
            appendFrame(opcode: opcode, payload: UnsafeRawBufferPointer($0))
        }
        if done == nil {
            let length = payload.count
            let header = WebSocketFrameEncoder.headerLength(payloadLength: length, masked: false)
            append(maximum: header &+ length) { target in
                WebSocketFrameEncoder.writeHeader(to: target, opcode: opcode, payloadLength: length)
                _ = UnsafeMutableRawBufferPointer(start: target + header, count: length)
                    .initializeMemory(as: UInt8.self, from: payload)
                return header &+ length
            }
        }
    }

    /// Queues a prepared frame, by reference when it is large.
    func append(frame: FrameStorage) {
        if frame.count < Self.sharedThreshold {
            append(bytes: UnsafeRawBufferPointer(start: frame.pointer, count: frame.count))
        } else {
            segments.append(.shared(frame, offset: 0))
            count &+= frame.count
        }
    }

    private func makeRoom(_ needed: Int) {
        let used = tail - head
        if used == 0 { head = 0; tail = 0 }
        if tail + needed <= capacity { return }
        if head > 0 && used + needed <= capacity {
            if let storage, used > 0 { storage.copyMemory(from: storage + head, byteCount: used) }
            head = 0
            tail = used
            return
        }
        var newCapacity = max(capacity * 2, Self.initialCapacity)
        while newCapacity < used + needed { newCapacity *= 2 }
        let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let storage {
            if used > 0 { newStorage.copyMemory(from: storage + head, byteCount: used) }
            storage.deallocate()
        }
        storage = newStorage
        capacity = newCapacity
        head = 0
        tail = used
    }

    /// The outcome of writing to a socket.
    enum WriteResult {
        /// Everything was written.
        case drained
        /// The socket would block with bytes still queued.
        case blocked
        /// The socket failed (peer reset, broken pipe).
        case failed(Int32)
    }

    /// Writes as much as the socket takes, with one vectored `sendmsg` per batch of up to 64 segments.
    func write(to fd: Int32) -> WriteResult {
        while count > 0 {
            let written: Int = withUnsafeTemporaryAllocation(of: iovec.self, capacity: 64) { vectors in
                var used = 0
                var inlineCursor = head
                var index = firstSegment
                while index < segments.count && used < 64 {
                    switch segments[index] {
                    case let .inline(length):
                        vectors[used] = iovec(iov_base: storage.map { $0 + inlineCursor }, iov_len: length)
                        inlineCursor += length
                    case let .shared(frame, offset):
                        vectors[used] = iovec(iov_base: frame.pointer + offset, iov_len: frame.count - offset)
                    }
                    used += 1
                    index += 1
                }
                // send/sendmsg with MSG_NOSIGNAL: a peer reset must not raise SIGPIPE in a host
                // process that did not ignore it.
                if used == 1 { return send(fd, vectors[0].iov_base, vectors[0].iov_len, Int32(MSG_NOSIGNAL)) }
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = used
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return .blocked }
                if code == EINTR { continue }
                return .failed(code)
            }
            consume(written)
        }
        return .drained
    }

    /// Drops `written` bytes from the front.
    private func consume(_ written: Int) {
        var remaining = written
        count -= written
        while remaining > 0 && firstSegment < segments.count {
            switch segments[firstSegment] {
            case let .inline(length):
                if remaining >= length {
                    head += length
                    remaining -= length
                    firstSegment += 1
                } else {
                    head += remaining
                    segments[firstSegment] = .inline(length: length - remaining)
                    remaining = 0
                }
            case let .shared(frame, offset):
                let left = frame.count - offset
                if remaining >= left {
                    remaining -= left
                    firstSegment += 1
                } else {
                    segments[firstSegment] = .shared(frame, offset: offset + remaining)
                    remaining = 0
                }
            }
        }
        if firstSegment == segments.count {
            segments.removeAll(keepingCapacity: true)
            firstSegment = 0
            head = 0
            tail = 0
            if capacity > Self.retainedCapacity { release() }
        } else if firstSegment > 32 {
            segments.removeFirst(firstSegment)
            firstSegment = 0
        }
    }

    /// Frees all memory and forgets queued bytes.
    func release() {
        storage?.deallocate()
        storage = nil
        capacity = 0
        head = 0
        tail = 0
        count = 0
        segments = []
        firstSegment = 0
    }
}
