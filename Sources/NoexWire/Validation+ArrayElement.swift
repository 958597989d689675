/// An element type of a payload array field that has its own, handwritten validation.
///
/// `protocol.yaml` names such a type in a field's `items:`; the generated decoder first checks
/// the field is an array (with the standard message) and then hands the items to
/// ``decodeArray(_:field:)``, which produces the element-specific messages, e.g.
/// `operations[2]: missing or invalid "bucket"`.
public protocol PayloadArrayElement: Sendable, Hashable {
    /// Validates and converts all items of the array field.
    /// - Parameters:
    ///   - items: the array's items, in order.
    ///   - field: the payload field name, for messages.
    /// - Returns: the typed elements, in order.
    /// - Throws: `ProtocolError` (`VALIDATION_ERROR`) naming the first bad item.
    static func decodeArray(_ items: [JSONValue], field: String) throws(ProtocolError) -> [Self]

    /// The element as JSON, the inverse of decoding (for clients building requests).
    var jsonValue: JSONValue { get }
}
