/// The per-connection protocol logic of RFC 6455 as a value type: it takes decoded, unmasked
/// frames and returns what the I/O shell must do. It never touches a socket.
///
/// It reassembles fragmented messages (control frames may be interleaved), validates UTF-8
/// incrementally across fragments, enforces the message size limit, answers pings and runs the
/// close handshake with close-code validation.
public struct WebSocketStateMachine: Sendable {
    /// Where the connection is in its lifetime.
    public enum State: Sendable, Hashable {
        /// Data flows both ways.
        case open
        /// This side sent a close frame and awaits the peer's.
        case closeSent
        /// Both close frames were exchanged, or the peer's close was answered.
        case closed
    }

    /// What the shell must do after a frame.
    ///
    /// Buffer payloads point into the caller's frame memory and are valid only until the next
    /// call that mutates the machine or the caller's buffer.
    public enum Action {
        /// Nothing to do (a buffered fragment, a pong, data after close).
        case none
        /// A whole text message carried by one frame (UTF-8 already validated).
        case text(UnsafeRawBufferPointer)
        /// A whole binary message carried by one frame.
        case binary(UnsafeRawBufferPointer)
        /// A fragmented message is complete; take it with ``takeAssembledMessage()``.
        case assembled(WebSocketOpcode)
        /// Answer a ping with a pong carrying this payload.
        case pong(UnsafeRawBufferPointer)
        /// The peer broke the protocol: send a close frame with this code, then close the
        /// connection (state is now ``State/closeSent``).
        case fail(code: UInt16, reason: String)
        /// The peer sent a valid close frame. If `reply` is set, echo its code in a close frame
        /// (empty if `code` is nil); then close the TCP connection.
        case peerClosed(code: UInt16?, reason: String, reply: Bool)
        /// Close the TCP connection now without another frame (a protocol error after close).
        case drop
    }

    /// The connection state.
    public private(set) var state: State = .open
    /// The largest message, in bytes, accepted (1009 above it).
    public let maxMessageBytes: Int
    /// The opcode of the fragmented message being reassembled, if any.
    private var messageOpcode: WebSocketOpcode?
    private var fragments: [UInt8] = []
    private var utf8 = UTF8Validator()

    /// Creates a state machine for an open connection.
    /// - Parameter maxMessageBytes: The largest message accepted.
    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Processes one complete frame.
    /// - Parameters:
    ///   - header: The frame header, already checked by ``WebSocketFrameDecoder``.
    ///   - payload: The unmasked payload.
    /// - Returns: What the shell must do.
    public mutating func receive(_ header: WebSocketFrameHeader, payload: UnsafeRawBufferPointer) -> Action {
        if state == .closed { return .none }
        switch header.opcode {
        case .text, .binary:
            if state != .open { return .none }
            if messageOpcode != nil { return fail(WebSocketCloseCode.protocolError, "expected a continuation frame") }
            if header.fin {
                if header.opcode == .text {
                    guard UTF8Validator.isValid(payload) else {
                        return fail(WebSocketCloseCode.invalidPayload, "invalid UTF-8 in text message")
                    }
                    return .text(payload)
                }
                return .binary(payload)
            }
            messageOpcode = header.opcode
            fragments.removeAll(keepingCapacity: true)
            fragments.append(contentsOf: payload)
            if header.opcode == .text {
                utf8.reset()
                guard utf8.feed(payload) else { return fail(WebSocketCloseCode.invalidPayload, "invalid UTF-8 in text message") }
            }
            return .none
        case .continuation:
            if state != .open { return .none }
            guard let opcode = messageOpcode else {
                return fail(WebSocketCloseCode.protocolError, "continuation frame without a message")
            }
            if fragments.count + payload.count > maxMessageBytes {
                return fail(WebSocketCloseCode.messageTooBig, "message too big")
            }
            fragments.append(contentsOf: payload)
            if opcode == .text {
                guard utf8.feed(payload) else { return fail(WebSocketCloseCode.invalidPayload, "invalid UTF-8 in text message") }
                if header.fin && !utf8.isComplete {
                    return fail(WebSocketCloseCode.invalidPayload, "truncated UTF-8 in text message")
                }
            }
            if header.fin {
                messageOpcode = nil
                return .assembled(opcode)
            }
            return .none
        case .ping:
            return state == .open ? .pong(payload) : .none
        case .pong:
            return .none
        case .close:
            return receiveClose(payload)
        default:
            // The decoder rejects reserved opcodes; stay safe if handed one anyway.
            return fail(WebSocketCloseCode.protocolError, "reserved opcode")
        }
    }

