import NoexWire
import Synchronization

/// Serialises a query result once for all the subscribers it is pushed to.
///
/// The store hands every subscriber of a query the same result value, one subscriber after
/// the other. The value's array (or member) storage identifies it: the encoder keeps the last
/// value it serialised, so that storage cannot be freed and reused while it is compared, and
/// Swift's copy-on-write means shared storage has not changed since. So the other 499 pushes
/// of a 500-subscriber notification reuse the first one's JSON text instead of serialising
/// the same records again.
final class PushDataEncoder: Sendable {
    private let last = Mutex<(value: JSONValue, bytes: [UInt8])?>(nil)

    /// The JSON text of `value`, reused when `value` shares its storage with the last one.
    func encoded(_ value: JSONValue) -> [UInt8] {
        let cached = last.withLock { entry -> [UInt8]? in
            guard let entry, Self.sharesStorage(entry.value, value) else { return nil }
            return entry.bytes
        }
        if let cached { return cached }
        let bytes = JSONSerializer.serialize(value)
        if Self.hasStorage(value) { last.withLock { $0 = (value, bytes) } }
        return bytes
    }

    /// Whether `value` is a non-empty array or object (scalars are cheap to serialise, and
    /// empty collections share one storage whatever they came from).
    static func hasStorage(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let items): !items.isEmpty
        case .object(let object): !object.isEmpty
        default: false
        }
    }

    /// Whether both values are the same non-empty array or object storage.
    static func sharesStorage(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)):
            !x.isEmpty && sameBuffer(x, y)
        case (.object(let x), .object(let y)):
            !x.isEmpty && sameBuffer(x.members, y.members)
        default:
            false
        }
    }

    private static func sameBuffer<T>(_ x: [T], _ y: [T]) -> Bool {
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in px.baseAddress == py.baseAddress } }
    }
}
