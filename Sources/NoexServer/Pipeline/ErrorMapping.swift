import NoexProtocol
import NoexRules
import NoexStore
import NoexWire

/// Turns whatever a handler threw into the error answered on the wire (spec-server §3, with
/// fixes F1–F5). The store and the rules engine know their own codes and messages; anything
/// else is an internal error whose text is not shown to clients.
enum ErrorMapping {
    static func protocolError(for error: any Error) -> ProtocolError {
        switch error {
        case let error as ProtocolError: error
        case let error as StoreError: error.protocolError
        case let error as RulesError: error.protocolError
        default: ProtocolError(.internalError, "Internal server error")
        }
    }
}
