/// What `NoexServer.start` restored and applied before accepting connections, for the
/// start-up summary (`NoexServer.startupReport`).
public struct StartupReport: Sendable, Hashable {
    /// Declarative queries re-defined from their saved copies.
    public var restoredQueries = 0
    /// Procedures re-registered from their saved copies.
    public var restoredProcedures = 0
    /// Rules re-registered from their saved copies (with their enabled state).
    public var restoredRules = 0
    /// What the schema file changed, one line each (`created bucket "messages"`,
    /// `updated query "chat-room"`), in the order applied.
    public var schemaChanges: [String] = []
    /// Schema-file definitions that were already in place, unchanged.
    public var schemaUnchanged = 0
    /// Saved definitions that could not be restored or were replaced, one line each; the CLI
    /// prints them as warnings.
    public var notes: [String] = []

    /// An empty report.
    public init() {}
}
