public import NoexProtocol
import NoexWire
import Synchronization

/// The filters of `audit.query`, all optional and ANDed.
public struct AuditQuery: Sendable, Hashable {
    /// Exact user id.
    public var userId: String?
    /// Exact operation.
    public var operation: String?
    /// `success` or `error`.
    public var result: AuditEntry.Outcome?
    /// Earliest timestamp (inclusive).
    public var from: Double?
    /// Latest timestamp (inclusive).
    public var to: Double?
    /// Most entries returned.
    public var limit: Int?

    /// Creates a query.
    public init(
        userId: String? = nil, operation: String? = nil, result: AuditEntry.Outcome? = nil, from: Double? = nil,
        to: Double? = nil, limit: Int? = nil
    ) {
        self.userId = userId
        self.operation = operation
        self.result = result
        self.from = from
        self.to = to
        self.limit = limit
    }

    func matches(_ entry: AuditEntry) -> Bool {
        if let userId, entry.userId != userId { return false }
        if let operation, entry.operation != operation { return false }
        if let result, entry.result != result { return false }
        if let from, Double(entry.timestamp) < from { return false }
        if let to, Double(entry.timestamp) > to { return false }
        return true
    }
}

/// A fixed-capacity ring buffer of audit entries with an optional hook and file sink
/// (spec-identity §5.3).
public final class AuditLog: Sendable {
    private struct Ring {
        var entries: [AuditEntry] = []
        var next = 0
    }

    /// The settings in force.
    public let tiers: Set<OperationTier>
    private let capacity: Int
    private let onEntry: (@Sendable (AuditEntry) -> Void)?
    private let sink: AuditFileSink?
    private let ring = Mutex(Ring())

    /// Creates a log.
    /// - Throws: `AuditFileSink.OpenFailed` when `filePath` cannot be opened for appending.
    public init(configuration: AuditConfiguration) throws(AuditFileSink.OpenFailed) {
        tiers = configuration.tiers
        capacity = max(1, configuration.maxEntries)
        onEntry = configuration.onEntry
        sink = try configuration.filePath.map { path throws(AuditFileSink.OpenFailed) in try AuditFileSink(path: path) }
    }

    /// Whether an operation of `tier` is recorded.
    public func records(tier: OperationTier?) -> Bool {
        guard let tier else { return false }
        return tiers.contains(tier)
    }

    /// The number of entries held.
    public var count: Int { ring.withLock { $0.entries.count } }

    /// Appends an entry (overwriting the oldest once full), then writes it to the file sink and
    /// hands it to `onEntry`.
    public func append(_ entry: AuditEntry) {
        ring.withLock { ring in
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
            }
            ring.next = (ring.next + 1) % capacity
        }
        sink?.write(entry)
        onEntry?(entry)
    }

    /// Entries matching `query`, newest first, at most `query.limit`.
    public func query(_ query: AuditQuery) -> [AuditEntry] {
        ring.withLock { ring in
            var found: [AuditEntry] = []
            let count = ring.entries.count
            // The newest entry sits just before `next`.
            for step in 0..<count {
                let index = ((ring.next - 1 - step) % capacity + capacity) % capacity
                guard index < count else { continue }
                let entry = ring.entries[index]
                guard query.matches(entry) else { continue }
                found.append(entry)
                if let limit = query.limit, found.count >= limit { break }
            }
            return found
        }
    }
}
