import NoexWire

/// What a rule's conditions and actions can see while it runs.
struct ExecutionContext: Sendable {
    /// `event.data` for event triggers, `{fact}` for fact triggers, timer data for timers.
    var triggerData: JSONObject
    /// The data objects of the matched events (`matched.<i>.x`); `[event.data]` for events.
    var matchedData: [JSONObject]
    /// Variables set by `for_each` and `catch.as`.
    var variables: JSONObject = [:]
    /// Lookup results by name.
    var lookups: JSONObject = [:]
    /// Carried to events emitted by actions.
    var correlationId: String?
    /// The nesting depth of the trigger being processed (0 = top level).
    var depth: Int
    /// The rule whose actions run.
    var ruleId: String = ""
    /// Whether actions run inside a `try` block (failures go to its `catch`, not the log).
    var insideTry = false
    /// The actions the whole chain may still run (shared with every context of the chain).
    var budget: ChainBudget

}

/// An action (or reference) failure; the message is what gets logged and traced.
struct ActionFailure: Error, Sendable {
    let message: String
    /// Whether the failure has been logged already (so enclosing actions do not log it again).
    var reported = false

    init(message: String, reported: Bool = false) {
        self.message = message
        self.reported = reported
    }
}
