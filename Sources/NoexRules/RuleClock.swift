import Dispatch

/// The engine's source of time and of timer callbacks.
///
/// Injected through ``RuleEngineConfiguration/clock`` so tests can drive timers with a
/// ``ManualRuleClock``; the default ``SystemRuleClock`` uses wall time and Dispatch.
public protocol RuleClock: Sendable {
    /// The current time in milliseconds since the Unix epoch.
    func now() -> Int64
    /// Runs `action` once, `milliseconds` from now, on a thread of the clock's choosing.
    /// - Returns: a handle whose ``RuleScheduledTask/cancel()`` prevents a pending run.
    func schedule(afterMilliseconds milliseconds: Int64, _ action: @escaping @Sendable () -> Void)
        -> any RuleScheduledTask
}

/// A scheduled callback that can be cancelled.
public protocol RuleScheduledTask: Sendable {
    /// Prevents the callback from running if it has not started yet; idempotent.
    func cancel()
}
