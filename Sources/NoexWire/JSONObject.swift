/// A JSON object that keeps its members in insertion order.
///
/// Wire objects are small (a request has a handful of members, a record a few dozen), so
/// members live in one contiguous array and lookups scan it: cheaper than hashing for the
/// sizes that occur, and it preserves the order peers produced. Setting an existing key
/// replaces its value in place. Equality ignores member order, as JSON object equality does.
public struct JSONObject: Sendable {
    /// One member of an object.
    public struct Member: Sendable, Hashable {
        /// The member's key.
        public var key: String
        /// The member's value.
        public var value: JSONValue

        /// Creates a member.
        @inlinable public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in insertion order. Keys are unique.
    @inlinable public var members: [Member] { storage }

    @usableFromInline internal var storage: [Member]

    /// Creates an empty object.
    @inlinable public init() { storage = [] }

    /// Creates an empty object with room for `capacity` members.
    @inlinable public init(minimumCapacity capacity: Int) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// Creates an object from key-value pairs; a later duplicate key replaces the earlier value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        storage = []
        for (key, value) in pairs { self[key] = value }
    }

    /// Creates an object from members the caller guarantees to have unique keys.
    ///
    /// Used by the parser after it has checked for duplicates itself.
    @inlinable public init(uniqueMembers: [Member]) { storage = uniqueMembers }

    /// The number of members.
    @inlinable public var count: Int { members.count }

    /// Whether the object has no members.
    @inlinable public var isEmpty: Bool { members.isEmpty }

    /// The keys in insertion order.
    @inlinable public var keys: [String] { members.map(\.key) }

    /// The position of `key` among the members, or `nil`.
    @inlinable public func index(forKey key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    /// Reads, replaces, appends, or (assigning `nil`) removes the member named `key`.
    @inlinable public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let i = index(forKey: key) {
                if let newValue { storage[i].value = newValue } else { storage.remove(at: i) }
            } else if let newValue {
                storage.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Removes the member named `key` and returns its value, if it was present.
    @discardableResult
    @inlinable public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(forKey: key) else { return nil }
        return storage.remove(at: i).value
    }

    /// Appends a member without checking for an existing key; the caller guarantees uniqueness.
    @inlinable public mutating func appendUnchecked(key: String, value: JSONValue) {
        storage.append(Member(key: key, value: value))
    }
}

extension JSONObject: Sequence {
    /// Iterates `(key, value)` pairs in insertion order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> {
        members.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }
}

extension JSONObject: Hashable {
    /// Order-insensitive equality: the same keys with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    /// Order-insensitive hash, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var h = Hasher()
            h.combine(member.key)
            h.combine(member.value)
            combined ^= h.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object from a literal; a later duplicate key replaces the earlier value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
