import NoexRules
import NoexStore
import NoexWire

/// Registers, changes and runs procedures for one server (spec-identity §6).
///
/// Authorization model (spec-identity §6.9, with F13): who may use a procedure is decided by
/// the request pipeline before the engine is reached (`procedures.call` is write tier,
/// `procedures.get` read tier, the other four admin tier, plus any permission rules). Once
/// called, a procedure's steps run with the server's privileges, as in the reference: no
/// per-bucket permission rules or ACLs are applied to them, so registering a procedure (admin
/// only) is the act that grants its callers what its steps do. What a procedure can do is
/// bounded by the definition: only the 14 step types (record reads and writes, events, facts;
/// no schema, query, identity or admin operations), never a `_` system bucket (refused
/// with `FORBIDDEN` at registration, update and call), at most `maxSteps` steps, and its time
/// limit.
struct ProcedureEngine: Sendable {
    let registry: ProcedureRegistry
    let store: Store
    let rules: RuleEngine?
    let limits: ProcedureLimits
    let clock: ServerClock

    // MARK: Definitions

    /// Validates and registers a definition.
    /// - Returns: the registered name.
    /// - Throws: ``ProcedureError/invalidDefinition(_:)``, then ``ProcedureError/systemBucket(_:)``,
    ///   then ``ProcedureError/alreadyExists(_:)``.
    @discardableResult
    func register(_ config: JSONValue) throws(ProcedureError) -> String {
        let definition = try ProcedureDefinition.parse(config, limits: limits)
        try Self.checkSystemBuckets(definition)
        try registry.add(definition)
        return definition.name
    }

    /// Removes a procedure.
    /// - Throws: ``ProcedureError/notFound(_:)``.
    func unregister(_ name: String) throws(ProcedureError) {
        guard registry.remove(name) else { throw .notFound(name) }
    }

    /// Applies a top-level merge `{...old, ...updates, name: old.name}` and validates the result;
    /// on failure the old version stays.
    /// - Throws: ``ProcedureError/notFound(_:)``, ``ProcedureError/invalidDefinition(_:)``,
    ///   ``ProcedureError/systemBucket(_:)``.
    func update(_ name: String, _ updates: JSONObject) throws(ProcedureError) {
        try registry.replace(name) { (current: ProcedureDefinition) throws(ProcedureError) in
            var merged = current.json
            for (key, value) in updates { merged[key] = value }
            merged["name"] = .string(current.name)
            let definition = try ProcedureDefinition.parse(.object(merged), limits: limits)
            try Self.checkSystemBuckets(definition)
            return definition
        }
    }

    /// Puts back a definition exactly as it was registered (undoing an update whose save
    /// failed, or applying a changed schema-file definition).
    /// - Throws: ``ProcedureError/notFound(_:)``, ``ProcedureError/invalidDefinition(_:)``,
    ///   ``ProcedureError/systemBucket(_:)``.
    func replace(_ name: String, with config: JSONObject) throws(ProcedureError) {
        try registry.replace(name) { (_: ProcedureDefinition) throws(ProcedureError) in
            var config = config
            config["name"] = .string(name)
            let definition = try ProcedureDefinition.parse(.object(config), limits: limits)
            try Self.checkSystemBuckets(definition)
            return definition
        }
    }

    /// The definition as registered.
    /// - Throws: ``ProcedureError/notFound(_:)``.
    func definition(_ name: String) throws(ProcedureError) -> JSONObject {
        guard let definition = registry.definition(name) else { throw .notFound(name) }
        return definition.json
    }

    /// `{name, description?, stepsCount}` per procedure, in registration order.
    func summaries() -> [JSONValue] {
        registry.all.map { definition in
            var summary: JSONObject = ["name": .string(definition.name)]
            if let description = definition.description { summary["description"] = .string(description) }
            summary["stepsCount"] = .number(Double(definition.steps.count))
            return .object(summary)
        }
    }

    // MARK: Calls

    /// Runs a procedure.
    ///
    /// With `transaction: true` every store step runs in one store transaction (reads see the
    /// procedure's own writes) and the rules steps' writes wait for its commit: either all of
    /// the procedure's writes apply or, when any step, the deadline or the commit fails, none
    /// do and nothing is pushed (F14). Without it each write applies as its step runs and a
    /// failure leaves earlier writes in place, as in the reference.
    /// - Parameters:
    ///   - name: the procedure.
    ///   - input: the call input (`{}` when the request has none).
    /// - Returns: `{success: true, result?, results}`.
    /// - Throws: ``ProcedureError`` (not found, input, system bucket, timeout, step failures),
    ///   `StoreError` or `RulesError` from a step or the commit.
    func call(_ name: String, input: JSONObject) throws -> JSONValue {
        guard let definition = registry.definition(name) else { throw ProcedureError.notFound(name) }
        let input = try definition.validateInput(input)
        try Self.checkSystemBuckets(definition)
        let deadline = ProcedureDeadline(
            name: name, timeoutMs: definition.timeoutMs ?? limits.defaultTimeoutMs, clock: clock)
        let rules = ProcedureRuleEffects(engine: self.rules, deferred: definition.transaction)
        guard definition.transaction else {
            var execution = ProcedureExecution(store: LiveStoreAccess(store: store), rules: rules, input: input, deadline: deadline)
            try execution.run(definition.steps)
            try deadline.check()
            return execution.outcome
        }
        return try callAtomically(definition, input: input, rules: rules, deadline: deadline)
    }

    private func callAtomically(
        _ definition: ProcedureDefinition, input: JSONObject, rules: ProcedureRuleEffects, deadline: ProcedureDeadline
    ) throws -> JSONValue {
        // The store's transaction body may only throw `StoreError`; any other failure is kept
        // here and a stand-in aborts the transaction, so nothing is committed either way.
        var failure: (any Error)?
        var effects = rules
        let outcome: JSONValue
        do {
            outcome = try store.transaction { (transaction: inout TransactionContext) throws(StoreError) -> JSONValue in
                var execution = ProcedureExecution(store: transaction, rules: rules, input: input, deadline: deadline)
                do {
                    try execution.run(definition.steps)
                    try deadline.check()
                } catch let error as StoreError {
                    throw error
                } catch {
                    failure = error
                    throw StoreError.invalidArgument("Procedure \"\(definition.name)\" aborted")
                }
                transaction = execution.store
                effects = execution.rules
                return execution.outcome
            }
        } catch {
            throw failure ?? error
        }
        try effects.applyDeferred()
        return outcome
    }

    /// F13: a procedure never touches a `_` system bucket.
    /// - Throws: ``ProcedureError/systemBucket(_:)`` naming the first one.
    static func checkSystemBuckets(_ definition: ProcedureDefinition) throws(ProcedureError) {
        if let bucket = definition.buckets.first(where: { $0.hasPrefix("_") }) { throw .systemBucket(bucket) }
    }
}
