import Dispatch
import Foundation

/// Wall-clock time and real timers on a Dispatch global queue.
///
/// Each timer is a `DispatchSourceTimer`, so ``RuleScheduledTask/cancel()`` removes it from
/// Dispatch at once (an `asyncAfter` block would stay queued until its deadline, holding its
/// closure, which matters for hour-long absence windows that are usually cancelled).
public struct SystemRuleClock: RuleClock {
    /// Creates the system clock.
    public init() {}

    /// Milliseconds since the epoch from the system wall clock.
    public func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Schedules `action` on a Dispatch global queue after `milliseconds`.
    public func schedule(afterMilliseconds milliseconds: Int64, _ action: @escaping @Sendable () -> Void)
        -> any RuleScheduledTask
    {
        // Clamped so the nanosecond conversion inside Dispatch cannot overflow.
        let delay = DispatchTimeInterval.milliseconds(Int(clamping: min(max(0, milliseconds), RuleDuration.maximum)))
        let source = DispatchSource.makeTimerSource(queue: .global())
        let task = SourceTask(source)
        source.setEventHandler {
            // One-shot: cancelling releases the handler (and this closure's references).
            task.cancel()
            action()
        }
        source.schedule(deadline: .now() + delay)
        source.resume()
        return task
    }

    /// Owns the timer source; cancel is idempotent.
    private final class SourceTask: RuleScheduledTask, @unchecked Sendable {
        // Safe: `source` is immutable after init and DispatchSource methods are thread-safe.
        private let source: any DispatchSourceTimer

        init(_ source: any DispatchSourceTimer) { self.source = source }

        func cancel() { source.cancel() }
    }
}
