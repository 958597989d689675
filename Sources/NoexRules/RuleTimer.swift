/// A pending timer as the host sees it.
public struct RuleTimer: Sendable, Hashable {
    /// A unique id (`timer-<n>`), used as the `causationId` of the expiry event.
    public var id: String
    /// The timer name (unique among pending timers; setting it again replaces the timer).
    public var name: String
    /// When it fires next, in engine-clock milliseconds.
    public var expiresAt: Int64
    /// The topic of the event emitted on expiry.
    public var topic: String
}
