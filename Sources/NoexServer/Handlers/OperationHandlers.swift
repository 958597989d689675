import NoexProtocol
import NoexRules
import NoexStore
import NoexWire

/// The server's implementation of every operation in `protocol.yaml`.
///
/// Conforming to the generated `ProtocolOperations` is what makes a new operation in the
/// contract fail the build until it has a handler here. Each namespace lives in its own
/// `OperationHandlers+<Namespace>.swift`.
struct OperationHandlers: ProtocolOperations {
    typealias Context = RequestContext

    let core: ServerCore

    var store: Store { core.configuration.store }

    /// The rules engine; `checkAvailability` has already answered when there is none.
    func rulesEngine() throws(ProtocolError) -> RuleEngine {
        guard let engine = core.configuration.rules else {
            throw ProtocolError(.rulesNotAvailable, "Rule engine is not configured")
        }
        return engine
    }
}

extension JSONValue {
    /// Wraps a record.
    static func record(_ object: JSONObject) -> JSONValue { .object(object) }

    /// Wraps an optional record, `null` when absent.
    static func record(_ object: JSONObject?) -> JSONValue { object.map(JSONValue.object) ?? .null }

    /// Wraps a list of records.
    static func records(_ objects: [JSONObject]) -> JSONValue { .array(objects.map(JSONValue.object)) }
}
