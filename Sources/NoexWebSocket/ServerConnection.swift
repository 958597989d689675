import CEpoll
import Synchronization
import Glibc

/// The loop-confined side of one accepted socket: it performs what the pure parts decide
/// (``HTTPRequestParser``, ``WebSocketHandshake``, ``WebSocketFrameDecoder``,
/// ``WebSocketStateMachine``) and owns the outbound buffer.
final class ServerConnection: EventLoopHandler {
    private enum Phase {
        case handshaking
        case open
        /// A close frame is queued or sent; frames are still parsed to see the peer's close.
        case closing
        /// An HTTP error response is queued; input is discarded.
        case rejected
        case closed
    }

    // Loop-confined state: no dynamic exclusivity checks (they cost a runtime call per access
    // on the frame path and guard nothing a single thread could not see anyway).
    @exclusivity(unchecked) private(set) var fd: Int32
    let loop: EventLoop
    let context: ServerContext
    let remoteAddress: String
    let remotePort: Int
    /// The public handle; cleared on close to break the handle ↔ core cycle.
    @exclusivity(unchecked) var handle: WebSocketConnection?

    @exclusivity(unchecked) private var phase = Phase.handshaking
    /// Whether the socket still counts as handshaking in ``ConnectionAdmission``.
    @exclusivity(unchecked) private var countedAsHandshaking = true
    @exclusivity(unchecked) private var opened = false
    @exclusivity(unchecked) private var requestParser: HTTPRequestParser
    @exclusivity(unchecked) private var handshakeBytes: [UInt8] = []
    @exclusivity(unchecked) private var decoder: WebSocketFrameDecoder
    @exclusivity(unchecked) private var machine: WebSocketStateMachine
    /// Bytes of an incomplete frame carried over to the next read.
    @exclusivity(unchecked) private var inbound: [UInt8] = []
    /// Payload bytes of the incomplete frame already unmasked (and UTF-8-checked if text).
    @exclusivity(unchecked) private var partialUnmasked = 0
    @exclusivity(unchecked) private var partialValidator: UTF8Validator?
    let outbound = OutboundBuffer()
    @exclusivity(unchecked) var isDirty = false
    @exclusivity(unchecked) private var writeRegistered = false
    /// Reads are paused while the peer leaves too much output unread (see `pauseReadsAbove`).
    @exclusivity(unchecked) private var readsPaused = false
    @exclusivity(unchecked) private var blocked = false
    @exclusivity(unchecked) private var closeAfterFlush = false
    @exclusivity(unchecked) private var shutdownAfterFlush = false
    @exclusivity(unchecked) private var didShutdownWrite = false
    @exclusivity(unchecked) private var timerID: UInt64?
    @exclusivity(unchecked) private var closeCode: UInt16?
    @exclusivity(unchecked) private var closeReason = ""

    init(fd: Int32, loop: EventLoop, context: ServerContext, remoteAddress: String, remotePort: Int) {
        self.fd = fd
        self.loop = loop
        self.context = context
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        let configuration = context.configuration
        requestParser = HTTPRequestParser(
            maxHeaderBytes: configuration.maxHeaderBytes, maxHeaderCount: configuration.maxHeaderCount)
        decoder = WebSocketFrameDecoder(role: .server, maxPayloadLength: configuration.maxMessageBytes)
        machine = WebSocketStateMachine(maxMessageBytes: configuration.maxMessageBytes)
    }

    /// Registers with the loop and starts the handshake timer.
    func start() -> Bool {
        guard loop.register(fd: fd, events: EPOLLIN.rawValue, handler: self) else { return false }
        timerID = loop.scheduleTimer(after: context.configuration.handshakeTimeout) { [weak self] in
            self?.timerID = nil
            self?.closeNow(code: nil, reason: "handshake timeout")
        }
        return true
    }

    // MARK: I/O events

