import NoexWire

/// What a successful request answers with.
enum ResultData {
    /// A value to serialise (`nil` omits the `data` key).
    case value(JSONValue?)
    /// JSON text serialised earlier (a cached record).
    case encoded([UInt8])
}
