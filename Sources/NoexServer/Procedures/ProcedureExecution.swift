import NoexStore
import NoexWire

/// One run of a procedure's steps (spec-identity §6.4, §6.7): sequential, stopping at the first
/// error, and at a `return` step for every level of nesting.
struct ProcedureExecution<Access: ProcedureStoreAccess> {
    /// Where store steps read and write.
    var store: Access
    /// Where rules steps go.
    var rules: ProcedureRuleEffects
    /// The input and the results so far.
    var scope: ProcedureScope
    /// The `return` value; `nil` when no `return` ran or its value resolved to undefined.
    private(set) var returnValue: JSONValue?
    /// Whether a `return` step ran.
    private(set) var returned = false
    let deadline: ProcedureDeadline

    init(store: Access, rules: ProcedureRuleEffects, input: JSONObject, deadline: ProcedureDeadline) {
        self.store = store
        self.rules = rules
        self.scope = ProcedureScope(input: input)
        self.deadline = deadline
    }

    /// The call's answer: `{success: true, result?, results}`.
    var outcome: JSONValue {
        var object: JSONObject = ["success": true]
        if let returnValue { object["result"] = returnValue }
        object["results"] = .object(scope.results)
        return .object(object)
    }

    /// Runs steps in order until one fails or a `return` has run.
    /// - Throws: the failing step's error: `StoreError`, `RulesError` or ``ProcedureError``
    ///   (including the deadline).
    mutating func run(_ steps: [ProcedureStep]) throws {
        for step in steps {
            if returned { return }
            try deadline.check()
            try run(step)
        }
    }

    private mutating func run(_ step: ProcedureStep) throws {
        switch step {
        case .storeGet(let bucket, let key, let name):
            scope.results[name] = .record(try store.get(bucket, resolveKey(key)))
        case .storeWhere(let bucket, let filter, let name):
            scope.results[name] = .records(try store.where(bucket, scope.resolve(filter)))
        case .storeFindOne(let bucket, let filter, let name):
            scope.results[name] = .record(try store.findOne(bucket, scope.resolve(filter)))
        case .storeInsert(let bucket, let data, let name):
            let record = try store.insert(bucket, scope.resolve(data))
            if let name { scope.results[name] = .object(record) }
        case .storeUpdate(let bucket, let key, let data, let name):
            let record = try store.update(bucket, resolveKey(key), scope.resolve(data))
            if let name { scope.results[name] = .object(record) }
        case .storeDelete(let bucket, let key):
            try store.delete(bucket, resolveKey(key))
        case .storeCount(let bucket, let filter, let name):
            scope.results[name] = .number(Double(try store.count(bucket, filter.map { scope.resolve($0) })))
        case .aggregate(let source, let operation, let field, let name):
            scope.results[name] = .number(try operation.evaluate(scope.results[source], sourceName: source, field: field))
        case .emit(let topic, let data):
            try rules.emit(topic: resolveName(topic), data: data.map { scope.resolve($0) } ?? [:])
        case .setFact(let key, let value):
            try rules.setFact(key: resolveName(key), value: scope.resolve(value) ?? .null)
        case .getFact(let key, let name):
            scope.results[name] = try rules.getFact(key: resolveName(key)) ?? .null
        case .condition(let condition, let then, let otherwise):
            let actual = scope.resolve(ref: condition.ref)
            let expected = condition.value.flatMap { scope.resolve($0) }
            if condition.comparison.holds(actual, expected) {
                try run(then)
            } else if let otherwise {
                try run(otherwise)
            }
        case .transform(let source, let operation, let args, let name):
            // Only filter and map resolve templates in their args.
            let resolvedArgs = operation == .filter || operation == .map ? scope.resolve(args) : args
            scope.results[name] = try operation.evaluate(scope.results[source], sourceName: source, args: resolvedArgs)
        case .return(let value):
            returnValue = scope.resolve(value)
            returned = true
        }
    }

    /// A record key: whatever the template resolves to, undefined read as null.
    private func resolveKey(_ key: String) -> JSONValue {
        scope.resolve(.string(key)) ?? .null
    }

    /// A topic or fact key: the resolved value as text (undefined and null become empty,
    /// which the rule engine refuses).
    private func resolveName(_ text: String) -> String {
        switch scope.resolve(.string(text)) {
        case .string(let resolved)?: resolved
        case let other: JSSemantics.interpolation(other)
        }
    }
}
