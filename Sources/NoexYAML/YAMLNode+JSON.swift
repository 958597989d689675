public import NoexWire

extension YAMLNode {
    /// The node as a JSON value, with the YAML 1.2 core schema for plain scalars: `null`, `~`
    /// and empty are null; `true`/`false` are booleans; decimal integers and floats are numbers;
    /// everything else, and every quoted scalar, is a string.
    /// - Throws: ``YAMLError`` for a key that appears twice in one mapping.
    public func jsonValue() throws(YAMLError) -> JSONValue {
        switch self {
        case .scalar(let scalar):
            if scalar.isNull { return .null }
            if let bool = scalar.boolValue { return .bool(bool) }
            if let number = scalar.numberValue, number.isFinite { return .number(number) }
            return .string(scalar.value)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.items.count)
            for item in sequence.items { items.append(try item.jsonValue()) }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject(minimumCapacity: mapping.entries.count)
            for entry in mapping.entries {
                guard object[entry.key.value] == nil else {
                    throw YAMLError(line: entry.key.line, message: "duplicate key \"\(entry.key.value)\"")
                }
                object.appendUnchecked(key: entry.key.value, value: try entry.value.jsonValue())
            }
            return .object(object)
        }
    }
}
