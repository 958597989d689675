/// The time limit of one call (`timeoutMs ?? defaultTimeoutMs`).
///
/// The reference races a timer against execution and lets execution run on in the background
/// after answering. Steps here are synchronous, so the limit is checked before every step and
/// once more after the last one: a call that overruns stops at the next step boundary and
/// answers the timeout; a transactional call that overruns commits nothing.
struct ProcedureDeadline: Sendable {
    /// The procedure's name, for the message.
    let name: String
    /// The limit in milliseconds.
    let timeoutMs: Double
    private let clock: ServerClock
    private let startedAt: Int64

    /// Starts the clock.
    init(name: String, timeoutMs: Double, clock: ServerClock) {
        self.name = name
        self.timeoutMs = timeoutMs
        self.clock = clock
        startedAt = clock.nowMs()
    }

    /// - Throws: ``ProcedureError/timedOut(_:_:)`` once more than `timeoutMs` has passed.
    func check() throws(ProcedureError) {
        if Double(clock.nowMs() - startedAt) > timeoutMs { throw .timedOut(name, timeoutMs) }
    }
}
