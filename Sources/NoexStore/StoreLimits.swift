public import NoexWire

/// Bounds on what the store holds, so no client can grow it without limit.
///
/// Each bound is checked in one place before anything is written; exceeding it throws
/// `StoreError.invalidArgument` (answered `VALIDATION_ERROR`) naming the limit, and nothing is
/// stored. Data restored from persistence is never refused: a lowered limit only stops growth.
public struct StoreLimits: Sendable, Hashable {
    /// Most buckets the store may hold (system buckets included).
    public var maxBuckets: Int
    /// Most records one bucket may hold. A `maxSize` bucket evicts before it reaches its own
    /// size, so this only matters for buckets without one (or with a larger one).
    public var maxRecordsPerBucket: Int
    /// Largest record, in bytes of its JSON text (metadata fields included).
    public var maxRecordBytes: Int

    /// Creates limits.
    /// - Parameters:
    ///   - maxBuckets: most buckets (default 10 000).
    ///   - maxRecordsPerBucket: most records per bucket (default 10 000 000).
    ///   - maxRecordBytes: largest record's JSON text (default 1 MiB, the default message size).
    public init(maxBuckets: Int = 10_000, maxRecordsPerBucket: Int = 10_000_000, maxRecordBytes: Int = 1_048_576) {
        self.maxBuckets = maxBuckets
        self.maxRecordsPerBucket = maxRecordsPerBucket
        self.maxRecordBytes = maxRecordBytes
    }

    /// Throws unless one more bucket fits next to `count` existing ones.
    func checkBucketCount(_ count: Int, adding name: String) throws(StoreError) {
        guard count < maxBuckets else {
            throw .invalidArgument("Cannot define bucket \"\(name)\": the store already holds the maximum of \(maxBuckets) buckets (maxBuckets)")
        }
    }

    /// Throws unless one more record fits next to `count` existing ones in `bucket`.
    func checkRecordCount(_ count: Int, bucket: String) throws(StoreError) {
        guard count < maxRecordsPerBucket else {
            throw .invalidArgument("Bucket \"\(bucket)\" already holds the maximum of \(maxRecordsPerBucket) records (maxRecordsPerBucket)")
        }
    }

    /// Serialises `record` and throws when its JSON text is larger than `maxRecordBytes`.
    /// - Returns: the JSON text, for the caller to keep as the record's cached encoding.
    @discardableResult
    func checkRecordSize(_ record: JSONObject, bucket: String) throws(StoreError) -> [UInt8] {
        let bytes = JSONSerializer.serialize(.object(record))
        guard bytes.count <= maxRecordBytes else {
            throw .invalidArgument(
                "Record too large for bucket \"\(bucket)\": \(bytes.count) bytes of JSON, the limit is \(maxRecordBytes) (maxRecordBytes)")
        }
        return bytes
    }
}
