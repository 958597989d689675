/// Field readers used by generated payload decoders: each one reads a member of a request
/// object, checks it against a ``FieldKind`` and throws the standard `VALIDATION_ERROR`.
///
/// JavaScript distinguishes `undefined` (absent) from `null`; so do these readers. Unless a
/// reader says otherwise, `null` counts as absent for optional fields, as in the reference.
extension JSONObject {
    /// What an optional field does with an explicit `null`.
    public enum NullPolicy: Sendable {
        /// `null` is treated as if the key were absent (the protocol's default for optionals).
        case absent
        /// `null` is a value of the wrong kind and is rejected (e.g. the `audit.query` filters).
        case invalid
    }

    /// Reads a required field.
    /// - Parameters:
    ///   - name: the member name.
    ///   - kind: the accepted kind.
    /// - Returns: the typed value.
    /// - Throws: `Missing or invalid "<name>": expected <kind>` when absent, `null` or mistyped.
    @inlinable
    public func requiredField<Value>(_ name: String, _ kind: FieldKind<Value>) throws(ProtocolError) -> Value {
        if let raw = self[name], let value = kind.value(of: raw) { return value }
        throw .validation(ValidationMessage.missingOrInvalid(name, expected: kind.expectation))
    }

    /// Reads an optional field.
    /// - Parameters:
    ///   - name: the member name.
    ///   - kind: the accepted kind.
    ///   - null: what an explicit `null` means.
    /// - Returns: the typed value, or `nil` when absent (or `null` under ``NullPolicy/absent``).
    /// - Throws: `Invalid "<name>": expected <kind>` when present and mistyped.
    @inlinable
    public func optionalField<Value>(
        _ name: String, _ kind: FieldKind<Value>, null: NullPolicy = .absent
    ) throws(ProtocolError) -> Value? {
        guard let raw = self[name] else { return nil }
        if raw.isNull, null == .absent { return nil }
        if let value = kind.value(of: raw) { return value }
        throw .validation(ValidationMessage.invalid(name, expected: kind.expectation))
    }

    /// Reads an optional field that never fails: a mistyped value or `null` reads as absent.
    /// - Parameters:
    ///   - name: the member name.
    ///   - kind: the accepted kind.
    /// - Returns: the typed value, or `nil`.
    @inlinable
    public func lenientField<Value>(_ name: String, _ kind: FieldKind<Value>) -> Value? {
        guard let raw = self[name] else { return nil }
        return kind.value(of: raw)
    }

    /// Reads an optional field where an explicit `null` is meaningful.
    /// - Parameters:
    ///   - name: the member name.
    ///   - kind: the accepted kind.
    ///   - mistypedAsNull: whether a value of the wrong kind reads as `.null` (as
    ///     `identity.updateUser` does) instead of failing.
    /// - Returns: `nil` when absent, `.null` or `.value`.
    /// - Throws: `Invalid "<name>": expected <kind>` when mistyped and `mistypedAsNull` is false.
    @inlinable
    public func nullableField<Value>(
        _ name: String, _ kind: FieldKind<Value>, mistypedAsNull: Bool
    ) throws(ProtocolError) -> Nullable<Value>? {
        guard let raw = self[name] else { return nil }
        if raw.isNull { return .null }
        if let value = kind.value(of: raw) { return .value(value) }
        if mistypedAsNull { return .null }
        throw .validation(ValidationMessage.invalid(name, expected: kind.expectation))
    }

    /// Reads a required field of any kind except `null`.
    /// - Parameter name: the member name.
    /// - Returns: the value.
    /// - Throws: `Missing "<name>": expected non-null value` when absent or `null`.
    @inlinable
    public func requiredNonNullValue(_ name: String) throws(ProtocolError) -> JSONValue {
        if let raw = self[name], !raw.isNull { return raw }
        throw .validation(ValidationMessage.missing(name, expected: "non-null value"))
    }

    /// Reads a required field of any kind, `null` included; only absence fails.
    /// - Parameter name: the member name.
    /// - Returns: the value.
    /// - Throws: `Missing "<name>": expected a value` when absent.
    @inlinable
    public func requiredValue(_ name: String) throws(ProtocolError) -> JSONValue {
        if let raw = self[name] { return raw }
        throw .validation(ValidationMessage.missing(name, expected: "a value"))
    }

    /// Reads an optional field of any kind.
    /// - Parameters:
    ///   - name: the member name.
    ///   - keepNull: whether an explicit `null` is returned as `.null` (distinct from absence)
    ///     or read as absent.
    /// - Returns: the value, or `nil` when absent.
    @inlinable
    public func optionalValue(_ name: String, keepNull: Bool) -> JSONValue? {
        guard let raw = self[name] else { return nil }
        if raw.isNull, !keepNull { return nil }
        return raw
    }

    /// Reads a required array field whose items have their own validation.
    /// - Parameters:
    ///   - name: the member name.
    ///   - element: the element type.
    ///   - expectation: the text after `expected` when the field is not an array.
    /// - Returns: the typed elements.
    /// - Throws: the standard message when not an array, else the element type's messages.
    @inlinable
    public func requiredArray<Element: PayloadArrayElement>(
        _ name: String, of element: Element.Type, expecting expectation: String = "array"
    ) throws(ProtocolError) -> [Element] {
        let items = try requiredField(name, FieldKind<[JSONValue]>.array.expecting(expectation))
        return try Element.decodeArray(items, field: name)
    }

    /// Reads an optional array field whose items have their own validation.
    /// - Parameters:
    ///   - name: the member name.
    ///   - element: the element type.
    ///   - expectation: the text after `expected` when the field is not an array.
    /// - Returns: the typed elements, or `nil` when absent or `null`.
    /// - Throws: the standard message when not an array, else the element type's messages.
    @inlinable
    public func optionalArray<Element: PayloadArrayElement>(
        _ name: String, of element: Element.Type, expecting expectation: String = "array"
    ) throws(ProtocolError) -> [Element]? {
        guard let items = try optionalField(name, FieldKind<[JSONValue]>.array.expecting(expectation)) else {
            return nil
        }
        return try Element.decodeArray(items, field: name)
    }
}
