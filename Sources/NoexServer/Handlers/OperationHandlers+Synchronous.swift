import NoexProtocol
import NoexRules
import NoexStore
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
    ///
    /// The caller's thread is the transport's event loop, shared by every connection, so work
    /// that can take more than about a millisecond goes to the connection's task instead (which
    /// keeps the connection's answers in request order): reads and scans of buckets larger than
    /// ``inlineRecordLimit``, transactions beyond ``inlineTransactionOperations`` operations or
    /// with a scan, subscriptions (their initial query may scan anything), procedures, events
    /// and fact changes once any rule is registered, fact queries over many facts, and rule
    /// registration and validation (compiling conditions and regular expressions).
    func dispatchSynchronously(_ request: Request, context: RequestContext) throws -> SynchronousOutcome {
        switch request {
        case .storeInsert(let r): .finishedEncoded(try store.insertEncoded(r.data, inBucket: r.bucket))
        case .storeGet(let r): .finishedEncoded(try encodedGet(r))
        case .storeUpdate(let r): .finishedEncoded(try encodedUpdate(r))
        case .storeDelete(let r): .finished(try delete(r, context: context))
        case .storeAll(let r): isLarge(r.bucket) ? .needsTask : .finished(try all(r, context: context))
        case .storeWhere(let r): isLarge(r.bucket) ? .needsTask : .finished(try self.where(r, context: context))
        case .storeFindOne(let r): isLarge(r.bucket) ? .needsTask : .finished(try findOne(r, context: context))
        case .storeCount(let r): isLarge(r.bucket) ? .needsTask : .finished(try count(r, context: context))
        case .storeFirst(let r): isLarge(r.bucket) ? .needsTask : .finished(try first(r, context: context))
        case .storeLast(let r): isLarge(r.bucket) ? .needsTask : .finished(try last(r, context: context))
        case .storePaginate(let r): isLarge(r.bucket) ? .needsTask : .finished(try paginate(r, context: context))
        case .storeSum(let r): isLarge(r.bucket) ? .needsTask : .finished(try sum(r, context: context))
        case .storeAvg(let r): isLarge(r.bucket) ? .needsTask : .finished(try avg(r, context: context))
        case .storeMin(let r): isLarge(r.bucket) ? .needsTask : .finished(try min(r, context: context))
        case .storeMax(let r): isLarge(r.bucket) ? .needsTask : .finished(try max(r, context: context))
        case .storeClear(let r): isLarge(r.bucket) ? .needsTask : .finished(try clear(r, context: context))
        case .storeBuckets(let r): .finished(try buckets(r, context: context))
        case .storeStats(let r): .finished(try stats(r, context: context))
        case .storeUnsubscribe(let r): .finished(try unsubscribe(r, context: context))
        case .storeTransaction(let r): isHeavy(r) ? .needsTask : .finished(try transaction(r, context: context))
        case .storeDefineBucket(let r): .finished(try defineBucket(r, context: context))
        case .storeDropBucket(let r): isLarge(r.name) ? .needsTask : .finished(try dropBucket(r, context: context))
        case .storeUpdateBucket(let r): isLarge(r.name) ? .needsTask : .finished(try updateBucket(r, context: context))
        case .storeGetBucketSchema(let r): .finished(try getBucketSchema(r, context: context))
        case .storeDefineQuery(let r): .finished(try defineQuery(r, context: context))
        case .storeUndefineQuery(let r): .finished(try undefineQuery(r, context: context))
        case .storeListQueries(let r): .finished(try listQueries(r, context: context))
        case .rulesEmit(let r): mayRunRules ? .needsTask : .finished(try emit(r, context: context))
        case .rulesSetFact(let r): mayRunRules ? .needsTask : .finished(try setFact(r, context: context))
        case .rulesGetFact(let r): .finished(try getFact(r, context: context))
        case .rulesDeleteFact(let r): mayRunRules ? .needsTask : .finished(try deleteFact(r, context: context))
        case .rulesQueryFacts(let r): holdsManyFacts ? .needsTask : .finished(try queryFacts(r, context: context))
        case .rulesGetAllFacts(let r): holdsManyFacts ? .needsTask : .finished(try getAllFacts(r, context: context))
        case .rulesSubscribe(let r): .finished(try subscribe(r, context: context))
        case .rulesUnsubscribe(let r): .finished(try unsubscribe(r, context: context))
        case .rulesStats(let r): .finished(try stats(r, context: context))
        case .rulesUnregisterRule(let r): .finished(try unregisterRule(r, context: context))
        case .rulesEnableRule(let r): .finished(try enableRule(r, context: context))
        case .rulesDisableRule(let r): .finished(try disableRule(r, context: context))
        case .rulesGetRule(let r): .finished(try getRule(r, context: context))
        case .rulesGetRules(let r): .finished(try getRules(r, context: context))
        case .serverStats(let r): .finished(try stats(r, context: context))
        case .serverConnections(let r): .finished(try connections(r, context: context))
        default: .needsTask
        }
    }
}

extension OperationHandlers {
    /// Buckets up to this many records are read on the loop: a scan or an answer of 1 000 small
    /// records takes well under a millisecond.
    static let inlineRecordLimit = 1_000

    /// Transactions up to this many operations (and no scan) run on the loop.
    static let inlineTransactionOperations = 16

    /// Whether `bucket` holds more than ``inlineRecordLimit`` records (a lock and a count read).
    func isLarge(_ bucket: String) -> Bool {
        store.recordCount(bucket) > Self.inlineRecordLimit
    }

    /// Whether an event or fact change may run rules (their conditions, actions and chains are
    /// bounded by `RuleEngineLimits`, but can still take milliseconds): only with no rule at
    /// all does it stay on the loop.
    var mayRunRules: Bool {
        (core.configuration.rules?.size.rules ?? 0) > 0
    }

    /// Whether a fact query may scan more than ``inlineRecordLimit`` facts.
    var holdsManyFacts: Bool {
        (core.configuration.rules?.size.facts ?? 0) > Self.inlineRecordLimit
    }

    /// Whether a transaction may take long: many operations, or any scan.
    func isHeavy(_ request: StoreTransactionRequest) -> Bool {
        request.operations.count > Self.inlineTransactionOperations
            || request.operations.contains { $0.op == .where || $0.op == .findOne || $0.op == .count }
    }
}
