import NoexWebSocket
import Testing

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Random input")
struct RandomInputTests {
    /// Runs the decoder and state machine over `bytes` the way the server does; returns how the
    /// stream ended (the pure layers must never trap, whatever the bytes).
    func run(_ bytes: [UInt8], max: Int) -> String {
        var buffer = bytes
        var machine = WebSocketStateMachine(maxMessageBytes: max)
        let decoder = WebSocketFrameDecoder(role: .server, maxPayloadLength: max)
        return buffer.withUnsafeMutableBytes { raw -> String in
            var offset = 0
            while offset < raw.count {
                switch decoder.decodeHeader(UnsafeRawBufferPointer(rebasing: raw[offset...])) {
                case .needMoreData: return "incomplete"
                case let .failure(code, _): return "decoder \(code)"
                case let .header(header):
                    guard header.frameLength <= raw.count - offset else { return "incomplete" }
                    let start = offset + header.headerLength
                    let payload = UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + header.payloadLength)])
                    if let key = header.maskingKey { WebSocketMasking.apply(key: key, to: payload) }
                    offset += header.frameLength
                    switch machine.receive(header, payload: UnsafeRawBufferPointer(payload)) {
                    case let .fail(code, _): return "machine \(code)"
                    case .peerClosed: return "closed"
                    case .drop: return "drop"
                    case .assembled: _ = machine.takeAssembledMessage()
                    default: break
                    }
                }
            }
            return "consumed"
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(state: 42)
        var outcomes: Set<String> = []
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            outcomes.insert(run(bytes, max: 1 << 20))
        }
        // Random bytes mostly break the header rules.
        #expect(outcomes.contains("decoder 1002"))
    }

    @Test func randomValidLookingFramesNeverTrap() {
        var generator = SeededGenerator(state: 7)
        let opcodes: [WebSocketOpcode] = [.continuation, .text, .binary, .close, .ping, .pong]
        var outcomes: Set<String> = []
        for _ in 0..<2_000 {
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let opcode = opcodes.randomElement(using: &generator) ?? .text
                let length = opcode.isControl ? Int.random(in: 0...3, using: &generator) : Int.random(in: 0...40, using: &generator)
                let payload = (0..<length).map { _ in
                    Bool.random(using: &generator) ? UInt8.random(in: 0x20...0x7E, using: &generator) : UInt8.random(in: 0...255, using: &generator)
                }
                stream += WebSocketFrameEncoder.encode(
                    opcode: opcode, payload: payload, fin: opcode.isControl || Bool.random(using: &generator),
                    maskingKey: UInt32.random(in: 0...UInt32.max, using: &generator))
            }
            outcomes.insert(run(stream, max: 64))
        }
        #expect(outcomes.contains("consumed"))
        #expect(outcomes.contains("machine 1007"))
        #expect(outcomes.contains("machine 1002"))
    }
}
