import NoexProtocol
import NoexRules
import NoexStore
import NoexWire

/// Turns whatever a handler threw into the error answered on the wire (spec-server §3, with
/// fixes F1, F2, F4, F5).
enum ErrorMapping {
    static func protocolError(for error: any Error) -> ProtocolError {
        switch error {
        case let error as ProtocolError: error
        case let error as StoreError: protocolError(for: error)
        case let error as RulesError: protocolError(for: error)
        default: ProtocolError(.internalError, "Internal server error")
        }
    }

    static func protocolError(for error: StoreError) -> ProtocolError {
        ProtocolError(code(for: error), error.message, details: error.details)
    }

    static func protocolError(for error: RulesError) -> ProtocolError {
        ProtocolError(code(for: error), error.message, details: error.details)
    }

    private static func code(for error: StoreError) -> ErrorCode {
        switch error {
        case .bucketAlreadyExists, .uniqueConstraint, .alreadyExists, .queryAlreadyDefined: .alreadyExists
        case .bucketNotDefined: .bucketNotDefined
        case .validation, .invalidDefinition: .validationError
        case .notFound: .notFound
        case .transactionConflict: .conflict
        case .queryNotDefined: .queryNotDefined
        default: .internalError
        }
    }

    private static func code(for error: RulesError) -> ErrorCode {
        switch error {
        case .validation, .invalidArgument: .validationError
        case .alreadyExists: .alreadyExists
        case .notFound: .notFound
        case .notRunning: .rulesNotAvailable
        default: .internalError
        }
    }
}
