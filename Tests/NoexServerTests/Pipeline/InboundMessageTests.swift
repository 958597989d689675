import NoexProtocol
@testable import NoexServer
import NoexWire
import Testing

/// Envelope classification, and the refusal of numbers out of range (issue 14, item 7).
@Suite struct InboundMessageTests {
    private func parse(_ text: String) -> InboundMessage {
        Array(text.utf8).withUnsafeBytes { InboundMessage.parse($0) }
    }

    @Test func aRequestWithANumberOutOfRangeIsRejectedWithItsId() {
        let rejected = parse(#"{"id":3,"type":"rules.setFact","key":"k","value":[1,{"x":-1e400}]}"#)
        #expect(rejected == .rejected(id: 3, InboundMessage.numberOutOfRange))
        #expect(InboundMessage.numberOutOfRange.code == .validationError)
        let long = parse(#"{"id":4,"type":"rules.setFact","key":"k","value":0.\#(String(repeating: "1", count: 2_000))}"#)
        #expect(long == .rejected(id: 4, InboundMessage.numberOutOfRange))
    }

    @Test func envelopeErrorsComeFirstAndInRangeNumbersPass() {
        // Without a usable id the envelope answer (id 0) still applies.
        guard case .invalid(let error) = parse(#"{"type":"rules.emit","data":{"x":1e400}}"#) else {
            Issue.record("expected .invalid")
            return
        }
        #expect(error.code == .invalidRequest)
        guard case .request(let id, let type, let message) = parse(#"{"id":5,"type":"rules.emit","data":{"x":1e308,"y":1e-400}}"#) else {
            Issue.record("expected .request")
            return
        }
        #expect(id == 5 && type == "rules.emit")
        #expect(message["data"]?["x"] == 1e308)
    }
}
