import NoexWire

extension AggregateOperation {
    /// Computes the aggregate over the result named `sourceName` (spec-identity §6.4).
    ///
    /// `count` is the length; `sum` counts a non-numeric `item[field]` as 0; `avg` is the sum
    /// over the full length (0 for an empty array); `min`/`max` look at numeric values only and
    /// give 0 when there are none.
    /// - Parameters:
    ///   - source: the result's value (`nil` when no step stored it).
    ///   - sourceName: the result's name, for the error message.
    ///   - field: the item field (ignored by `count`).
    /// - Throws: ``ProcedureError/stepFailed(_:)`` when the source is not an array.
    func evaluate(_ source: JSONValue?, sourceName: String, field: String?) throws(ProcedureError) -> Double {
        guard case .array(let items)? = source else {
            throw .stepFailed("aggregate: source \"\(sourceName)\" is not an array")
        }
        let numbers = items.map { item -> Double? in
            guard let field, case .number(let value)? = JSSemantics.member(of: item, named: field) else { return nil }
            return value
        }
        switch self {
        case .count: return Double(items.count)
        case .sum: return numbers.reduce(0) { $0 + ($1 ?? 0) }
        case .avg: return items.isEmpty ? 0 : numbers.reduce(0) { $0 + ($1 ?? 0) } / Double(items.count)
        case .min: return numbers.compactMap { $0 }.min() ?? 0
        case .max: return numbers.compactMap { $0 }.max() ?? 0
        }
    }
}
