public import NoexWire

/// One operation of a `store.transaction` request (handwritten validator named in
/// protocol.yaml under `validators:`).
///
/// Decoding follows the reference's checks and messages, each prefixed with the item's
/// position: the item must be an object, `op` one of the seven kinds, `bucket` a non-empty
/// string, `key` non-null for get/update/delete, `data` an object for insert/update and
/// `filter` an object for where/findOne. Members an operation does not use are dropped.
public struct StoreTransactionOperation: PayloadArrayElement {
    /// The kinds of operation a transaction can contain.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Read a record by key (`key` required).
        case get
        /// Insert a record (`data` required).
        case insert
        /// Merge into a record (`key` and `data` required).
        case update
        /// Delete a record (`key` required).
        case delete
        /// Read the records matching `filter` (required).
        case `where`
        /// Read the first record matching `filter` (required).
        case findOne
        /// Count records, optionally filtered.
        case count

        /// Whether the operation addresses a record by key.
        public var needsKey: Bool { self == .get || self == .update || self == .delete }
        /// Whether the operation carries record data.
        public var needsData: Bool { self == .insert || self == .update }
        /// Whether the operation requires a filter.
        public var needsFilter: Bool { self == .where || self == .findOne }
    }

    /// What the operation does.
    public var op: Kind
    /// The bucket it addresses.
    public var bucket: String
    /// The record key, for get/update/delete (never `.null`).
    public var key: JSONValue?
    /// The record data, for insert/update.
    public var data: JSONObject?
    /// The filter: required for where/findOne, optional for count (a non-object filter on
    /// count reads as no filter, as the reference does not check it).
    public var filter: JSONObject?

    /// Creates an operation.
    /// - Parameters:
    ///   - op: the kind.
    ///   - bucket: the bucket name.
    ///   - key: the key, for get/update/delete.
    ///   - data: the data, for insert/update.
    ///   - filter: the filter, for where/findOne/count.
    public init(op: Kind, bucket: String, key: JSONValue? = nil, data: JSONObject? = nil, filter: JSONObject? = nil) {
        self.op = op
        self.bucket = bucket
        self.key = key
        self.data = data
        self.filter = filter
    }

    /// Validates every item, in order.
    /// - Parameters:
    ///   - items: the array's items.
    ///   - field: the payload field name (`operations`).
    /// - Returns: the operations.
    /// - Throws: `VALIDATION_ERROR` naming the first bad item, or the empty array.
    public static func decodeArray(_ items: [JSONValue], field: String) throws(ProtocolError) -> [StoreTransactionOperation] {
        guard !items.isEmpty else { throw .validation("\"\(field)\" must contain at least one operation") }
        var operations: [StoreTransactionOperation] = []
        operations.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            operations.append(try StoreTransactionOperation(item: item, prefix: "\(field)[\(index)]"))
        }
        return operations
    }

    init(item: JSONValue, prefix: String) throws(ProtocolError) {
        guard case .object(let object) = item else { throw .validation("\(prefix): expected object") }
        guard case .string(let opName)? = object["op"], let op = Kind(rawValue: opName) else {
            let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .validation("\(prefix): invalid \"op\" — expected one of: \(kinds)")
        }
        guard case .string(let bucket)? = object["bucket"], !bucket.isEmpty else {
            throw .validation("\(prefix): missing or invalid \"bucket\"")
        }
        self.init(op: op, bucket: bucket)
        if op.needsKey {
            guard let key = object["key"], !key.isNull else { throw .validation("\(prefix): \"\(opName)\" requires \"key\"") }
            self.key = key
        }
        if op.needsData {
            guard case .object(let data)? = object["data"] else {
                throw .validation("\(prefix): \"\(opName)\" requires \"data\" object")
            }
            self.data = data
        }
        if op.needsFilter {
            guard case .object(let filter)? = object["filter"] else {
                throw .validation("\(prefix): \"\(opName)\" requires \"filter\" object")
            }
            self.filter = filter
        } else if op == .count {
            filter = object["filter"]?.objectValue
        }
    }

    /// The operation as a JSON object.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["op": .string(op.rawValue), "bucket": .string(bucket)]
        if let key { object["key"] = key }
        if let data { object["data"] = .object(data) }
        if let filter { object["filter"] = .object(filter) }
        return .object(object)
    }
}
