import NoexWebSocket
import Testing

/// Decodes `bytes` as one whole frame and returns its header and unmasked payload.
func decodeFrame(_ bytes: [UInt8], role: WebSocketRole, max: Int = 1 << 20) -> (WebSocketFrameHeader, [UInt8])? {
    var copy = bytes
    return copy.withUnsafeMutableBytes { buffer -> (WebSocketFrameHeader, [UInt8])? in
        let decoder = WebSocketFrameDecoder(role: role, maxPayloadLength: max)
        guard case let .header(header) = decoder.decodeHeader(UnsafeRawBufferPointer(buffer)),
              header.frameLength <= buffer.count else { return nil }
        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[header.headerLength..<header.frameLength])
        if let key = header.maskingKey { WebSocketMasking.apply(key: key, to: payload) }
        return (header, Array(payload))
    }
}

func decodeOutcome(_ bytes: [UInt8], role: WebSocketRole, max: Int = 1 << 20) -> WebSocketFrameDecoder.Outcome {
    bytes.withUnsafeBytes { WebSocketFrameDecoder(role: role, maxPayloadLength: max).decodeHeader($0) }
}

let hello = Array("Hello".utf8)

@Suite("RFC 6455 §5.7 example frames")
struct RFCExampleFrameTests {
    @Test func singleFrameUnmaskedText() throws {
        let bytes: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        let (header, payload) = try #require(decodeFrame(bytes, role: .client))
        #expect(header.fin && header.opcode == .text && header.maskingKey == nil)
        #expect(payload == hello)
        #expect(WebSocketFrameEncoder.encode(opcode: .text, payload: hello) == bytes)
    }

    @Test func singleFrameMaskedText() throws {
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        let (header, payload) = try #require(decodeFrame(bytes, role: .server))
        #expect(header.maskingKey == 0x37fa_213d && header.headerLength == 6)
        #expect(payload == hello)
        #expect(WebSocketFrameEncoder.encode(opcode: .text, payload: hello, maskingKey: 0x37fa_213d) == bytes)
    }

    @Test func fragmentedUnmaskedText() throws {
        let first: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6c]
        let second: [UInt8] = [0x80, 0x02, 0x6c, 0x6f]
        let (h1, p1) = try #require(decodeFrame(first, role: .client))
        let (h2, p2) = try #require(decodeFrame(second, role: .client))
        #expect(!h1.fin && h1.opcode == .text && h2.fin && h2.opcode == .continuation)
        #expect(p1 + p2 == hello)
        #expect(WebSocketFrameEncoder.encode(opcode: .text, payload: Array("Hel".utf8), fin: false) == first)
        #expect(WebSocketFrameEncoder.encode(opcode: .continuation, payload: Array("lo".utf8)) == second)
    }

    @Test func unmaskedPingAndMaskedPong() throws {
        let ping: [UInt8] = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        let pong: [UInt8] = [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        let (pingHeader, pingPayload) = try #require(decodeFrame(ping, role: .client))
        #expect(pingHeader.opcode == .ping && pingPayload == hello)
        let (pongHeader, pongPayload) = try #require(decodeFrame(pong, role: .server))
        #expect(pongHeader.opcode == .pong && pongPayload == hello)
    }

    @Test func sixteenBitLength() throws {
        let payload = [UInt8](repeating: 0xAB, count: 256)
        let bytes = WebSocketFrameEncoder.encode(opcode: .binary, payload: payload)
        #expect(Array(bytes[0..<4]) == [0x82, 0x7E, 0x01, 0x00])
        let (header, decoded) = try #require(decodeFrame(bytes, role: .client))
        #expect(header.headerLength == 4 && decoded == payload)
    }

    @Test func sixtyFourBitLength() throws {
        let payload = [UInt8](repeating: 7, count: 65_536)
        let bytes = WebSocketFrameEncoder.encode(opcode: .binary, payload: payload)
        #expect(Array(bytes[0..<10]) == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
        let (header, decoded) = try #require(decodeFrame(bytes, role: .client))
        #expect(header.headerLength == 10 && decoded == payload)
    }
}

@Suite("Frame header validation")
struct FrameHeaderValidationTests {
    @Test func incompleteHeadersNeedMoreData() {
        let masked: [UInt8] = [0x81, 0xFE, 0x01, 0x00, 1, 2, 3, 4]
        for length in 0..<masked.count {
            #expect(decodeOutcome(Array(masked[0..<length]), role: .server) == .needMoreData)
        }
        if case .header = decodeOutcome(masked, role: .server) {} else { Issue.record("full header not decoded") }
    }

