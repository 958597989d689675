public import NoexWire

/// Every error the store throws. `message` is the exact text of the spec, `details` the
/// structured part the server may expose, and `protocolError` the server's mapping.
public enum StoreError: Error, Sendable, Hashable {
    /// `Bucket "<b>" already exists`.
    case bucketAlreadyExists(String)
    /// An unknown bucket, with the message the caller's operation uses
    /// (`Bucket "<b>" is not defined` or `Bucket "<b>" does not exist`).
    case bucketNotDefined(String, message: String)
    /// A record failed schema validation.
    case validation(bucket: String, issues: [ValidationIssue])
    /// A unique index already holds `value` for another record.
    case uniqueConstraint(bucket: String, field: String, value: JSONValue)
    /// An insert whose primary key is already present (F5).
    case alreadyExists(bucket: String, key: JSONValue)
    /// An update of a key that is not present (F1).
    case notFound(bucket: String, key: JSONValue)
    /// A transaction could not commit because the data changed under it.
    case transactionConflict(bucket: String, key: JSONValue, detail: String)
    /// `Query "<q>" is already defined`.
    case queryAlreadyDefined(String)
    /// `Query "<q>" is not defined`.
    case queryNotDefined(String)
    /// A bucket definition, update or declarative query config that cannot be used (F4).
    case invalidDefinition(String)
    /// A caller-supplied argument outside its domain (e.g. a negative count).
    case invalidArgument(String)
    /// A query function threw something that is not a `StoreError`.
    case queryFailed(query: String, message: String)
    /// Reading or writing the persistence adapter failed.
    case persistence(String)
    /// The store has been closed.
    case closed

    /// A `BUCKET_NOT_DEFINED` error with the data-operation message `Bucket "<b>" is not defined`.
    public static func notDefined(_ bucket: String) -> StoreError {
        .bucketNotDefined(bucket, message: "Bucket \"\(bucket)\" is not defined")
    }

    /// A `BUCKET_NOT_DEFINED` error with the admin-operation message `Bucket "<b>" does not exist`.
    public static func doesNotExist(_ bucket: String) -> StoreError {
        .bucketNotDefined(bucket, message: "Bucket \"\(bucket)\" does not exist")
    }

    /// The exact message of the spec.
    public var message: String {
        switch self {
        case .bucketAlreadyExists(let b): return "Bucket \"\(b)\" already exists"
        case .bucketNotDefined(_, let message): return message
        case .validation(let bucket, let issues):
            let list = issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return "Validation failed for bucket \"\(bucket)\": \(list)"
        case .uniqueConstraint(let bucket, let field, let value):
            return "Unique constraint violation in bucket \"\(bucket)\": field \"\(field)\" already has value \"\(value.jsString)\""
        case .alreadyExists(let bucket, let key):
            return "Record with key \"\(key.jsString)\" already exists in bucket \"\(bucket)\""
        case .notFound(let bucket, let key):
            return "Record with key \"\(key.jsString)\" not found in bucket \"\(bucket)\""
        case .transactionConflict(let bucket, let key, let detail):
            return "Transaction conflict in bucket \"\(bucket)\" for key \"\(key.jsString)\": \(detail)"
        case .queryAlreadyDefined(let q): return "Query \"\(q)\" is already defined"
        case .queryNotDefined(let q): return "Query \"\(q)\" is not defined"
        case .invalidDefinition(let m), .invalidArgument(let m), .persistence(let m): return m
        case .queryFailed(_, let m): return m
        case .closed: return "Store is closed"
        }
    }

    /// Structured details: the issue list, `{bucket, field, value}` or `{bucket, key}`.
    public var details: JSONValue? {
        switch self {
        case .validation(_, let issues): return .array(issues.map(\.json))
        case .uniqueConstraint(let bucket, let field, let value):
            return .object(["bucket": .string(bucket), "field": .string(field), "value": value])
        case .alreadyExists(let bucket, let key), .notFound(let bucket, let key),
            .transactionConflict(let bucket, let key, _):
            return .object(["bucket": .string(bucket), "key": key])
        default: return nil
        }
    }

    /// The wire code the server answers with (spec-server §2.1 mapping plus F1, F2, F4, F5).
    public var code: ErrorCode {
        switch self {
        case .bucketAlreadyExists, .uniqueConstraint, .alreadyExists, .queryAlreadyDefined:
            return ErrorCode("ALREADY_EXISTS")
        case .bucketNotDefined: return ErrorCode("BUCKET_NOT_DEFINED")
        case .validation, .invalidDefinition, .invalidArgument: return ErrorCode("VALIDATION_ERROR")
        case .notFound: return ErrorCode("NOT_FOUND")
        case .transactionConflict: return ErrorCode("CONFLICT")
        case .queryNotDefined: return ErrorCode("QUERY_NOT_DEFINED")
        case .queryFailed, .persistence, .closed: return ErrorCode("INTERNAL_ERROR")
        }
    }

    /// The error as the server renders it.
    public var protocolError: ProtocolError { ProtocolError(code, message, details: details) }
}

extension StoreError: CustomStringConvertible {
    /// `CODE: message`, for logs.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension JSONValue {
    /// The value as JavaScript's `String(v)` renders it, used inside messages.
    var jsString: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return JSONText.formatNumber(n)
        case .string(let s): return s
        case .array(let items): return items.map { $0.isNull ? "" : $0.jsString }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }
}
