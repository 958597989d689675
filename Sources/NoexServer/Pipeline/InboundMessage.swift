public import NoexWire
import NoexProtocol

/// A client message after the envelope checks of spec-server §1.4.
public enum InboundMessage: Sendable, Hashable {
    /// A request: its echoed id, its operation name, and the whole message (payload fields are flat).
    case request(id: Double, type: String, message: JSONObject)
    /// A pong answering a heartbeat ping, with the client's timestamp.
    case pong(timestamp: Double)
    /// A message that failed the envelope checks; answered with `id: 0`.
    case invalid(ProtocolError)
    /// A well-formed request refused before any check, answered with its own id: a number
    /// literal out of `Double`'s range (`1e400`, a 100,000-digit number), which would
    /// otherwise be stored and sent back as `null` (issue 14).
    case rejected(id: Double, ProtocolError)

    /// Classifies raw text the way the reference does: JSON, object, `type`, pong, then `id`;
    /// a request holding a number out of range becomes `.rejected` with `VALIDATION_ERROR`.
    /// - Parameter bytes: the UTF-8 text of one WebSocket message.
    /// - Returns: the classified message; never throws, bad input becomes `.invalid`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> InboundMessage {
        let value: JSONValue
        var numbersOutOfRange = false
        do {
            value = try JSONParser.parse(bytes, numbersOutOfRange: &numbersOutOfRange)
        } catch {
            return .invalid(ProtocolError(.parseError, "Invalid JSON"))
        }
        let message = classify(value)
        guard numbersOutOfRange, case .request(let id, _, _) = message else { return message }
        return .rejected(id: id, numberOutOfRange)
    }

    /// The answer to a request with an out-of-range number.
    static let numberOutOfRange = ProtocolError(
        .validationError,
        "Number out of range: every number must be a finite double written in at most \(JSONParser.maximumNumberLength) characters")

    /// Applies the envelope checks to an already parsed value.
    public static func classify(_ value: JSONValue) -> InboundMessage {
        guard case .object(let object) = value else {
            return .invalid(ProtocolError(.parseError, "Message must be a JSON object"))
        }
        guard case .string(let type)? = object["type"], !type.isEmpty else {
            return .invalid(ProtocolError(.invalidRequest, "Message must include non-empty string \"type\""))
        }
        if type == "pong" {
            guard case .number(let timestamp)? = object["timestamp"], timestamp.isFinite else {
                return .invalid(ProtocolError(.invalidRequest, "Pong must include finite numeric \"timestamp\""))
            }
            return .pong(timestamp: timestamp)
        }
        guard case .number(let id)? = object["id"], id.isFinite else {
            return .invalid(ProtocolError(.invalidRequest, "Request must include finite numeric \"id\""))
        }
        return .request(id: id, type: type, message: object)
    }
}
