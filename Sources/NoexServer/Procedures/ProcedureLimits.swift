/// Limits of the procedure engine (spec-identity §6.1): the `procedures` section of the
/// reference configuration.
///
/// The engine always exists; these only bound what a definition may contain and how long a
/// call may run.
public struct ProcedureLimits: Sendable, Hashable {
    /// Most steps a definition may hold, counted statically with every `then`/`else` branch.
    public var maxSteps: Int
    /// Deepest `if` nesting: the top-level `if` has depth 0 and depth `maxConditionDepth` is refused.
    public var maxConditionDepth: Int
    /// Time limit of a call whose definition sets no `timeoutMs`, in milliseconds.
    public var defaultTimeoutMs: Double

    /// Creates limits; the defaults are the reference's.
    /// - Parameters:
    ///   - maxSteps: most steps per definition (100).
    ///   - maxConditionDepth: most nested `if` levels (5).
    ///   - defaultTimeoutMs: call time limit when the definition sets none (30 000 ms).
    public init(maxSteps: Int = 100, maxConditionDepth: Int = 5, defaultTimeoutMs: Double = 30_000) {
        self.maxSteps = maxSteps
        self.maxConditionDepth = maxConditionDepth
        self.defaultTimeoutMs = defaultTimeoutMs
    }
}