    private mutating func receiveClose(_ payload: UnsafeRawBufferPointer) -> Action {
        var code: UInt16?
        var reason = ""
        if payload.count == 1 { return fail(WebSocketCloseCode.protocolError, "close payload of one byte") }
        if payload.count >= 2 {
            let value = UInt16(payload[0]) << 8 | UInt16(payload[1])
            guard WebSocketCloseCode.isValidOnWire(value) else {
                return fail(WebSocketCloseCode.protocolError, "invalid close code \(value)")
            }
            let reasonBytes = UnsafeRawBufferPointer(rebasing: payload[2...])
            guard UTF8Validator.isValid(reasonBytes) else {
                return fail(WebSocketCloseCode.invalidPayload, "invalid UTF-8 in close reason")
            }
            code = value
            reason = String(decoding: reasonBytes, as: UTF8.self)
        }
        let reply = state == .open
        state = .closed
        releaseFragments()
        return .peerClosed(code: code, reason: reason, reply: reply)
    }

    private mutating func fail(_ code: UInt16, _ reason: String) -> Action {
        releaseFragments()
        if state != .open {
            state = .closed
            return .drop
        }
        state = .closeSent
        return .fail(code: code, reason: reason)
    }

    private mutating func releaseFragments() {
        messageOpcode = nil
        fragments = []
    }

    /// Takes the reassembled message out of the machine (after ``Action/assembled(_:)``).
    ///
    /// The machine is free to be used again while the caller holds the bytes, so a callback
    /// that reacts to the message may close the connection.
    /// - Returns: The message bytes.
    public mutating func takeAssembledMessage() -> [UInt8] {
        var message: [UInt8] = []
        swap(&message, &fragments)
        return message
    }

    /// Gives a message buffer back for reuse by the next fragmented message.
    /// - Parameter buffer: A buffer from ``takeAssembledMessage()``.
    public mutating func recycle(_ buffer: consuming [UInt8]) {
        guard messageOpcode == nil, fragments.capacity == 0, buffer.capacity <= 65_536 else { return }
        buffer.removeAll(keepingCapacity: true)
        fragments = buffer
    }

    /// The UTF-8 state a frame's payload continues from, when the frame carries text: a fresh
    /// validator for a text frame starting a message, the message's state for a continuation of a
    /// text message, `nil` otherwise. Lets the shell check a large frame while it still arrives.
    /// - Parameter header: The incoming frame's header.
    /// - Returns: A copy of the validator to feed, or `nil`.
    public func validatorForTextFrame(_ header: WebSocketFrameHeader) -> UTF8Validator? {
        guard state == .open else { return nil }
        switch header.opcode {
        case .text where messageOpcode == nil: return UTF8Validator()
        case .continuation where messageOpcode == .text: return utf8
        default: return nil
        }
    }

    /// Reports a violation found outside the machine (by the frame decoder).
    /// - Parameters:
    ///   - code: The close code to fail with.
    ///   - reason: A short reason.
    /// - Returns: ``Action/fail(code:reason:)``, or ``Action/drop`` if a close was already sent.
    public mutating func protocolViolation(code: UInt16, reason: String) -> Action {
        if state == .closed { return .drop }
        return fail(code, reason)
    }

    /// This side starts the close handshake.
    /// - Returns: `true` if a close frame must be sent now (the connection was open).
    public mutating func initiateClose() -> Bool {
        guard state == .open else { return false }
        state = .closeSent
        releaseFragments()
        return true
    }

    /// The TCP connection ended; nothing more will be processed.
    public mutating func markClosed() {
        state = .closed
        releaseFragments()
    }
}