    func handleEvents(_ events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 {
            writeReady()
        }
        if fd >= 0 && events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readReady()
        }
    }

    private func readReady() {
        let buffer = loop.state.value.readBuffer
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count > 0 {
            received(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        } else if count == 0 {
            closeNow(code: phase == .closing ? closeCode : nil, reason: phase == .closing ? closeReason : "connection ended")
        } else {
            let code = errno
            if code == EAGAIN || code == EINTR { return }
            closeNow(code: nil, reason: "read failed: errno \(code)")
        }
    }

    private func received(_ bytes: UnsafeMutableRawBufferPointer) {
        switch phase {
        case .handshaking: receivedHandshake(UnsafeRawBufferPointer(bytes))
        case .open, .closing: receivedFrames(bytes)
        case .rejected, .closed: return
        }
    }

    // MARK: Handshake

    private func receivedHandshake(_ bytes: UnsafeRawBufferPointer) {
        if handshakeBytes.isEmpty {
            // The usual case: the whole head came in one read. Parse it where it lies (the
            // loop's read buffer) and copy only what must wait for more bytes.
            let outcome = requestParser.parse(bytes)
            if case .needMoreData = outcome {
                handshakeBytes.append(contentsOf: bytes)
                return
            }
            handshake(outcome, bytes)
        } else {
            handshakeBytes.append(contentsOf: bytes)
            let outcome = handshakeBytes.withUnsafeBytes { requestParser.parse($0) }
            // `accept` empties `handshakeBytes`: hand it a copy of the bytes after the head.
            let all = handshakeBytes
            all.withUnsafeBytes { handshake(outcome, $0) }
        }
    }

    /// Acts on a parsed request head; `bytes` is everything received so far.
    private func handshake(_ outcome: HTTPRequestParser.Outcome, _ bytes: UnsafeRawBufferPointer) {
        switch outcome {
        case .needMoreData:
            return
        case let .failure(status, _):
            reject(status: status)
        case let .complete(head, headLength):
            switch WebSocketHandshake.validate(head, path: context.configuration.path) {
            case let .reject(status, _):
                reject(status: status)
            case let .upgrade(key):
                let request = WebSocketUpgradeRequest(
                    path: head.path, query: head.query, headers: head.headers, origin: head.header("origin"),
                    remoteAddress: remoteAddress, remotePort: remotePort)
                if case let .reject(status) = context.delegate.shouldAccept(request) {
                    reject(status: status)
                    return
                }
                accept(key: key, rest: UnsafeRawBufferPointer(rebasing: bytes[headLength...]))
            }
        }
    }

    /// - Parameter rest: Bytes received behind the request head (frames sent early).
    private func accept(key: String, rest bytes: UnsafeRawBufferPointer) {
        if let timerID { loop.cancelTimer(timerID) }
        timerID = nil
        endHandshake()
        WebSocketHandshake.appendSwitchingProtocolsResponse(key: key, to: outbound)
        markDirty()
        phase = .open
        opened = true
        // Copied: the bytes may live in the loop's read buffer or in `handshakeBytes`, and the
        // delegate runs before they are parsed. Usually empty (no allocation).
        var rest = Array(bytes)
        handshakeBytes = []
        guard let handle else { return }
        context.delegate.connectionDidOpen(handle)
        // Frames sent right behind the request head.
        if !rest.isEmpty && fd >= 0 && phase != .closed {
            rest.withUnsafeMutableBytes { receivedFrames($0) }
        }
    }

    private func reject(status: Int) {
        if let timerID { loop.cancelTimer(timerID) }
        endHandshake()
        handshakeBytes = []
        phase = .rejected
        WebSocketHandshake.errorResponse(status: status).withUnsafeBytes { outbound.append(bytes: $0) }
        shutdownAfterFlush = true
        startCloseTimer()
        markDirty()
    }

    /// Stops counting the socket as handshaking (once).
    private func endHandshake() {
        guard countedAsHandshaking else { return }
        countedAsHandshaking = false
        context.admission.handshakeEnded()
    }

    // MARK: Frames

    private func receivedFrames(_ bytes: UnsafeMutableRawBufferPointer) {
        if inbound.isEmpty {
            let used = parseFrames(bytes)
            if used < bytes.count && fd >= 0 {
                inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            }
        } else {
            inbound.append(contentsOf: UnsafeRawBufferPointer(bytes))
            // Take the bytes out so callbacks cannot touch the array while it is being parsed.
            var pending: [UInt8] = []
            swap(&pending, &inbound)
            let used = pending.withUnsafeMutableBytes { parseFrames($0) }
            guard fd >= 0 else { return }
            if used < pending.count {
                pending.removeSubrange(0..<used)
                inbound = pending
            } else if pending.capacity <= 65_536 {
                pending.removeAll(keepingCapacity: true)
                inbound = pending
            }
        }
    }

    /// Parses and handles every complete frame; returns the bytes consumed.
    private func parseFrames(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var offset = 0
        let count = buffer.count
        while offset < count && fd >= 0 {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            switch decoder.decodeHeader(rest) {
            case .needMoreData:
                return offset
            case let .failure(code, reason):
                perform(machine.protocolViolation(code: code, reason: reason))
                return count
            case let .header(header):
                let start = offset &+ header.headerLength
                if header.frameLength > rest.count {
                    // Incomplete: wait. (No capacity is reserved from the announced length, so a
                    // header claiming a large frame costs nothing until its bytes arrive.)
                    if rest.count > header.headerLength && !checkPartialText(header, buffer, start: start, end: count) {
                        return count
                    }
                    return offset
                }
                let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start &+ header.payloadLength)])
                if let key = header.maskingKey {
                    if partialUnmasked == 0 {
                        WebSocketMasking.apply(key: key, to: payload)
                    } else {
                        WebSocketMasking.apply(
                            key: key, to: UnsafeMutableRawBufferPointer(rebasing: payload[partialUnmasked...]),
                            offset: partialUnmasked)
                    }
                }
                partialUnmasked = 0
                partialValidator = nil
                offset &+= header.frameLength
                perform(machine.receive(header, payload: UnsafeRawBufferPointer(payload)))
            }
        }
        return offset
    }

    /// Unmasks and UTF-8-checks the part of an incomplete text frame that has arrived, so invalid
    /// text fails (1007) without waiting for the rest of a large frame. The incomplete frame is
    /// always the last one in the buffer and starts the carried-over bytes on the next read.
    /// - Returns: `false` when the connection was failed.
    private func checkPartialText(
        _ header: WebSocketFrameHeader, _ buffer: UnsafeMutableRawBufferPointer, start: Int, end: Int
    ) -> Bool {
        if partialUnmasked == 0 {
            guard let validator = machine.validatorForTextFrame(header) else { return true }
            partialValidator = validator
        }
        guard var validator = partialValidator, end - start > partialUnmasked else { return true }
        let fresh = UnsafeMutableRawBufferPointer(rebasing: buffer[(start + partialUnmasked)..<end])
        if let key = header.maskingKey { WebSocketMasking.apply(key: key, to: fresh, offset: partialUnmasked) }
        partialUnmasked = end - start
        let valid = validator.feed(UnsafeRawBufferPointer(fresh))
        partialValidator = validator
        if !valid {
            partialUnmasked = 0
            partialValidator = nil
            perform(machine.protocolViolation(code: WebSocketCloseCode.invalidPayload, reason: "invalid UTF-8 in text message"))
            return false
        }
        return true
    }

    private func perform(_ action: WebSocketStateMachine.Action) {
        switch action {
        case .none:
            return
        case let .text(payload):
            if let handle { context.delegate.connection(handle, didReceiveText: payload) }
        case let .binary(payload):
            if let handle { context.delegate.connection(handle, didReceiveBinary: payload) }
        case let .assembled(opcode):
            let message = machine.takeAssembledMessage()
            if let handle {
                message.withUnsafeBytes { bytes in
                    if opcode == .text {
                        context.delegate.connection(handle, didReceiveText: bytes)
                    } else {
                        context.delegate.connection(handle, didReceiveBinary: bytes)
                    }
                }
            }
            machine.recycle(message)
        case let .pong(payload):
            outbound.appendFrame(opcode: .pong, payload: payload)
            markDirty()
        case let .fail(code, reason):
            beginClose(code: code, reason: reason)
        case let .peerClosed(code, reason, reply):
            closeCode = code
            closeReason = reason
            if reply {
                sendCloseFrame(code: code, reason: "")
            }
            phase = .closing
            // RFC 6455 §7.1.1: the server closes the TCP connection once the handshake is done.
            closeAfterFlush = true
            if timerID == nil { startCloseTimer() }
            markDirty()
        case .drop:
            closeNow(code: closeCode, reason: closeReason)
        }
    }

    // MARK: Application requests (loop thread)

    func sendText(_ bytes: some Collection<UInt8>) {
        guard phase == .open else { return }
        outbound.appendFrame(opcode: .text, payload: bytes)
        markDirty()
    }

    func sendText(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        guard phase == .open else { return }
        outbound.appendFrame(opcode: .text, payloadLength: count, write)
        markDirty()
    }

    func sendText(_ bytes: UnsafeRawBufferPointer) {
        guard phase == .open else { return }
        outbound.appendFrame(opcode: .text, payload: bytes)
        markDirty()
    }

    func sendBinary(_ bytes: some Collection<UInt8>) {
        guard phase == .open else { return }
        outbound.appendFrame(opcode: .binary, payload: bytes)
        markDirty()
    }

    func sendBinary(_ bytes: UnsafeRawBufferPointer) {
        guard phase == .open else { return }
        outbound.appendFrame(opcode: .binary, payload: bytes)
        markDirty()
    }

    func send(_ frame: FrameStorage) {
        guard phase == .open else { return }
        outbound.append(frame: frame)
        markDirty()
    }

    func close(code: UInt16, reason: String) {
        switch phase {
        case .handshaking: closeNow(code: nil, reason: reason)
        case .open: if machine.initiateClose() { beginClose(code: code, reason: reason) }
        case .closing, .rejected, .closed: return
        }
    }

    /// Sends a close frame, then half-closes once it is written and waits for the peer.
    private func beginClose(code: UInt16, reason: String) {
        closeCode = code
        closeReason = reason
        phase = .closing
        sendCloseFrame(code: code, reason: reason)
        shutdownAfterFlush = true
        startCloseTimer()
    }

    private func sendCloseFrame(code: UInt16?, reason: String) {
        WebSocketFrameEncoder.closePayload(code: code, reason: reason).withUnsafeBytes {
            outbound.appendFrame(opcode: .close, payload: $0)
        }
        markDirty()
    }

    private func startCloseTimer() {
        if let timerID { loop.cancelTimer(timerID) }
        timerID = loop.scheduleTimer(after: context.configuration.closeTimeout) { [weak self] in
            guard let self else { return }
            self.timerID = nil
            self.closeNow(code: self.closeCode, reason: self.closeReason.isEmpty ? "close timeout" : self.closeReason)
        }
    }

    // MARK: Writing

    @inline(__always)
    private func markDirty() {
        handle?.buffered.store(outbound.count, ordering: .relaxed)
        if !isDirty && fd >= 0 {
            isDirty = true
            loop.state.value.dirty.append(self)
        }
    }

    /// Called once per loop iteration for connections with new output.
    func flushFromLoop() {
        isDirty = false
        guard fd >= 0 else { return }
        if writeRegistered {
            // The socket is full; EPOLLOUT will flush. Only re-check whether to stop reading.
            updateInterest()
            return
        }
        flush()
    }

    private func writeReady() {
        guard fd >= 0 else { return }
        flush()
    }

    /// Registers for EPOLLOUT while the socket is full, and drops EPOLLIN while the unsent output
    /// is above `pauseReadsAbove`: a peer that pings or sends without reading must not grow this
    /// buffer without bound, so it is not read until the backlog is written.
    private func updateInterest() {
        let wantWrite = blocked
        let pause = blocked && outbound.count > context.configuration.pauseReadsAbove
        guard wantWrite != writeRegistered || pause != readsPaused else { return }
        var events: UInt32 = pause ? 0 : EPOLLIN.rawValue
        if wantWrite { events |= EPOLLOUT.rawValue }
        loop.modify(fd: fd, events: events)
        writeRegistered = wantWrite
        readsPaused = pause
    }

    private func flush() {
        var drained = false
        if !outbound.isEmpty {
            switch outbound.write(to: fd) {
            case .drained:
                drained = blocked
                blocked = false
            case .blocked:
                blocked = true
            case let .failed(code):
                closeNow(code: nil, reason: "write failed: errno \(code)")
                return
            }
            updateInterest()
            handle?.buffered.store(outbound.count, ordering: .relaxed)
        }
        guard outbound.isEmpty else { return }
        if closeAfterFlush {
            closeNow(code: closeCode, reason: closeReason)
            return
        }
        if shutdownAfterFlush && !didShutdownWrite {
            didShutdownWrite = true
            _ = shutdown(fd, Int32(SHUT_WR))
        }
        if drained && phase == .open, let handle {
            context.delegate.connectionDidDrain(handle)
        }
    }

    // MARK: Closing

    /// Closes the socket now and reports the end to the delegate (once).
    func closeNow(code: UInt16?, reason: String) {
        guard fd >= 0 else { return }
        if let timerID { loop.cancelTimer(timerID) }
        timerID = nil
        loop.unregister(fd: fd)
        Glibc.close(fd)
        fd = -1
        endHandshake()
        context.admission.release(address: remoteAddress)
        outbound.release()
        inbound = []
        handshakeBytes = []
        machine.markClosed()
        phase = .closed
        let handle = self.handle
        self.handle = nil
        handle?.buffered.store(0, ordering: .relaxed)
        if opened, let handle {
            context.delegate.connectionDidClose(handle, code: code, reason: reason)
            handle.attachment = nil
        }
    }

    /// Closes at once to give the descriptor back to a process that ran out of them: a socket
    /// still handshaking (or being refused) is dropped, an upgraded one gets a best-effort 1013
    /// (try again later) first. With `handshakingOnly`, upgraded ones are left alone.
    /// - Returns: Whether the socket was closed.
    func shedForDescriptors(handshakingOnly: Bool) -> Bool {
        guard fd >= 0 else { return false }
        switch phase {
        case .handshaking, .rejected:
            closeNow(code: nil, reason: "descriptor shortage")
            return true
        case .open, .closing:
            guard !handshakingOnly else { return false }
            if phase == .open && machine.initiateClose() {
                closeCode = WebSocketCloseCode.tryAgainLater
                closeReason = "descriptor shortage"
                sendCloseFrame(code: WebSocketCloseCode.tryAgainLater, reason: "descriptor shortage")
                _ = outbound.write(to: fd)
            }
            closeNow(code: closeCode, reason: closeReason.isEmpty ? "descriptor shortage" : closeReason)
            return true
        case .closed:
            return false
        }
    }

    func closeForShutdown() {
        guard fd >= 0 else { return }
        if phase == .open && machine.initiateClose() {
            // Best effort: one non-blocking write of a 1001 close frame.
            closeCode = WebSocketCloseCode.goingAway
            closeReason = "server shutdown"
            sendCloseFrame(code: WebSocketCloseCode.goingAway, reason: "server shutdown")
            _ = outbound.write(to: fd)
        }
        closeNow(code: closeCode, reason: closeReason.isEmpty ? "server shutdown" : closeReason)
    }
}
