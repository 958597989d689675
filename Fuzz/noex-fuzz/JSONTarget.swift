// Fuzz target `json`: the JSON parser and the parse → serialise → parse round trip.
import NoexWire

/// Every input either fails with a `JSONParseError` or parses to a value whose serialisation
/// parses back to the same value and serialises to the same bytes again. Non-finite numbers
/// (the parser gives infinity for `1e400`, as JS does; the serialiser writes `null`) compare
/// as `null`.
let jsonTarget = FuzzTarget(
    name: "json", summary: "JSONParser; parse → serialise → parse gives the same value"
) { bytes in
    guard let value = try? JSONParser.parse(bytes) else { return }
    let text = JSONSerializer.serialize(value)
    let again: JSONValue
    do {
        again = try JSONParser.parse(text)
    } catch {
        fuzzCheck(false, "serialised value does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
        return
    }
    fuzzCheck(finite(value) == again, "round trip changed the value: \(value) → \(again)")
    fuzzCheck(JSONSerializer.serialize(again) == text, "serialisation is not stable: \(String(decoding: text, as: UTF8.self))")
    fuzzCheck(JSONSerializer.string(again) == String(decoding: text, as: UTF8.self), "string(_:) differs from serialize(_:)")
}

/// `value` with every non-finite number replaced by `null`, as the serialiser writes it.
private func finite(_ value: JSONValue) -> JSONValue {
    switch value {
    case .number(let number) where !number.isFinite: return .null
    case .array(let elements): return .array(elements.map(finite))
    case .object(let object):
        return .object(JSONObject(uniqueMembers: object.members.map { .init(key: $0.key, value: finite($0.value)) }))
    default: return value
    }
}
