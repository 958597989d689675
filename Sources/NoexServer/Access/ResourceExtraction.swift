public import NoexAuth
public import NoexProtocol
public import NoexStore
public import NoexWire

/// The resources a request touches, all of them, each read from the field its handler acts
/// on (F22). The reference checked the first of `bucket`/`name`/`topic`/`key`/`pattern`
/// present in the message, whatever the handler used: a decoy field (`{"type":
/// "store.dropBucket","name":"secret","bucket":"mine"}`) passed the check for `mine` and
/// dropped `secret`.
///
/// The resource field comes from the operation's `resource:` in protocol.yaml
/// (``OperationDescriptor/resourceField``); an operation without one touches every resource
/// of its namespace (`*`), so only unconstrained permissions allow it. On top of that:
/// - `store.transaction`: the bucket of every operation in it, read for `get`/`where`/
///   `findOne`/`count`, write for `insert`/`update`/`delete`;
/// - `store.subscribe`: the query, and the bucket a declarative query reads;
/// - `store.defineQuery`: the query, and the bucket its config reads;
/// - `rules.subscribe`, `rules.queryFacts`: the pattern, allowed only when every topic or key
///   it can match is (``TopicPattern``);
/// - `store.unsubscribe`, `rules.unsubscribe`: only the caller's own subscription (no shared
///   resource);
/// - rule management (`rules.registerRule` ... `rules.validateRule`), `rules.getAllFacts`,
///   `rules.stats`: every topic (`*`), as a rule may react to and act on any of them.
public enum ResourceExtraction {
    /// Every resource a request touches; empty when it touches nothing shared (then only the
    /// operation itself is checked).
    /// - Parameters:
    ///   - descriptor: the operation; `nil` for an unknown type.
    ///   - type: the request type (for an unknown operation: every resource of its namespace).
    ///   - message: the whole request message (payload fields are flat).
    ///   - store: the store, to find the bucket a subscribed query reads.
    public static func resources(
        descriptor: OperationDescriptor?, type: String, message: JSONObject, store: Store?
    ) -> [AccessResource] {
        guard let descriptor else {
            if type.hasPrefix("store.") { return [.all(.bucket, access: nil)] }
            if type.hasPrefix("rules.") { return [.all(.topic, access: nil)] }
            return []
        }
        let access = descriptor.tier
        let field = descriptor.resourceField
        if field == "subscriptionId" {
            return [AccessResource(kind: nil, name: string(message, "subscriptionId") ?? "*", access: nil)]
        }
        switch descriptor.namespace {
        case .store:
            return storeResources(descriptor, field: field, message: message, store: store)
        case .rules:
            return [AccessResource(kind: .topic, name: field.flatMap { string(message, $0) } ?? "*", access: access)]
        case .procedures:
            return [AccessResource(kind: .procedure, name: field.flatMap { string(message, $0) } ?? "*", access: access)]
        default:
            return []
        }
    }

    private static func storeResources(
        _ descriptor: OperationDescriptor, field: String?, message: JSONObject, store: Store?
    ) -> [AccessResource] {
        let access = descriptor.tier
        let name = field.flatMap { string(message, $0) } ?? "*"
        switch descriptor.name {
        case "store.transaction":
            return transactionResources(message)
        case "store.subscribe":
            var resources = [AccessResource(kind: .query, name: name, access: .read)]
            if let bucket = queryBucket(name, store: store) {
                resources.append(AccessResource(kind: .bucket, name: bucket, access: .read))
            }
            return resources
        case "store.defineQuery":
            var resources = [AccessResource(kind: .query, name: name, access: access)]
            if case .object(let config)? = message["config"], let bucket = string(config, "bucket") {
                resources.append(AccessResource(kind: .bucket, name: bucket, access: .read))
            }
            return resources
        case "store.undefineQuery":
            return [AccessResource(kind: .query, name: name, access: access)]
        default:
            return [AccessResource(kind: .bucket, name: name, access: access)]
        }
    }

    /// The buckets of a transaction's operations, deduplicated, each with the strongest access
    /// any of its operations needs. Items that are not well-formed are skipped: validation
    /// rejects the whole request after the check. No item at all stands for every bucket.
    private static func transactionResources(_ message: JSONObject) -> [AccessResource] {
        guard case .array(let items)? = message["operations"] else { return [.all(.bucket, access: .write)] }
        var order: [String] = []
        var writes: [String: Bool] = [:]
        for item in items {
            guard case .object(let operation) = item, let bucket = string(operation, "bucket") else { continue }
            let kind = string(operation, "op").flatMap(StoreTransactionOperation.Kind.init(rawValue:))
            let isRead = kind == .get || kind == .where || kind == .findOne || kind == .count
            if writes[bucket] == nil { order.append(bucket) }
            writes[bucket] = (writes[bucket] ?? false) || !isRead
        }
        if order.isEmpty { return [.all(.bucket, access: .write)] }
        return order.map { AccessResource(kind: .bucket, name: $0, access: writes[$0] == true ? .write : .read) }
    }

    /// The bucket a declarative query reads; `nil` for an unknown or programmatic query (an
    /// application's Swift closure, authorized by its name alone, like a procedure).
    private static func queryBucket(_ query: String, store: Store?) -> String? {
        guard let store, case let config?? = store.queryConfig(query) else { return nil }
        return string(config, "bucket")
    }

    /// A member's value when it is a string; `nil` otherwise.
    private static func string(_ message: JSONObject, _ key: String) -> String? {
        if case .string(let value)? = message[key] { return value }
        return nil
    }
}
