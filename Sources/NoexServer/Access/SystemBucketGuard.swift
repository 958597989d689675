import NoexAuth
import NoexProtocol
public import NoexWire

/// Keeps clients away from the `_`-prefixed system buckets in built-in identity mode
/// (spec-identity §4.13), whatever their roles: by bucket, by name, inside transactions, and
/// through the bucket a declarative query reads.
public enum SystemBucketGuard {
    /// Throws `FORBIDDEN` when a `store.*` request would touch a system bucket.
    /// - Parameters:
    ///   - type: the request type.
    ///   - message: the whole request message.
    public static func check(type: String, message: JSONObject) throws(ProtocolError) {
        try check(type: type, message: message, isSystem: SystemBuckets.isSystem)
    }

    /// As `check(type:message:)` for the buckets `isSystem` names (without built-in identity,
    /// only the server's own definition buckets are protected).
    static func check(type: String, message: JSONObject, isSystem: (String) -> Bool) throws(ProtocolError) {
        for key in ["bucket", "name"] {
            if case .string(let bucket)? = message[key], isSystem(bucket) {
                throw ProtocolError(.forbidden, "Cannot access system bucket \"\(bucket)\" directly")
            }
        }
        if type == "store.defineQuery", case .object(let config)? = message["config"],
            case .string(let bucket)? = config["bucket"], isSystem(bucket)
        {
            throw ProtocolError(.forbidden, "Cannot access system bucket \"\(bucket)\" directly")
        }
        if type == "store.transaction", case .array(let operations)? = message["operations"] {
            for operation in operations {
                if case .string(let bucket)? = operation["bucket"], isSystem(bucket) {
                    throw ProtocolError(.forbidden, "Cannot access system bucket \"\(bucket)\" in transaction")
                }
            }
        }
    }
}
