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

    /// Classifies raw text the way the reference does: JSON, object, `type`, pong, then `id`.
    /// - Parameter bytes: the UTF-8 text of one WebSocket message.
    /// - Returns: the classified message; never throws, bad input becomes `.invalid`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> InboundMessage {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .invalid(ProtocolError(.parseError, "Invalid JSON"))
        }
        return classify(value)
    }

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
