/// Carries a reference to loop-confined state across a `Sendable` boundary.
///
/// Safe because every access happens on the owning event loop's thread: code reaches `value`
/// only from callbacks the loop runs (I/O events, `execute` closures, timers), never directly
/// from another thread. `WebSocketConnection` and the loop's public entry points hop to the
/// loop before touching it.
struct LoopConfined<Value: AnyObject>: @unchecked Sendable {
    /// The confined object; touch only on the owning loop thread.
    let value: Value
}
