/// Runs Swift concurrency jobs on an event-loop thread, so async code that works with a
/// connection (an actor per connection, a task per request) needs no thread hop.
///
/// As a `SerialExecutor` it can back an actor:
/// ```swift
/// actor Session {
///     let connection: WebSocketConnection
///     nonisolated var unownedExecutor: UnownedSerialExecutor { connection.executor.asUnownedSerialExecutor() }
/// }
/// ```
/// As a `TaskExecutor` it can run a task: `Task(executorPreference: connection.executor) { ... }`.
/// Jobs enqueued from the loop thread itself run later in the same loop iteration.
public final class EventLoopExecutor: SerialExecutor, TaskExecutor {
    let loop: EventLoop

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Queues a job on the loop thread.
    /// - Parameter job: The job.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let serial = asUnownedSerialExecutor()
        let task = asUnownedTaskExecutor()
        loop.execute {
            unowned.runSynchronously(isolatedTo: serial, taskExecutor: task)
        }
    }

    /// The executor's identity for actors.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Traps unless called on this loop's thread (backs `assumeIsolated`).
    public func checkIsolated() {
        precondition(loop.inLoop, "not on the event loop thread")
    }

    /// Whether the caller runs on this executor's loop thread.
    public var isCurrent: Bool { loop.inLoop }
}