    @Test func reservedBitsFail() {
        for bits: UInt8 in [0x40, 0x20, 0x10] {
            #expect(decodeOutcome([0x81 | bits, 0x80, 0, 0, 0, 0], role: .server)
                == .failure(code: 1002, reason: "reserved bits set without extension"))
        }
    }

    @Test func reservedOpcodesFail() {
        for opcode: UInt8 in [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            guard case .failure(1002, _) = decodeOutcome([0x80 | opcode, 0x80, 0, 0, 0, 0], role: .server) else {
                Issue.record("opcode \(opcode) accepted")
                continue
            }
        }
    }

    @Test func unmaskedClientFrameFails() {
        #expect(decodeOutcome([0x81, 0x05] + hello, role: .server) == .failure(code: 1002, reason: "client frame not masked"))
    }

    @Test func maskedServerFrameFails() {
        #expect(decodeOutcome([0x81, 0x80, 0, 0, 0, 0], role: .client) == .failure(code: 1002, reason: "server frame masked"))
    }

    @Test func controlFrameRules() {
        #expect(decodeOutcome([0x09, 0x80, 0, 0, 0, 0], role: .server) == .failure(code: 1002, reason: "fragmented control frame"))
        #expect(decodeOutcome([0x89, 0xFE, 0, 126, 0, 0, 0, 0], role: .server)
            == .failure(code: 1002, reason: "control frame too long"))
        if case .header = decodeOutcome([0x89, 0xFD, 0, 0, 0, 0], role: .server) {} else { Issue.record("125-byte ping refused") }
    }

    @Test func lengthLimits() {
        #expect(decodeOutcome([0x82, 0xFE, 0x01, 0x00, 0, 0, 0, 0], role: .server, max: 255)
            == .failure(code: 1009, reason: "frame too big"))
        #expect(decodeOutcome([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], role: .server)
            == .failure(code: 1002, reason: "64-bit length with high bit set"))
        #expect(decodeOutcome([0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], role: .server, max: 1 << 20)
            == .failure(code: 1009, reason: "frame too big"))
    }

    /// Found by the `websocket` fuzz target: with no practical limit (`Int.max`), a length of
    /// 2^63 - 1 passed and `frameLength` (header + payload) overflowed, trapping the server.
    @Test func lengthsWhoseFrameLengthOverflowsAreTooBigWhateverTheLimit() {
        let longest: [UInt8] = [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]
        #expect(decodeOutcome(longest, role: .server, max: .max) == .failure(code: 1009, reason: "frame too big"))
        let unmasked: [UInt8] = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF6]
        #expect(decodeOutcome(unmasked, role: .client, max: .max) == .failure(code: 1009, reason: "frame too big"))
        // The largest length whose frame length is representable still decodes.
        let largest: [UInt8] = [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF1, 1, 2, 3, 4]
        guard case .header(let header) = decodeOutcome(largest, role: .server, max: .max) else {
            Issue.record("largest representable length refused")
            return
        }
        #expect(header.frameLength == .max)
    }
}

@Suite("Masking")
struct MaskingTests {
    @Test func maskingMatchesBytewiseDefinitionAtEveryOffset() {
        let key: UInt32 = 0x1234_5678
        let keyBytes: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        let data = (0..<61).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for split in 0...data.count {
            var masked = data
            masked.withUnsafeMutableBytes { buffer in
                WebSocketMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<split]))
                WebSocketMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(rebasing: buffer[split...]), offset: split)
            }
            let expected = data.enumerated().map { $0.element ^ keyBytes[$0.offset % 4] }
            #expect(masked == expected, "split at \(split)")
        }
    }

    @Test func closePayloadTruncatesOnCharacterBoundary() {
        let payload = WebSocketFrameEncoder.closePayload(code: 1000, reason: String(repeating: "é", count: 100))
        #expect(payload.count <= 125)
        #expect(UTF8Validator.isValid(payload[2...]))
        #expect(WebSocketFrameEncoder.closePayload(code: nil, reason: "x").isEmpty)
        #expect(WebSocketFrameEncoder.closePayload(code: 4001, reason: "ok") == [0x0F, 0xA1, 0x6F, 0x6B])
    }
}
