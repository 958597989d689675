import NoexWebSocket
import Testing

/// What a state machine action amounts to, with payloads copied out (comparable in tests).
enum Outcome: Equatable {
    case none, text([UInt8]), binary([UInt8]), assembled(String, [UInt8]), pong([UInt8])
    case fail(UInt16), peerClosed(UInt16?, String, Bool), drop
}

/// Feeds one frame (already unmasked) and summarizes the action.
func feed(_ machine: inout WebSocketStateMachine, _ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> Outcome {
    let header = WebSocketFrameHeader(fin: fin, opcode: opcode, payloadLength: payload.count, headerLength: 2)
    let action = payload.withUnsafeBytes { machine.receive(header, payload: $0) }
    switch action {
    case .none: return .none
    case let .text(bytes): return .text(Array(bytes))
    case let .binary(bytes): return .binary(Array(bytes))
    case let .assembled(opcode): return .assembled(opcode.description, machine.takeAssembledMessage())
    case let .pong(bytes): return .pong(Array(bytes))
    case let .fail(code, _): return .fail(code)
    case let .peerClosed(code, reason, reply): return .peerClosed(code, reason, reply)
    case .drop: return .drop
    }
}

func closePayload(_ code: UInt16, _ reason: [UInt8] = []) -> [UInt8] { [UInt8(code >> 8), UInt8(code & 0xFF)] + reason }

@Suite("WebSocket state machine")
struct WebSocketStateMachineTests {
    @Test func singleFrameMessages() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, hello) == .text(hello))
        #expect(feed(&machine, .binary, [0, 255]) == .binary([0, 255]))
        #expect(machine.state == .open)
    }

    @Test func fragmentationWithInterleavedControlFrames() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, Array("frag".utf8), fin: false) == .none)
        #expect(feed(&machine, .ping, Array("p".utf8)) == .pong(Array("p".utf8)))
        #expect(feed(&machine, .continuation, Array("men".utf8), fin: false) == .none)
        #expect(feed(&machine, .pong, []) == .none)
        #expect(feed(&machine, .continuation, Array("ted".utf8)) == .assembled("text", Array("fragmented".utf8)))
        // The next message starts clean.
        #expect(feed(&machine, .binary, [1], fin: false) == .none)
        #expect(feed(&machine, .continuation, [2]) == .assembled("binary", [1, 2]))
    }

    @Test func continuationWithoutMessageFails() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .continuation, [1]) == .fail(1002))
        #expect(machine.state == .closeSent)
    }

    @Test func newMessageInsideFragmentedMessageFails() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, [0x61], fin: false) == .none)
        #expect(feed(&machine, .text, [0x62]) == .fail(1002))
    }

    @Test func messageSizeLimitAcrossFragments() {
        var machine = WebSocketStateMachine(maxMessageBytes: 10)
        #expect(feed(&machine, .binary, [UInt8](repeating: 1, count: 6), fin: false) == .none)
        #expect(feed(&machine, .continuation, [UInt8](repeating: 1, count: 5)) == .fail(1009))
    }

    @Test func invalidUTF8InSingleFrameFails() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, [0xCE, 0xBA, 0xED, 0xA0, 0x80]) == .fail(1007))
    }

    @Test func invalidUTF8AcrossFragmentsFailsEarly() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, [0xF4, 0x90], fin: false) == .fail(1007))
    }

    @Test func truncatedUTF8AtMessageEndFails() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .text, [0x61, 0xE2], fin: false) == .none)
        #expect(feed(&machine, .continuation, [0x82]) == .fail(1007))
    }

    @Test func validUTF8SplitAcrossFragments() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        let smile: [UInt8] = [0xF0, 0x9F, 0x98, 0x80]
        #expect(feed(&machine, .text, Array(smile[0..<1]), fin: false) == .none)
        #expect(feed(&machine, .continuation, Array(smile[1..<3]), fin: false) == .none)
        #expect(feed(&machine, .continuation, Array(smile[3...])) == .assembled("text", smile))
    }

    @Test func dataAfterFailureIsIgnoredAndSecondErrorDrops() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .continuation, []) == .fail(1002))
        #expect(feed(&machine, .text, hello) == .none)
        #expect(feed(&machine, .ping, []) == .none)
        let action = machine.protocolViolation(code: 1002, reason: "x")
        #expect(action.isDrop)
    }
}

extension WebSocketStateMachine.Action {
    var isDrop: Bool { if case .drop = self { return true } else { return false } }
}

@Suite("Close codes")
struct CloseCodeTests {
    @Test func wireValidity() {
        let valid: [UInt16] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
        let invalid: [UInt16] = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
        for code in valid { #expect(WebSocketCloseCode.isValidOnWire(code), "\(code)") }
        for code in invalid { #expect(!WebSocketCloseCode.isValidOnWire(code), "\(code)") }
    }

    @Test(arguments: [UInt16(1000), 1001, 1003, 1007, 1011, 3000, 4999])
    func validCloseIsAnsweredWithItsCode(code: UInt16) {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .close, closePayload(code, Array("bye".utf8))) == .peerClosed(code, "bye", true))
        #expect(machine.state == .closed)
        #expect(feed(&machine, .text, hello) == .none)
    }

    @Test(arguments: [UInt16(0), 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000])
    func invalidCodeFailsWith1002(code: UInt16) {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .close, closePayload(code)) == .fail(1002))
    }

    @Test func emptyCloseIsAnsweredWithoutCode() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .close, []) == .peerClosed(nil, "", true))
    }

    @Test func oneBytePayloadFails() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .close, [0x03]) == .fail(1002))
    }

    @Test func invalidUTF8ReasonFailsWith1007() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        #expect(feed(&machine, .close, closePayload(1000, [0xCE, 0xBA, 0xED, 0xA0, 0x80])) == .fail(1007))
    }

    @Test func closeAfterOwnCloseNeedsNoReply() {
        var machine = WebSocketStateMachine(maxMessageBytes: 100)
        let first = machine.initiateClose()
        let second = machine.initiateClose()
        #expect(first && !second)
        #expect(feed(&machine, .text, hello) == .none)
        #expect(feed(&machine, .close, closePayload(1000)) == .peerClosed(1000, "", false))
        #expect(machine.state == .closed)
    }
}
