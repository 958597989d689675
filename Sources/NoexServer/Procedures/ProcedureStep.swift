import NoexWire

/// One validated step of a procedure (spec-identity §6.4), with its fields as written.
///
/// Templated fields (`key`, `filter`, `data`, `topic`, `value`, transform `args`) keep their
/// `{{ }}` text here and are resolved when the step runs; names (`bucket`, `source`, `as`,
/// `field`) are used verbatim.
indirect enum ProcedureStep: Sendable, Hashable {
    /// `store.get`: the record under `key`, or null.
    case storeGet(bucket: String, key: String, as: String)
    /// `store.where`: the records matching `filter`.
    case storeWhere(bucket: String, filter: JSONObject, as: String)
    /// `store.findOne`: the first record matching `filter`, or null.
    case storeFindOne(bucket: String, filter: JSONObject, as: String)
    /// `store.insert`: inserts `data`; the stored record goes under `as` when given.
    case storeInsert(bucket: String, data: JSONObject, as: String?)
    /// `store.update`: merges `data` into the record under `key`.
    case storeUpdate(bucket: String, key: String, data: JSONObject, as: String?)
    /// `store.delete`: removes the record under `key` (a missing key is no error).
    case storeDelete(bucket: String, key: String)
    /// `store.count`: the number of (matching) records.
    case storeCount(bucket: String, filter: JSONObject?, as: String)
    /// `aggregate`: a number computed over the array result `source`.
    case aggregate(source: String, operation: AggregateOperation, field: String?, as: String)
    /// `rules.emit`: emits an event on `topic` with `data` (default `{}`).
    case emit(topic: String, data: JSONObject?)
    /// `rules.setFact`: sets a fact.
    case setFact(key: String, value: JSONValue)
    /// `rules.getFact`: the fact's value, or null.
    case getFact(key: String, as: String)
    /// `if`: runs `then` when the condition holds, else `otherwise` (when given).
    case condition(ProcedureCondition, then: [ProcedureStep], otherwise: [ProcedureStep]?)
    /// `transform`: reshapes the result `source`.
    case transform(source: String, operation: TransformOperation, args: JSONValue, as: String)
    /// `return`: sets the call's result and stops every further step.
    case `return`(JSONValue)

    /// The bucket a store step addresses, `nil` for the other steps.
    var bucket: String? {
        switch self {
        case .storeGet(let bucket, _, _), .storeWhere(let bucket, _, _), .storeFindOne(let bucket, _, _),
            .storeInsert(let bucket, _, _), .storeUpdate(let bucket, _, _, _), .storeDelete(let bucket, _),
            .storeCount(let bucket, _, _):
            bucket
        default: nil
        }
    }

    /// Every bucket this step and its branches address, in order.
    var buckets: [String] {
        if case .condition(_, let then, let otherwise) = self {
            return (then + (otherwise ?? [])).flatMap(\.buckets)
        }
        return bucket.map { [$0] } ?? []
    }
}

/// The `op` of an `aggregate` step.
enum AggregateOperation: String, Sendable, Hashable, CaseIterable {
    case sum, avg, min, max, count
}

/// The `operation` of a `transform` step.
enum TransformOperation: String, Sendable, Hashable, CaseIterable {
    case map, filter, pick, pluck
}

/// The condition of an `if` step: `ref` (a bare dotted path) compared with `value`.
struct ProcedureCondition: Sendable, Hashable {
    /// The dotted path read from the input or the results (not a template).
    var ref: String
    /// How the two sides compare.
    var comparison: ConditionOperator
    /// The templated right-hand side; `nil` when the definition has none (undefined).
    var value: JSONValue?
}

/// The `operator` of an `if` condition.
enum ConditionOperator: String, Sendable, Hashable, CaseIterable {
    case eq, neq, gt, gte, lt, lte, exists
    case notExists = "not_exists"
}
