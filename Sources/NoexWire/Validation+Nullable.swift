/// A field value that may be an explicit `null`, for fields where `null` means something.
///
/// A payload field of type `Nullable<T>?` has three states: `nil` (the key is absent),
/// `.null` (present as `null`, or, where the protocol says so, present with a value of the
/// wrong kind) and `.value(t)`. `identity.updateUser` uses it: an absent `email` leaves the
/// email alone, a `null` one clears it.
public enum Nullable<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    /// Present as `null`.
    case null
    /// Present with a value.
    case value(Wrapped)

    /// The wrapped value, or `nil` for `.null`.
    @inlinable public var value: Wrapped? {
        if case .value(let v) = self { return v }
        return nil
    }
}
