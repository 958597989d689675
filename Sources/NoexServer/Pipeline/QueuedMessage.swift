import NoexProtocol
import NoexWire

/// What waits in a connection's queue for its request task.
enum QueuedMessage: Sendable {
    /// A message not yet looked at beyond the envelope.
    case message(InboundMessage)
    /// A request whose checks and decoding already ran on the transport's thread; only its
    /// (asynchronous) handler remains.
    case prepared(Request, id: Double, type: String, message: JSONObject)
}
