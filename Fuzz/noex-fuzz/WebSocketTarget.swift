// Fuzz target `websocket`: the frame decoder and the RFC 6455 state machine, driven the way
// `ServerConnection` drives them.
import NoexWebSocket

/// The payload and message limits the first input byte chooses from (the last one is the
/// largest a configuration could hold).
private let limits = [0, 1, 125, 126, 1000, 65_535, 65_536, 1 << 20, Int.max]

/// Input: one settings byte (bit 0: client role; bits 1-4: the limits) then a byte stream of
/// frames. Checks: a decoded header respects the role's masking rule and the limits, encodes
/// back to the same header; text the machine delivers is valid UTF-8; no message exceeds the
/// limit; pongs carry at most 125 bytes; after a failure or a close nothing more is delivered;
/// the incremental UTF-8 validator agrees with the one-shot one wherever the input is split.
let websocketTarget = FuzzTarget(
    name: "websocket", summary: "WebSocketFrameDecoder + WebSocketStateMachine + UTF8Validator"
) { input in
    guard let settings = input.first else { return }
    let role: WebSocketRole = settings & 1 == 0 ? .server : .client
    let limit = limits[Int(settings >> 1) % limits.count]
    var stream = [UInt8](input.dropFirst())
    checkIncrementalUTF8(stream, split: Int(settings))
    let decoder = WebSocketFrameDecoder(role: role, maxPayloadLength: limit)
    var machine = WebSocketStateMachine(maxMessageBytes: limit)
    stream.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            switch decoder.decodeHeader(rest) {
            case .needMoreData:
                fuzzCheck(rest.count < 14, "needMoreData with \(rest.count) bytes available")
                return
            case .failure(let code, _):
                fuzzCheck(code == 1002 || code == 1009, "decoder failed with close code \(code)")
                _ = machine.protocolViolation(code: code, reason: "fuzz")
                fuzzCheck(machine.state != .open, "still open after a protocol violation")
                return
            case .header(let header):
                check(header, role: role, limit: limit)
                // As `ServerConnection.parseFrames` decides whether the frame is complete.
                guard header.frameLength <= rest.count else {
                    checkPartialText(header, rest, machine: machine)
                    return
                }
                let start = offset + header.headerLength
                let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + header.payloadLength)])
                if let key = header.maskingKey { WebSocketMasking.apply(key: key, to: payload) }
                offset = start + header.payloadLength
                let before = machine.state
                perform(machine.receive(header, payload: UnsafeRawBufferPointer(payload)), &machine, limit: limit, before: before)
            }
        }
    }
}

/// The header is consistent with the decoder's settings and survives an encode/decode trip.
private func check(_ header: WebSocketFrameHeader, role: WebSocketRole, limit: Int) {
    fuzzCheck((2...14).contains(header.headerLength), "header length \(header.headerLength)")
    fuzzCheck(header.payloadLength >= 0, "negative payload length")
    fuzzCheck(header.payloadLength <= limit || header.opcode.isControl, "payload \(header.payloadLength) above \(limit)")
    fuzzCheck(!header.opcode.isControl || (header.fin && header.payloadLength <= 125), "bad control frame accepted")
    fuzzCheck((header.maskingKey != nil) == (role == .server), "masking rule broken for \(role)")
    fuzzCheck(header.opcode.isDefined && header.reservedBits == 0, "reserved opcode or bits accepted")
    guard header.payloadLength <= 70_000 else { return }
    let frame = WebSocketFrameEncoder.encode(
        opcode: header.opcode, payload: [UInt8](repeating: 0x61, count: header.payloadLength), fin: header.fin,
        maskingKey: header.maskingKey)
    let again = frame.withUnsafeBytes { WebSocketFrameDecoder(role: role, maxPayloadLength: limit).decodeHeader($0) }
    fuzzCheck(again == .header(header) || header.headerLength != WebSocketFrameEncoder.headerLength(payloadLength: header.payloadLength, masked: header.maskingKey != nil), "re-encoded header decodes differently: \(again) vs \(header)")
}

/// What `ServerConnection` does with the part of an incomplete text frame that has arrived.
private func checkPartialText(_ header: WebSocketFrameHeader, _ rest: UnsafeRawBufferPointer, machine: WebSocketStateMachine) {
    guard var validator = machine.validatorForTextFrame(header) else { return }
    var arrived = [UInt8](rest[header.headerLength...])
    arrived.withUnsafeMutableBytes { bytes in
        if let key = header.maskingKey { WebSocketMasking.apply(key: key, to: bytes) }
        _ = validator.feed(UnsafeRawBufferPointer(bytes))
    }
}

/// Checks one action of the machine the way the connection would carry it out.
private func perform(_ action: WebSocketStateMachine.Action, _ machine: inout WebSocketStateMachine, limit: Int, before: WebSocketStateMachine.State) {
    switch action {
    case .none, .drop:
        break
    case .text(let payload):
        fuzzCheck(before == .open, "text delivered in state \(before)")
        fuzzCheck(payload.count <= limit, "text of \(payload.count) bytes above \(limit)")
        fuzzCheck(UTF8Validator.isValid(payload) && String(validating: payload, as: UTF8.self) != nil, "invalid UTF-8 delivered")
    case .binary(let payload):
        fuzzCheck(before == .open, "binary delivered in state \(before)")
        fuzzCheck(payload.count <= limit, "binary of \(payload.count) bytes above \(limit)")
    case .assembled(let opcode):
        fuzzCheck(before == .open, "message assembled in state \(before)")
        let message = machine.takeAssembledMessage()
        fuzzCheck(message.count <= limit, "assembled message of \(message.count) bytes above \(limit)")
        if opcode == .text {
            fuzzCheck(String(validating: message, as: UTF8.self) != nil, "invalid UTF-8 assembled")
        } else {
            fuzzCheck(opcode == .binary, "assembled a \(opcode) message")
        }
        machine.recycle(message)
    case .pong(let payload):
        fuzzCheck(payload.count <= 125, "pong of \(payload.count) bytes")
    case .fail(let code, _):
        fuzzCheck([1002, 1007, 1009].contains(code), "failed with close code \(code)")
        fuzzCheck(machine.state != .open, "still open after failing")
    case .peerClosed(let code, _, _):
        if let code {
            fuzzCheck((1000...4999).contains(code) && ![1004, 1005, 1006, 1015].contains(code), "accepted close code \(code)")
        }
        fuzzCheck(machine.state != .open, "still open after the peer's close")
    }
}

/// Feeding the validator two pieces gives the same verdict as validating the whole.
private func checkIncrementalUTF8(_ bytes: [UInt8], split: Int) {
    let cut = bytes.isEmpty ? 0 : split % (bytes.count + 1)
    let whole = UTF8Validator.isValid(bytes)
    fuzzCheck(whole == (String(validating: bytes, as: UTF8.self) != nil), "UTF8Validator disagrees with the standard library")
    var validator = UTF8Validator()
    let pieces = bytes.withUnsafeBytes { raw in
        validator.feed(UnsafeRawBufferPointer(rebasing: raw[..<cut])) && validator.feed(UnsafeRawBufferPointer(rebasing: raw[cut...]))
    }
    fuzzCheck(whole == (pieces && validator.isComplete), "incremental UTF-8 validation split at \(cut) disagrees")
}
