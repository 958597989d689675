import NoexProtocol
import NoexWire

extension OperationHandlers {
    /// The outcome of trying to run a request without suspending.
    enum SynchronousOutcome {
        /// The handler ran; its result data (`nil` omits the `data` key).
        case finished(JSONValue?)
        /// The handler ran; its result data as JSON text serialised earlier.
        case finishedEncoded([UInt8])
        /// The handler may suspend (token validation, password hashing, procedures); run it
        /// from the connection's task instead.
        case needsTask
    }

    /// Runs the handlers that never suspend (store, rules and server operations, whose methods
    /// are synchronous witnesses of the generated async requirements) directly on the caller's
    /// thread. An operation missing here is still correct, only slower: it goes through the task.
    func dispatchSynchronously(_ request: Request, context: RequestContext) throws -> SynchronousOutcome {
        switch request {
        case .storeInsert(let r): .finished(try insert(r, context: context))
        case .storeGet(let r): .finishedEncoded(try encodedGet(r))
        case .storeUpdate(let r): .finishedEncoded(try encodedUpdate(r))
        case .storeDelete(let r): .finished(try delete(r, context: context))
        case .storeAll(let r): .finished(try all(r, context: context))
        case .storeWhere(let r): .finished(try self.where(r, context: context))
        case .storeFindOne(let r): .finished(try findOne(r, context: context))
        case .storeCount(let r): .finished(try count(r, context: context))
        case .storeFirst(let r): .finished(try first(r, context: context))
        case .storeLast(let r): .finished(try last(r, context: context))
        case .storePaginate(let r): .finished(try paginate(r, context: context))
        case .storeSum(let r): .finished(try sum(r, context: context))
        case .storeAvg(let r): .finished(try avg(r, context: context))
        case .storeMin(let r): .finished(try min(r, context: context))
        case .storeMax(let r): .finished(try max(r, context: context))
        case .storeClear(let r): .finished(try clear(r, context: context))
        case .storeBuckets(let r): .finished(try buckets(r, context: context))
        case .storeStats(let r): .finished(try stats(r, context: context))
        case .storeSubscribe(let r): .finished(try subscribe(r, context: context))
        case .storeUnsubscribe(let r): .finished(try unsubscribe(r, context: context))
        case .storeTransaction(let r): .finished(try transaction(r, context: context))
        case .storeDefineBucket(let r): .finished(try defineBucket(r, context: context))
        case .storeDropBucket(let r): .finished(try dropBucket(r, context: context))
        case .storeUpdateBucket(let r): .finished(try updateBucket(r, context: context))
        case .storeGetBucketSchema(let r): .finished(try getBucketSchema(r, context: context))
        case .storeDefineQuery(let r): .finished(try defineQuery(r, context: context))
        case .storeUndefineQuery(let r): .finished(try undefineQuery(r, context: context))
        case .storeListQueries(let r): .finished(try listQueries(r, context: context))
        case .rulesEmit(let r): .finished(try emit(r, context: context))
        case .rulesSetFact(let r): .finished(try setFact(r, context: context))
        case .rulesGetFact(let r): .finished(try getFact(r, context: context))
        case .rulesDeleteFact(let r): .finished(try deleteFact(r, context: context))
        case .rulesQueryFacts(let r): .finished(try queryFacts(r, context: context))
        case .rulesGetAllFacts(let r): .finished(try getAllFacts(r, context: context))
        case .rulesSubscribe(let r): .finished(try subscribe(r, context: context))
        case .rulesUnsubscribe(let r): .finished(try unsubscribe(r, context: context))
        case .rulesStats(let r): .finished(try stats(r, context: context))
        case .rulesRegisterRule(let r): .finished(try registerRule(r, context: context))
        case .rulesUnregisterRule(let r): .finished(try unregisterRule(r, context: context))
        case .rulesUpdateRule(let r): .finished(try updateRule(r, context: context))
        case .rulesEnableRule(let r): .finished(try enableRule(r, context: context))
        case .rulesDisableRule(let r): .finished(try disableRule(r, context: context))
        case .rulesGetRule(let r): .finished(try getRule(r, context: context))
        case .rulesGetRules(let r): .finished(try getRules(r, context: context))
        case .rulesValidateRule(let r): .finished(try validateRule(r, context: context))
        case .serverStats(let r): .finished(try stats(r, context: context))
        case .serverConnections(let r): .finished(try connections(r, context: context))
        default: .needsTask
        }
    }
}
