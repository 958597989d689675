/// The actions one top-level trigger may still run, shared by everything it chains
/// (``RuleEngineLimits/maxActionsPerEvent``).
///
/// The depth limit bounds how deep a chain goes, not how wide: a rule with four `emit_event`
/// actions that triggers itself runs 4^16 times before depth 16. Every action, nested ones
/// included, spends one unit; once the budget is spent no further action runs anywhere in the
/// chain and the cut is logged once.
///
/// A class so that the nested contexts of one chain share it. `@unchecked Sendable`: a chain
/// runs synchronously on one thread (``RuleEngine`` processing model), so the budget is never
/// touched from two threads at once.
final class ChainBudget: @unchecked Sendable {
    /// The budget the chain started with.
    let limit: Int
    private(set) var remaining: Int
    /// Whether the cut has been reported (logged and traced) already.
    var reported = false

    init(_ limit: Int) {
        self.limit = limit
        remaining = limit
    }

    /// Whether no action may run any more.
    var isExhausted: Bool { remaining <= 0 }

    /// Takes one unit. - Returns: false (taking nothing) when the budget is spent.
    func spend() -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}
