import NoexProtocol
import NoexRules
import NoexStore
import NoexWire

/// What the procedure engine reports (spec-identity §6.8), before it is put on the wire.
enum ProcedureError: Error, Sendable, Hashable {
    /// No procedure has this name.
    case notFound(String)
    /// A procedure with this name is registered.
    case alreadyExists(String)
    /// The definition has issues (register and update).
    case invalidDefinition([String])
    /// The call input does not match the definition's `input` schema.
    case invalidInput([String])
    /// The call ran longer than its time limit (name, limit in ms).
    case timedOut(String, Double)
    /// A step failed on its own terms (aggregate or transform type errors, no rule engine); the
    /// payload is the full message.
    case stepFailed(String)
    /// A step addresses a `_` system bucket (F13).
    case systemBucket(String)

    /// The message, as the reference words it.
    var message: String {
        switch self {
        case .notFound(let name): "Procedure \"\(name)\" not found"
        case .alreadyExists(let name): "Procedure \"\(name)\" already exists"
        case .invalidDefinition(let issues): "Procedure validation failed: \(issues.joined(separator: "; "))"
        case .invalidInput(let issues): "Invalid procedure input: \(issues.joined(separator: "; "))"
        case .timedOut(let name, let ms): "Procedure \"\(name)\" timed out after \(JSSemantics.string(.number(ms)))ms"
        case .stepFailed(let message): message
        case .systemBucket(let bucket): "Cannot access system bucket \"\(bucket)\" in procedure"
        }
    }

    /// The wire error.
    var protocolError: ProtocolError {
        switch self {
        case .notFound: ProtocolError(.notFound, message)
        case .alreadyExists: ProtocolError(.alreadyExists, message)
        case .invalidDefinition(let issues), .invalidInput(let issues):
            ProtocolError(.validationError, message, details: ["issues": .array(issues.map(JSONValue.string))])
        case .timedOut, .stepFailed: ProtocolError(.internalError, message)
        case .systemBucket: ProtocolError(.forbidden, message)
        }
    }

    /// The wire error for anything a procedure operation threw (the procedures proxy of
    /// spec-identity §6.8): a store schema violation keeps `VALIDATION_ERROR` with the store's
    /// message and no details; every other store or rules failure is `INTERNAL_ERROR` carrying
    /// its original message, unlike direct `store.*`/`rules.*` requests.
    static func protocolError(for error: any Error) -> ProtocolError {
        switch error {
        case let error as ProcedureError: error.protocolError
        case let error as StoreError:
            if case .validation = error {
                ProtocolError(.validationError, error.message)
            } else {
                ProtocolError(.internalError, error.message)
            }
        case let error as RulesError: ProtocolError(.internalError, error.message)
        case let error as ProtocolError: error
        default: ProtocolError(.internalError, "Internal server error")
        }
    }
}
