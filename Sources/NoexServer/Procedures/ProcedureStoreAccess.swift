import NoexStore
import NoexWire

/// The record operations store steps use. A procedure without `transaction` runs them on the
/// live store (each write applies at once); with `transaction: true` it runs them on one store
/// transaction, so reads see the procedure's own writes and nothing applies before the commit.
protocol ProcedureStoreAccess {
    /// The record under `key`, or `nil`.
    mutating func get(_ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject?
    /// The records matching `filter`.
    mutating func `where`(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> [JSONObject]
    /// The first record matching `filter`, or `nil`.
    mutating func findOne(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> JSONObject?
    /// Inserts a record and returns it as stored.
    mutating func insert(_ bucket: String, _ data: JSONObject) throws(StoreError) -> JSONObject
    /// Merges `changes` into the record under `key` and returns the result.
    mutating func update(_ bucket: String, _ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject
    /// Deletes the record under `key`; a missing key is no error.
    mutating func delete(_ bucket: String, _ key: JSONValue) throws(StoreError)
    /// The number of records, or of those matching `filter`.
    mutating func count(_ bucket: String, _ filter: JSONObject?) throws(StoreError) -> Int
}

/// Store steps applied directly to the live store.
struct LiveStoreAccess: ProcedureStoreAccess {
    let store: Store

    func get(_ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject? {
        try store.bucket(bucket).get(key)
    }

    func `where`(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> [JSONObject] {
        try store.bucket(bucket).where(filter)
    }

    func findOne(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> JSONObject? {
        try store.bucket(bucket).findOne(filter)
    }

    func insert(_ bucket: String, _ data: JSONObject) throws(StoreError) -> JSONObject {
        try store.bucket(bucket).insert(data)
    }

    func update(_ bucket: String, _ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject {
        try store.bucket(bucket).update(key, changes)
    }

    func delete(_ bucket: String, _ key: JSONValue) throws(StoreError) {
        _ = try store.bucket(bucket).delete(key)
    }

    func count(_ bucket: String, _ filter: JSONObject?) throws(StoreError) -> Int {
        try store.bucket(bucket).count(filter)
    }
}

// The store's transaction already offers exactly these operations, with read-your-writes.
extension TransactionContext: ProcedureStoreAccess {}
