public import NoexWire

/// One problem found while validating a rule: where, what, and how bad.
public struct RuleIssue: Sendable, Hashable {
    /// How serious an issue is; only errors make a rule invalid.
    public enum Severity: String, Sendable, Hashable {
        /// Makes the rule invalid.
        case error
        /// Reported, but the rule stays valid.
        case warning
    }

    /// The field path, e.g. `trigger.type` or `actions[1].timer.duration`; `(root)` for the rule itself.
    public var path: String
    /// The human-readable problem.
    public var message: String
    /// Error or warning.
    public var severity: Severity

    /// Creates an issue; an empty `path` is reported as `(root)`.
    public init(path: String, message: String, severity: Severity) {
        self.path = path.isEmpty ? "(root)" : path
        self.message = message
        self.severity = severity
    }

    /// The wire rendering `{path, message, severity}`.
    public var json: JSONValue {
        .object(["path": .string(path), "message": .string(message), "severity": .string(severity.rawValue)])
    }
}

/// The outcome of validating a rule input: `{valid, errors, warnings}`.
public struct RuleValidationResult: Sendable, Hashable {
    /// Issues of severity `error`.
    public var errors: [RuleIssue]
    /// Issues of severity `warning`.
    public var warnings: [RuleIssue]

    /// Creates a result from collected issues.
    public init(errors: [RuleIssue], warnings: [RuleIssue]) {
        self.errors = errors
        self.warnings = warnings
    }

    /// True when there are no errors (warnings do not count).
    public var valid: Bool { errors.isEmpty }

    /// The wire rendering `{valid, errors:[…], warnings:[…]}`.
    public var json: JSONObject {
        [
            "valid": .bool(valid),
            "errors": .array(errors.map(\.json)),
            "warnings": .array(warnings.map(\.json)),
        ]
    }
}
