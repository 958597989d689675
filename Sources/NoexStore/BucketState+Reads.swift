public import NoexWire

/// One page of `paginate`: `{records, hasMore, nextCursor}`.
public struct Page: Sendable, Hashable {
    /// The records of the page.
    public var records: [JSONObject]
    /// Whether records follow the page.
    public var hasMore: Bool
    /// The key of the last record of the page; nil when the page is empty.
    public var nextCursor: JSONValue?

    /// The wire form; `nextCursor` is omitted when the page is empty.
    public var json: JSONValue {
        var o: JSONObject = ["records": .array(records.map { .object($0) }), "hasMore": .bool(hasMore)]
        if let nextCursor { o["nextCursor"] = nextCursor }
        return .object(o)
    }
}

/// The aggregate functions of spec A.12.
public enum AggregateFunction: String, Sendable, Hashable, CaseIterable {
    case count, sum, avg, min, max
}

/// The read operations shared by bucket handles, query contexts and transactions.
extension BucketState {
    func records(_ filter: RecordFilter?, now: Double) -> [JSONObject] {
        guard let filter, !filter.isEmpty else { return all(now: now) }
        return matching(filter, now: now)
    }

    func findOne(_ filter: RecordFilter, now: Double) -> JSONObject? {
        if filter.isEmpty { return table.entries.first { !isExpired($0.value, now: now) }?.value }
        return matching(filter, now: now, limit: 1).first
    }

    func count(_ filter: RecordFilter?, now: Double) -> Int {
        guard let filter, !filter.isEmpty else { return count(now: now) }
        return matching(filter, now: now).count
    }

    /// The first `n` records (key-sorted for `ordered_set`).
    func first(_ n: Int, now: Double) -> [JSONObject] {
        if definition.tableKind != .orderedSet {
            var result: [JSONObject] = []
            for (_, record) in table.entries where !isExpired(record, now: now) {
                guard result.count < n else { break }
                result.append(record)
            }
            return result
        }
        return ordered(now: now).prefix(Swift.max(0, n)).map(\.record)
    }

    /// The last `n` records; as in the reference, `last(0)` returns every record.
    func last(_ n: Int, now: Double) -> [JSONObject] {
        if n <= 0 { return ordered(now: now).map(\.record) }
        if definition.tableKind != .orderedSet {
            var result: [JSONObject] = []
            for (_, record) in table.reversedEntries where !isExpired(record, now: now) {
                guard result.count < n else { break }
                result.append(record)
            }
            return result.reversed()
        }
        return ordered(now: now).suffix(n).map(\.record)
    }

    /// A page after the record whose key equals `after` (from the start when `after` is nil;
    /// an unknown key, or an explicit JSON null, gives an empty page).
    func paginate(after: JSONValue?, limit: Int, now: Double) -> Page {
        Self.page(of: ordered(now: now), after: after, limit: limit)
    }

    /// ``paginate(after:limit:now:)`` over records already in bucket order.
    static func page(of list: [(key: JSONValue, record: JSONObject)], after: JSONValue?, limit: Int) -> Page {
        var start = 0
        if let after {
            start = (list.firstIndex { $0.key == after && !after.isNull }).map { $0 + 1 } ?? list.count
        }
        // `limit` comes from the client and may be as large as `Int.max` (the decoder clamps
        // any larger integer to it): the arithmetic saturates instead of trapping.
        let remaining = list.count - start
        let take = Swift.min(remaining, Swift.max(0, limit))
        let slice = take > 0 ? Array(list[start..<(start + take)]) : []
        return Page(records: slice.map(\.record), hasMore: take < remaining, nextCursor: slice.last?.key)
    }

    /// `sum`/`avg`/`min`/`max`/`count` over the numeric values of `field` in the matching
    /// records; nil for min/max when nothing is numeric.
    func aggregate(_ function: AggregateFunction, field: String?, filter: RecordFilter?, now: Double) -> Double? {
        Self.aggregate(function, field: field, records: records(filter, now: now))
    }

    static func aggregate(_ function: AggregateFunction, field: String?, records: [JSONObject]) -> Double? {
        if function == .count { return Double(records.count) }
        var sum = 0.0
        var n = 0
        var lo = Double.infinity
        var hi = -Double.infinity
        for record in records {
            guard let field, case .number(let v)? = record[field] else { continue }
            sum += v
            n += 1
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        switch function {
        case .sum: return sum
        case .avg: return n == 0 ? 0 : sum / Double(n)
        case .min: return n == 0 ? nil : lo
        case .max: return n == 0 ? nil : hi
        case .count: return Double(records.count)
        }
    }
}
