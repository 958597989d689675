import NoexRules
import NoexStore
import NoexWire
import Synchronization

/// What clients define over the wire at run time, kept so that it survives a restart:
/// declarative queries (`store.defineQuery`), procedures (`procedures.register/update`) and
/// rules (`rules.registerRule/updateRule/enableRule/disableRule`).
///
/// Each kind lives in a system bucket of the store (`_queries`, `_procedures`, `_rules`), one
/// record per definition `{name, config, order}`, so whatever persistence the store uses keeps
/// them with the same durability as the data, and a store without persistence keeps them for
/// as long as the store lives. Clients never reach these buckets: the request pipeline refuses
/// them like the identity's system buckets, and `store.buckets`/`store.stats` hide them.
///
/// Every change is applied first (which validates it), then saved; when saving fails the
/// change is undone and the error answered, so an answer that reports success means the
/// definition was saved. Changes are serialised by one lock so the saved copy always matches
/// the live one.
final class RuntimeDefinitions: Sendable {
    /// A kind of saved definition.
    enum Kind: String, CaseIterable, Sendable {
        case query, procedure, rule

        /// The system bucket holding this kind.
        var bucket: String {
            switch self {
            case .query: RuntimeDefinitions.queriesBucket
            case .procedure: RuntimeDefinitions.proceduresBucket
            case .rule: RuntimeDefinitions.rulesBucket
            }
        }
    }

    /// Declarative queries defined over the wire.
    static let queriesBucket = "_queries"
    /// Procedures registered over the wire.
    static let proceduresBucket = "_procedures"
    /// Rules registered over the wire, with their enabled state.
    static let rulesBucket = "_rules"

    /// Whether `bucket` is one of the definition buckets (refused to clients in every mode).
    static func isDefinitionBucket(_ bucket: String) -> Bool {
        bucket == queriesBucket || bucket == proceduresBucket || bucket == rulesBucket
    }

    /// The definition of each system bucket: `name` is the key, `config` the definition as
    /// registered, `order` keeps registration order across restarts.
    static let bucketDefinition: JSONObject = [
        "key": "name",
        "schema": [
            "name": ["type": "string", "required": true],
            "config": ["type": "object", "required": true],
            "order": ["type": "number"],
        ],
    ]

    let store: Store
    /// Serialises change-and-save; the value is the next `order` per kind.
    private let lock = Mutex<[Kind: Double]>([:])

    init(store: Store) {
        self.store = store
    }

    /// Runs a change and its save under the lock.
    func serialized<T>(_ body: (inout [Kind: Double]) throws -> T) throws -> T {
        try lock.withLock { (orders: inout [Kind: Double]) throws -> T in try body(&orders) }
    }

    // MARK: Saved copies

    /// The saved definitions of a kind in registration order.
    func saved(_ kind: Kind) -> [(name: String, config: JSONObject)] {
        guard store.hasBucket(kind.bucket), let records = try? store.bucket(kind.bucket).all() else { return [] }
        return records
            .sorted { ($0["order"]?.numberValue ?? 0) < ($1["order"]?.numberValue ?? 0) }
            .compactMap { record in
                guard let name = record["name"]?.stringValue, let config = record["config"]?.objectValue else { return nil }
                return (name, config)
            }
    }

    /// Saves (inserts or replaces) a definition. Call inside `serialized`.
    ///
    /// When the write fails, the saved copy is put back as it was (best effort: a store whose
    /// adapter failed may have applied the change in memory, and must not write it out later).
    func save(_ kind: Kind, name: String, config: JSONObject, orders: inout [Kind: Double]) throws(StoreError) {
        try ensureBucket(kind)
        let bucket = store.uncheckedBucket(kind.bucket)
        let order = try nextOrder(kind, orders: &orders)
        let previous = try bucket.get(.string(name))
        do {
            if previous != nil {
                _ = try bucket.update(.string(name), ["config": .object(config), "order": .number(order)])
            } else {
                _ = try bucket.insert(["name": .string(name), "config": .object(config), "order": .number(order)])
            }
        } catch {
            if let previous {
                _ = try? bucket.update(.string(name), ["config": previous["config"] ?? .object([:]), "order": previous["order"] ?? 0])
            } else {
                _ = try? bucket.delete(.string(name))
            }
            throw error
        }
    }

    /// Removes a saved definition, if there is one. Call inside `serialized`. When the write
    /// fails the saved copy is put back (best effort, as in `save`).
    func forget(_ kind: Kind, name: String) throws(StoreError) {
        guard store.hasBucket(kind.bucket) else { return }
        let bucket = store.uncheckedBucket(kind.bucket)
        guard let previous = try bucket.get(.string(name)) else { return }
        do {
            _ = try bucket.delete(.string(name))
        } catch {
            let gone: Bool
            do { gone = try bucket.get(.string(name)) == nil } catch { gone = false }
            if gone {
                _ = try? bucket.insert(
                    ["name": .string(name), "config": previous["config"] ?? .object([:]), "order": previous["order"] ?? 0])
            }
            throw error
        }
    }

    /// Claims the restored system bucket with the current definition, or creates it.
    func ensureBucket(_ kind: Kind) throws(StoreError) {
        guard !store.hasBucket(kind.bucket) else { return }
        do {
            try store.defineBucket(kind.bucket, json: Self.bucketDefinition)
        } catch .bucketAlreadyExists {
            return
        }
    }

    private func nextOrder(_ kind: Kind, orders: inout [Kind: Double]) throws(StoreError) -> Double {
        if let next = orders[kind] {
            orders[kind] = next + 1
            return next
        }
        var highest = 0.0
        for record in try store.uncheckedBucket(kind.bucket).all() {
            highest = Swift.max(highest, record["order"]?.numberValue ?? 0)
        }
        orders[kind] = highest + 2
        return highest + 1
    }
}
