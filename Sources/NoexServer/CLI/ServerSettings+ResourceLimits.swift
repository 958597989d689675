import NoexStore
import NoexWire

extension ServerSettings {
    /// Default of `maxResultBytes`: 16 MiB.
    public static let defaultMaxResultBytes = 16 * 1_048_576
    /// Default of `maxTransactionOperations`.
    public static let defaultMaxTransactionOperations = 1_000

    /// Reads the five cost limits: each from its flag, else its top-level config-file key, else
    /// the default. A value that is not a positive integer is an error naming the setting.
    mutating func resolveResourceLimits(options: CommandLineOptions, file: JSONObject, errors: inout [String]) {
        func limit(_ flag: String?, _ key: String, _ current: Int) -> Int {
            guard let (value, raw) = Self.numericSetting(flag: flag, key: key, in: file, render: JSONSerializer.string)
            else { return current }
            guard value.isFinite, value.rounded() == value, value >= 1, let n = Int(exactly: value) else {
                errors.append("Invalid \(key): \(raw) (must be a positive integer)")
                return current
            }
            return n
        }
        maxResultBytes = limit(options.maxResultBytes, "maxResultBytes", maxResultBytes)
        maxTransactionOperations = limit(options.maxTransactionOperations, "maxTransactionOperations", maxTransactionOperations)
        storeLimits.maxBuckets = limit(options.maxBuckets, "maxBuckets", storeLimits.maxBuckets)
        storeLimits.maxRecordsPerBucket = limit(options.maxRecordsPerBucket, "maxRecordsPerBucket", storeLimits.maxRecordsPerBucket)
        storeLimits.maxRecordBytes = limit(options.maxRecordBytes, "maxRecordBytes", storeLimits.maxRecordBytes)
    }
}
