public import NoexWire

/// Every error the rules engine reports to its caller.
///
/// Each case carries the exact client-facing message; ``protocolError`` maps it onto the wire
/// codes of spec-server §2.4 (`VALIDATION_ERROR`, `ALREADY_EXISTS`, `NOT_FOUND`,
/// `RULES_NOT_AVAILABLE`, `INTERNAL_ERROR`).
public enum RulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A rule failed validation. `message` is `Rule validation failed` or, for a missing group,
    /// `Rule references non-existent group: "<g>"`; `issues` go to the wire as `details`.
    case validation(message: String, issues: [RuleIssue])
    /// A rule with this id exists; the payload is the full message `Rule "<id>" already exists`.
    case alreadyExists(String)
    /// A rule (or group) was not found; the payload is the full message, e.g. `Rule "<id>" not found`.
    case notFound(String)
    /// The engine was stopped; the payload is `RuleEngine "<name>" is not running`.
    case notRunning(String)
    /// An argument was unusable (empty key or topic, unloadable rule file); the payload is the message.
    case invalidArgument(String)

    /// A validation error with the standard message `Rule validation failed`.
    public static func validation(issues: [RuleIssue]) -> RulesError {
        .validation(message: "Rule validation failed", issues: issues)
    }

    /// The client-facing message.
    public var message: String {
        switch self {
        case .validation(let message, _): message
        case .alreadyExists(let m), .notFound(let m), .notRunning(let m), .invalidArgument(let m): m
        }
    }

    /// Structured details: the issue list for validation errors, otherwise `nil`.
    public var details: JSONValue? {
        if case .validation(_, let issues) = self { return .array(issues.map(\.json)) }
        return nil
    }

    /// The wire error this maps to.
    public var protocolError: ProtocolError {
        switch self {
        case .validation: ProtocolError(ErrorCode("VALIDATION_ERROR"), message, details: details)
        case .alreadyExists: ProtocolError(ErrorCode("ALREADY_EXISTS"), message)
        case .notFound: ProtocolError(ErrorCode("NOT_FOUND"), message)
        case .notRunning: ProtocolError(ErrorCode("RULES_NOT_AVAILABLE"), message)
        case .invalidArgument: ProtocolError(ErrorCode("VALIDATION_ERROR"), message)
        }
    }

    /// The client-facing message.
    public var description: String { message }
}
