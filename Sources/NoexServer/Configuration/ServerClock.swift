#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time in milliseconds since the Unix epoch, as the protocol reports it.
///
/// The server reads time only through this type so tests can substitute a manual clock.
public struct ServerClock: Sendable {
    private let read: @Sendable () -> Int64

    /// A clock reading the given function.
    public init(_ read: @escaping @Sendable () -> Int64) { self.read = read }

    /// The current time in epoch milliseconds.
    public func nowMs() -> Int64 { read() }

    /// The system's real-time clock.
    public static let system = ServerClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
