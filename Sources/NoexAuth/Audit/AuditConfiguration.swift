public import NoexProtocol

/// The audit log (spec-identity §5.1); leave it `nil` in the server configuration to disable it.
public struct AuditConfiguration: Sendable {
    /// Which operation tiers are recorded (operations without a tier never are).
    public var tiers: Set<OperationTier>
    /// Ring-buffer capacity.
    public var maxEntries: Int
    /// Called synchronously with every appended entry, after the buffer write.
    public var onEntry: (@Sendable (AuditEntry) -> Void)?
    /// A file every entry is appended to as one JSON line, written through per entry.
    public var filePath: String?

    /// Creates an audit setting (defaults: admin tier, 10 000 entries).
    public init(
        tiers: Set<OperationTier> = [.admin], maxEntries: Int = 10_000, filePath: String? = nil,
        onEntry: (@Sendable (AuditEntry) -> Void)? = nil
    ) {
        self.tiers = tiers
        self.maxEntries = maxEntries
        self.filePath = filePath
        self.onEntry = onEntry
    }
}
