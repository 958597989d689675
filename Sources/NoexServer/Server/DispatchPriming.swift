import Dispatch

/// Makes libdispatch open its lazily created descriptors at start, while descriptors are free.
///
/// libdispatch creates its epoll set and eventfd on first use (and aborts the process if it
/// cannot), and one timerfd per clock on the first timer of that clock (if it cannot, that
/// clock's timers silently never fire: a `Task.sleep` would hang). Touching each clock once here
/// means a later shortage of descriptors finds them already open.
enum DispatchPriming {
    static func prime() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(1)) { continuation.resume() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(wallDeadline: .now() + .milliseconds(1)) { continuation.resume() }
        }
        // Swift concurrency's own timers (ContinuousClock / SuspendingClock).
        try? await Task.sleep(for: .milliseconds(1))
        try? await Task.sleep(until: SuspendingClock.now + .milliseconds(1), clock: .suspending)
    }
}
