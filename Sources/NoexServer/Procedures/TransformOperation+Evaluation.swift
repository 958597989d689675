import NoexWire

extension TransformOperation {
    /// Reshapes the result named `sourceName` (spec-identity §6.4).
    ///
    /// - `pluck`: `args` is a field name; each item's field, null for non-objects.
    /// - `pick`: `args` lists field names; copies the ones the object has.
    /// - `filter`: `args` (resolved) is `{field: value}`; keeps object items whose fields all
    ///   strictly equal.
    /// - `map`: `args` (resolved) is merged into every object item; other items are unchanged.
    ///
    /// `args` follows JavaScript's coercions where the reference relies on them: a non-string
    /// field name becomes its `String(v)`, a string of names for `pick` is read character by
    /// character, and non-object `args` for `filter`/`map` contribute their indexed entries.
    /// - Parameters:
    ///   - source: the result's value (`nil` when no step stored it).
    ///   - sourceName: the result's name, for the error message.
    ///   - args: the step's `args`, already resolved for `filter` and `map`.
    /// - Throws: ``ProcedureError/stepFailed(_:)`` for a source of the wrong kind and for
    ///   `args` JavaScript cannot iterate or convert.
    func evaluate(_ source: JSONValue?, sourceName: String, args: JSONValue?) throws(ProcedureError) -> JSONValue {
        switch self {
        case .pluck:
            let items = try array(source, sourceName)
            let field = JSSemantics.string(args ?? .string("undefined"))
            return .array(items.map { JSSemantics.member(of: $0, named: field) ?? .null })
        case .pick:
            guard case .object(let object)? = source else {
                throw .stepFailed("transform.pick: source \"\(sourceName)\" is not an object")
            }
            var picked = JSONObject()
            for field in try fieldNames(args) {
                if let value = object[field] { picked[field] = value }
            }
            return .object(picked)
        case .filter:
            let items = try array(source, sourceName)
            let wanted = try entries(args)
            return .array(
                items.filter { item in
                    guard isObjectLike(item) else { return false }
                    return wanted.allSatisfy { JSSemantics.strictEquals(JSSemantics.member(of: item, named: $0.key), $0.value) }
                })
        case .map:
            let items = try array(source, sourceName)
            let additions = (try? entries(args)) ?? []  // spreading null or undefined adds nothing
            return .array(
                items.map { item in
                    guard isObjectLike(item) else { return item }
                    var merged = JSONObject(entries(ofObjectLike: item))
                    for (key, value) in additions { merged[key] = value }
                    return .object(merged)
                })
        }
    }

    private func array(_ source: JSONValue?, _ name: String) throws(ProcedureError) -> [JSONValue] {
        guard case .array(let items)? = source else {
            throw .stepFailed("transform.\(rawValue): source \"\(name)\" is not an array")
        }
        return items
    }

    /// `for (const field of args)`.
    private func fieldNames(_ args: JSONValue?) throws(ProcedureError) -> [String] {
        switch args {
        case .array(let items)?: return items.map { JSSemantics.string($0) }
        case .string(let text)?: return text.map(String.init)
        default: throw .stepFailed("transform.pick: args is not iterable")
        }
    }

    /// `Object.entries(args)`.
    private func entries(_ args: JSONValue?) throws(ProcedureError) -> [(key: String, value: JSONValue)] {
        switch args {
        case nil, .null?: throw .stepFailed("Cannot convert undefined or null to object")
        case .string(let text)?: return text.enumerated().map { (String($0.offset), .string(String($0.element))) }
        case let value?: return entries(ofObjectLike: value)
        }
    }

    /// The enumerable entries of an object, or the indexed items of an array.
    private func entries(ofObjectLike value: JSONValue) -> [(key: String, value: JSONValue)] {
        switch value {
        case .object(let object): object.map { ($0.key, $0.value) }
        case .array(let items): items.enumerated().map { (String($0.offset), $0.element) }
        default: []
        }
    }

    /// `typeof item === 'object' && item !== null`.
    private func isObjectLike(_ value: JSONValue) -> Bool {
        switch value {
        case .object, .array: true
        default: false
        }
    }
}
