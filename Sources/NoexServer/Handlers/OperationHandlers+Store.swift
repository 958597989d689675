import NoexProtocol
import NoexStore
import NoexWire

extension OperationHandlers {
    func insert(_ request: StoreInsertRequest, context: RequestContext) throws -> JSONValue? {
        .record(try store.uncheckedBucket(request.bucket).insert(request.data))
    }

    func get(_ request: StoreGetRequest, context: RequestContext) throws -> JSONValue? {
        .record(try store.uncheckedBucket(request.bucket).get(request.key))
    }

    /// `store.get` answered with the record's JSON text, which the store serialises once per
    /// version of the record: the hot read path skips building and serialising a tree.
    func encodedGet(_ request: StoreGetRequest) throws -> [UInt8] {
        try store.getEncoded(request.key, inBucket: request.bucket) ?? Self.encodedNull
    }

    /// `store.update` answered with the updated record's JSON text, which the store keeps for
    /// the next `store.get` of that record.
    func encodedUpdate(_ request: StoreUpdateRequest) throws -> [UInt8] {
        try store.updateEncoded(request.key, request.data, inBucket: request.bucket)
    }

    private static let encodedNull = Array("null".utf8)

    func update(_ request: StoreUpdateRequest, context: RequestContext) throws -> JSONValue? {
        .record(try store.uncheckedBucket(request.bucket).update(request.key, request.data))
    }

    func delete(_ request: StoreDeleteRequest, context: RequestContext) throws -> JSONValue? {
        try store.uncheckedBucket(request.bucket).delete(request.key)
        return ["deleted": true]
    }

    func all(_ request: StoreAllRequest, context: RequestContext) throws -> JSONValue? {
        .records(try store.bucket(request.bucket).all())
    }

    func `where`(_ request: StoreWhereRequest, context: RequestContext) throws -> JSONValue? {
        .records(try store.bucket(request.bucket).where(request.filter))
    }

    func findOne(_ request: StoreFindOneRequest, context: RequestContext) throws -> JSONValue? {
        .record(try store.bucket(request.bucket).findOne(request.filter))
    }

    func count(_ request: StoreCountRequest, context: RequestContext) throws -> JSONValue? {
        .number(Double(try store.bucket(request.bucket).count(request.filter)))
    }

    func first(_ request: StoreFirstRequest, context: RequestContext) throws -> JSONValue? {
        .records(try store.bucket(request.bucket).first(request.n))
    }

    func last(_ request: StoreLastRequest, context: RequestContext) throws -> JSONValue? {
        .records(try store.bucket(request.bucket).last(request.n))
    }

    func paginate(_ request: StorePaginateRequest, context: RequestContext) throws -> JSONValue? {
        let page = try store.bucket(request.bucket).paginate(after: request.after, limit: request.limit)
        var result: JSONObject = ["records": .records(page.records), "hasMore": .bool(page.hasMore)]
        if let cursor = page.nextCursor { result["nextCursor"] = cursor }
        return .object(result)
    }

    func sum(_ request: StoreSumRequest, context: RequestContext) throws -> JSONValue? {
        .number(try store.bucket(request.bucket).sum(request.field, filter: request.filter))
    }

    func avg(_ request: StoreAvgRequest, context: RequestContext) throws -> JSONValue? {
        .number(try store.bucket(request.bucket).avg(request.field, filter: request.filter))
    }

    func min(_ request: StoreMinRequest, context: RequestContext) throws -> JSONValue? {
        try store.bucket(request.bucket).min(request.field, filter: request.filter).map(JSONValue.number) ?? .null
    }

    func max(_ request: StoreMaxRequest, context: RequestContext) throws -> JSONValue? {
        try store.bucket(request.bucket).max(request.field, filter: request.filter).map(JSONValue.number) ?? .null
    }

    func clear(_ request: StoreClearRequest, context: RequestContext) throws -> JSONValue? {
        try store.bucket(request.bucket).clear()
        return ["cleared": true]
    }

    func buckets(_ request: StoreBucketsRequest, context: RequestContext) throws -> JSONValue? {
        let names = visibleBuckets(store.bucketNames())
        return ["count": .number(Double(names.count)), "names": .array(names.map(JSONValue.string))]
    }

    func stats(_ request: StoreStatsRequest, context: RequestContext) throws -> JSONValue? {
        let stats = store.stats()
        return .object(Self.hidingSystemBuckets(stats, identity: core.identity != nil))
    }

    /// Bucket names clients may see: with built-in identity, `_` system buckets are hidden;
    /// the server's definition buckets always are.
    private func visibleBuckets(_ names: [String]) -> [String] {
        names.filter { core.identity == nil ? !RuntimeDefinitions.isDefinitionBucket($0) : !$0.hasPrefix("_") }
    }

