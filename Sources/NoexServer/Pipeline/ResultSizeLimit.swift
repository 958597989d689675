import NoexProtocol
import NoexWire

/// Enforces `maxResultBytes`: an answer whose data would be larger is replaced by an error
/// suggesting a smaller read, and the oversized text is never completed.
enum ResultSizeLimit {
    enum Outcome {
        /// The whole result message, written within the limit.
        case rendered([UInt8])
        /// Pre-serialised data within the limit: send it the usual way.
        case sendAsIs
        /// The data is larger than the limit.
        case tooLarge(ProtocolError)
    }

    /// The one place `maxResultBytes` is checked, for every answer of every operation.
    static func render(_ data: ResultData, id: Double, maxBytes: Int) -> Outcome {
        switch data {
        case .value(let value):
            guard let bytes = OutboundMessage.result(id: id, data: value, maxDataBytes: maxBytes) else {
                return .tooLarge(error(maxBytes))
            }
            return .rendered(bytes)
        case .encoded(let json):
            // Already serialised (a cached record): its length is the whole check.
            return json.count > maxBytes ? .tooLarge(error(maxBytes)) : .sendAsIs
        }
    }

    static func error(_ maxBytes: Int) -> ProtocolError {
        ProtocolError(
            .validationError,
            "Result too large: more than \(maxBytes) bytes of JSON (maxResultBytes). Fetch less at once: use store.paginate, a query limit, store.first/last or a narrower filter",
            details: ["maxResultBytes": .number(Double(maxBytes))])
    }
}
