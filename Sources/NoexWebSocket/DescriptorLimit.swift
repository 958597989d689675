import Glibc

/// The process's file-descriptor limit (`RLIMIT_NOFILE`) and the connection cap derived from it.
///
/// Every accepted socket is a descriptor. When the process runs out, it is not only `accept`
/// that fails: libdispatch's worker monitor opens `/proc/<tid>/stat` once a second while a
/// global queue has work, and aborts the process (SIGILL) when that `open` fails. So the
/// server raises the soft limit to the hard limit at start and never lets its sockets take
/// the last descriptors (see docs/deployment.md, "File descriptors").
public enum DescriptorLimit {
    /// The limit as found and as left by ``raiseSoftLimit()``.
    public struct Status: Sendable, Hashable {
        /// The soft limit now in force.
        public var soft: Int
        /// The hard limit (the most the soft limit may be raised to without privileges).
        public var hard: Int
        /// The soft limit before the raise (equal to ``soft`` when nothing changed).
        public var previousSoft: Int

        /// Creates a status.
        public init(soft: Int, hard: Int, previousSoft: Int) {
            self.soft = soft
            self.hard = hard
            self.previousSoft = previousSoft
        }
    }

    /// The ceiling used when a limit reads as unlimited (`RLIM_INFINITY`): Linux never allows
    /// more than `fs.nr_open` (1,048,576 by default) descriptors per process.
    static let unlimitedCeiling = 1 << 20

    /// The current limit, unchanged.
    public static func current() -> Status {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return Status(soft: 1024, hard: 1024, previousSoft: 1024)
        }
        let soft = clamp(limit.rlim_cur)
        return Status(soft: soft, hard: clamp(limit.rlim_max), previousSoft: soft)
    }

    /// Raises the soft limit to the hard limit (an unprivileged process may always do so).
    /// - Returns: The limit afterwards; ``Status/previousSoft`` tells whether it changed.
    @discardableResult
    public static func raiseSoftLimit() -> Status {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return current() }
        let previous = clamp(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return current() }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
            // An unlimited hard limit is refused above fs.nr_open: try that ceiling instead.
            raised.rlim_cur = rlim_t(max(previous, min(clamp(limit.rlim_max), unlimitedCeiling)))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        }
        var status = current()
        status.previousSoft = previous
        return status
    }

    /// The connection cap that leaves `reserve` descriptors for everything but sockets.
    ///
    /// Below `2 × reserve` half the limit is kept back instead, so a small limit still serves.
    /// - Parameters:
    ///   - limit: The soft `RLIMIT_NOFILE`.
    ///   - reserve: Descriptors kept for files, persistence, the runtime and the listener.
    ///   - requested: An explicit cap, honoured only when it fits below the limit.
    /// - Returns: At least 1.
    public static func connectionCap(limit: Int, reserve: Int, requested: Int? = nil) -> Int {
        let reserve = max(0, reserve)
        let available = reserve <= limit / 2 ? limit - reserve : limit / 2
        let derived = max(1, available)
        guard let requested else { return derived }
        return max(1, min(requested, derived))
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? unlimitedCeiling : Int(value)   // RLIM_INFINITY is all ones
    }
}
