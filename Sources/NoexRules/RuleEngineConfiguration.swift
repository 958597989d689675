import Foundation

/// Settings of a ``RuleEngine``.
public struct RuleEngineConfiguration: Sendable {
    /// Receives `log` actions and engine diagnostics.
    public typealias Logger = @Sendable (_ level: RuleLogLevel, _ message: String) -> Void

    /// The engine name, used in `RuleEngine "<name>" is not running`.
    public var name: String
    /// How many nested triggers (event or fact changes raised by actions) may run rules below
    /// a top-level trigger; the top level is depth 0, so rules run at depths `0..<maxChainDepth`.
    /// Deeper triggers still store their fact or deliver their event to subscribers, but run no
    /// rules; the cut is logged and traced (wire-decisions F10). Clamped to
    /// `1...maxChainDepthLimit`.
    public var maxChainDepth: Int
    /// The source of time and timers.
    public var clock: any RuleClock
    /// Where log lines go; the default writes `[rules:<level>] <message>` to standard error.
    public var logger: Logger
    /// Whether trace entries are recorded.
    public var tracingEnabled: Bool
    /// The capacity of the trace buffer; the oldest entries are dropped first.
    public var tracingMaxEntries: Int
    /// Cost bounds: pattern size, key length, fact and rule counts, actions per trigger,
    /// regular expressions (issue 14).
    public var limits: RuleEngineLimits

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: engine name (default `rule-engine`).
    ///   - maxChainDepth: forward-chaining depth limit (default 16).
    ///   - clock: time and timers (default wall clock with Dispatch timers).
    ///   - logger: log sink (default standard error).
    ///   - tracingEnabled: record trace entries (default off).
    ///   - tracingMaxEntries: trace capacity (default 10,000).
    ///   - limits: cost bounds (default ``RuleEngineLimits/init(maxPatternLength:maxPatternWildcards:maxKeyLength:maxFacts:maxRules:maxFactValueNodes:maxActionsPerEvent:maxRegexLength:regexTimeLimitMs:)``).
    public init(
        name: String = "rule-engine",
        maxChainDepth: Int = 16,
        clock: any RuleClock = SystemRuleClock(),
        logger: @escaping Logger = RuleEngineConfiguration.standardErrorLogger,
        tracingEnabled: Bool = false,
        tracingMaxEntries: Int = 10_000,
        limits: RuleEngineLimits = RuleEngineLimits()
    ) {
        self.name = name
        self.maxChainDepth = min(max(1, maxChainDepth), Self.maxChainDepthLimit)
        self.clock = clock
        self.logger = logger
        self.tracingEnabled = tracingEnabled
        self.tracingMaxEntries = max(0, tracingMaxEntries)
        self.limits = limits
    }

    /// The largest accepted ``maxChainDepth``: chained triggers run depth-first on the calling
    /// thread (a 512 KiB Dispatch stack for timers), so the depth is capped.
    public static let maxChainDepthLimit = 64

    /// The default logger: one line per message on standard error.
    public static let standardErrorLogger: Logger = { level, message in
        FileHandle.standardError.write(Data("[rules:\(level.rawValue)] \(message)\n".utf8))
    }
}