    /// `store.stats` without the system buckets (with built-in identity every `_` bucket,
    /// otherwise the server's definition buckets), totals recomputed (F15).
    static func hidingSystemBuckets(_ stats: JSONObject, identity: Bool = true) -> JSONObject {
        var stats = stats
        let isHidden: (String) -> Bool = { name in
            identity ? name.hasPrefix("_") : RuntimeDefinitions.isDefinitionBucket(name)
        }
        let all = (stats["buckets"]?["names"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard all.contains(where: isHidden) else { return stats }
        let names = all.filter { !isHidden($0) }
        stats["buckets"] = ["count": .number(Double(names.count)), "names": .array(names.map(JSONValue.string))]
        for section in ["records", "indexes"] {
            guard let perBucket = stats[section]?["perBucket"]?.objectValue else { continue }
            var kept = JSONObject()
            var total = 0.0
            for name in names {
                guard let value = perBucket[name] else { continue }
                kept[name] = value
                total += value.numberValue ?? 0
            }
            stats[section] = ["total": .number(total), "perBucket": .object(kept)]
        }
        return stats
    }

    func subscribe(_ request: StoreSubscribeRequest, context: RequestContext) throws -> JSONValue? {
        let connection = context.connection
        let subscriptionId = core.makeSubscriptionId()
        let params = request.params.flatMap { $0.isNull ? nil : $0 }
        let encoder = core.pushEncoder
        // Captured strongly (no weak reference to a connection, see `ConnectionLink`): the store
        // drops this callback when the subscription is cancelled, by unsubscribe or by
        // `tearDown()`, or by `addStoreSubscription` when the connection closed meanwhile.
        let (initial, subscription) = try store.subscribe(query: request.query, params: params) { result in
            connection.pushSubscription(
                subscriptionId,
                frame: OutboundMessage.push(
                    channel: PushChannel.subscription.rawValue, subscriptionId: subscriptionId,
                    encodedData: result.map(encoder.encoded)))
        }
        // An initial result over `maxResultBytes` would be refused after the subscription is
        // live, leaving the client pushes for an id it never learnt: refuse it here instead.
        let maxBytes = core.configuration.maxResultBytes
        if let initial, OutboundMessage.result(id: 0, data: initial, maxDataBytes: maxBytes) == nil {
            subscription.cancel()
            throw ResultSizeLimit.error(maxBytes)
        }
        _ = connection.addStoreSubscription(subscriptionId, subscription)
        var result: JSONObject = ["subscriptionId": .string(subscriptionId)]
        if let initial { result["data"] = initial }
        return .object(result)
    }

    func unsubscribe(_ request: StoreUnsubscribeRequest, context: RequestContext) throws -> JSONValue? {
        guard context.connection.removeStoreSubscription(request.subscriptionId) else {
            throw ProtocolError(.notFound, "Subscription \"\(request.subscriptionId)\" not found")
        }
        return ["unsubscribed": true]
    }

    func transaction(_ request: StoreTransactionRequest, context: RequestContext) throws -> JSONValue? {
        try StoreTransactionRunner.run(request, on: store, maxOperations: core.configuration.maxTransactionOperations)
    }

    func defineBucket(_ request: StoreDefineBucketRequest, context: RequestContext) throws -> JSONValue? {
        try store.defineBucket(request.name, json: request.config)
        return ["name": .string(request.name), "created": true]
    }

    func dropBucket(_ request: StoreDropBucketRequest, context: RequestContext) throws -> JSONValue? {
        try store.dropBucket(request.name)
        return ["name": .string(request.name), "dropped": true]
    }

    func updateBucket(_ request: StoreUpdateBucketRequest, context: RequestContext) throws -> JSONValue? {
        try store.updateBucket(request.name, json: request.updates)
        return ["name": .string(request.name), "updated": true]
    }

    func getBucketSchema(_ request: StoreGetBucketSchemaRequest, context: RequestContext) throws -> JSONValue? {
        ["name": .string(request.name), "config": .object(try store.bucketSchema(request.name))]
    }

    func defineQuery(_ request: StoreDefineQueryRequest, context: RequestContext) throws -> JSONValue? {
        try core.definitions.defineQuery(request.name, config: request.config)
        return ["name": .string(request.name), "defined": true]
    }

    func undefineQuery(_ request: StoreUndefineQueryRequest, context: RequestContext) throws -> JSONValue? {
        try core.definitions.undefineQuery(request.name)
        return ["name": .string(request.name), "undefined": true]
    }

    func listQueries(_ request: StoreListQueriesRequest, context: RequestContext) throws -> JSONValue? {
        ["queries": .array(store.listQueries().map { .object($0.json) })]
    }
}
