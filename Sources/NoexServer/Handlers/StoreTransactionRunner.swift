import NoexProtocol
import NoexStore
import NoexWire

/// Runs the validated operations of `store.transaction` inside one store transaction.
///
/// Reads see the transaction's own writes; any failure throws and nothing is committed.
enum StoreTransactionRunner {
    /// - Returns: `{"results":[{"index":i,"data":…}]}` in operation order.
    /// - Throws: `VALIDATION_ERROR` when the request holds more than `maxOperations` operations
    ///   (checked before anything runs), or the store's error.
    static func run(_ request: StoreTransactionRequest, on store: Store, maxOperations: Int) throws -> JSONValue {
        try checkSize(request, maxOperations: maxOperations)
        let results = try store.transaction { (transaction: inout TransactionContext) throws(StoreError) -> [JSONValue] in
            var results: [JSONValue] = []
            results.reserveCapacity(request.operations.count)
            for (index, operation) in request.operations.enumerated() {
                let data = try perform(operation, in: &transaction)
                results.append(["index": .number(Double(index)), "data": data])
            }
            return results
        }
        return ["results": .array(results)]
    }

    /// The one place `maxTransactionOperations` is enforced.
    static func checkSize(_ request: StoreTransactionRequest, maxOperations: Int) throws(ProtocolError) {
        guard request.operations.count <= maxOperations else {
            throw ProtocolError(
                .validationError,
                "Transaction has \(request.operations.count) operations; the limit is \(maxOperations) (maxTransactionOperations). Split it into smaller transactions")
        }
    }

    /// One operation's result data; the decoder has already checked each op's required fields.
    private static func perform(
        _ operation: StoreTransactionOperation, in transaction: inout TransactionContext
    ) throws(StoreError) -> JSONValue {
        let key = operation.key ?? .null
        let filter = operation.filter ?? [:]
        switch operation.op {
        case .get: return .record(try transaction.get(operation.bucket, key))
        case .insert: return .record(try transaction.insert(operation.bucket, operation.data ?? [:]))
        case .update: return .record(try transaction.update(operation.bucket, key, operation.data ?? [:]))
        case .delete:
            try transaction.delete(operation.bucket, key)
            return ["deleted": true]
        case .where: return .records(try transaction.where(operation.bucket, filter))
        case .findOne: return .record(try transaction.findOne(operation.bucket, filter))
        case .count: return .number(Double(try transaction.count(operation.bucket, operation.filter)))
        }
    }
}
