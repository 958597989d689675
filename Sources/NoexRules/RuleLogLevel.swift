/// Severity of an engine log line: the `log` action's levels, also used for the engine's own
/// diagnostics (failed actions, chain limit).
public enum RuleLogLevel: String, Sendable, Hashable, CaseIterable {
    /// Diagnostic detail.
    case debug
    /// Normal operation.
    case info
    /// Something failed but processing continued (failed action, chain limit).
    case warn
    /// A rule could not run.
    case error
}
