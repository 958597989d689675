import NoexRules
import NoexWire

/// How rules steps reach the rule engine during one call.
///
/// Without `transaction`, `rules.emit` and `rules.setFact` act at once, as in the reference.
/// With `transaction: true` they are held back and applied, in step order, only after the
/// store commit succeeds: a procedure that fails leaves no event, no fact and no push behind
/// (F14). Inside such a procedure `rules.getFact` sees the procedure's own pending facts;
/// what rules would do in reaction to its events and facts happens after the commit.
struct ProcedureRuleEffects: Sendable {
    private enum Effect: Sendable {
        case emit(topic: String, data: JSONObject)
        case setFact(key: String, value: JSONValue)
    }

    private let engine: RuleEngine?
    private let deferred: Bool
    private var pending: [Effect] = []
    private var pendingFacts: [String: JSONValue] = [:]

    /// - Parameters:
    ///   - engine: the server's rule engine, if any.
    ///   - deferred: whether writes wait for ``applyDeferred()``.
    init(engine: RuleEngine?, deferred: Bool) {
        self.engine = engine
        self.deferred = deferred
    }

    /// Emits an event (or queues it).
    /// - Throws: ``ProcedureError/stepFailed(_:)`` without a rule engine; the engine's error
    ///   for an empty topic.
    mutating func emit(topic: String, data: JSONObject) throws {
        let engine = try require("rules.emit")
        guard deferred else {
            try engine.emit(topic: topic, data: data)
            return
        }
        // Checked now so the failure surfaces before the commit, with the engine's message.
        if topic.isEmpty { throw RulesError.invalidArgument("Event topic must be a non-empty string") }
        pending.append(.emit(topic: topic, data: data))
    }

    /// Sets a fact (or queues it).
    /// - Throws: as ``emit(topic:data:)``.
    mutating func setFact(key: String, value: JSONValue) throws {
        let engine = try require("rules.setFact")
        guard deferred else {
            try engine.setFact(key, value)
            return
        }
        if key.isEmpty { throw RulesError.invalidArgument("Fact key must be a non-empty string") }
        pending.append(.setFact(key: key, value: value))
        pendingFacts[key] = value
    }

    /// A fact's value as this call sees it, or `nil`.
    /// - Throws: ``ProcedureError/stepFailed(_:)`` without a rule engine.
    func getFact(key: String) throws -> JSONValue? {
        let engine = try require("rules.getFact")
        return pendingFacts[key] ?? engine.getFact(key)
    }

    /// Applies the held-back effects in order; a no-op when nothing was deferred.
    /// - Throws: the engine's error (it was stopped meanwhile); later effects are not applied.
    func applyDeferred() throws {
        guard let engine else { return }
        for effect in pending {
            switch effect {
            case .emit(let topic, let data): try engine.emit(topic: topic, data: data)
            case .setFact(let key, let value): try engine.setFact(key, value)
            }
        }
    }

    private func require(_ action: String) throws(ProcedureError) -> RuleEngine {
        guard let engine else { throw .stepFailed("\(action): rule engine is not configured") }
        return engine
    }
}
