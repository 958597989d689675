internal import NoexWire

extension SequencedChange {
    /// The log-line form: `{"s":seq,"op":…,…}`.
    var json: JSONValue {
        var o: JSONObject = ["s": .number(Double(sequence))]
        switch change {
        case .defineBucket(let name, let definition, let counter):
            o["op"] = "define"
            o["b"] = .string(name)
            o["d"] = .object(definition)
            o["c"] = .number(Double(counter))
        case .redefineBucket(let name, let definition):
            o["op"] = "redefine"
            o["b"] = .string(name)
            o["d"] = .object(definition)
        case .dropBucket(let name):
            o["op"] = "drop"
            o["b"] = .string(name)
        case .put(let bucket, let key, let record, let counter):
            o["op"] = "put"
            o["b"] = .string(bucket)
            o["k"] = key
            o["r"] = .object(record)
            o["c"] = .number(Double(counter))
        case .delete(let bucket, let key):
            o["op"] = "delete"
            o["b"] = .string(bucket)
            o["k"] = key
        case .clear(let bucket):
            o["op"] = "clear"
            o["b"] = .string(bucket)
        }
        return .object(o)
    }

    /// Parses a log line; nil when it is malformed (a torn write).
    init?(json: JSONValue) {
        guard let s = json["s"]?.integerValue, s > 0, let op = json["op"]?.stringValue,
            let bucket = json["b"]?.stringValue
        else { return nil }
        sequence = UInt64(s)
        switch op {
        case "define":
            guard let d = json["d"]?.objectValue else { return nil }
            change = .defineBucket(name: bucket, definition: d, counter: json["c"]?.integerValue ?? 0)
        case "redefine":
            guard let d = json["d"]?.objectValue else { return nil }
            change = .redefineBucket(name: bucket, definition: d)
        case "drop": change = .dropBucket(name: bucket)
        case "put":
            guard let k = json["k"], let r = json["r"]?.objectValue else { return nil }
            change = .put(bucket: bucket, key: k, record: r, counter: json["c"]?.integerValue ?? 0)
        case "delete":
            guard let k = json["k"] else { return nil }
            change = .delete(bucket: bucket, key: k)
        case "clear": change = .clear(bucket: bucket)
        default: return nil
        }
    }
}

extension PersistedState {
    /// The snapshot-file form.
    var json: JSONValue {
        .object([
            "sequence": .number(Double(sequence)),
            "buckets": .array(buckets.map { b in
                .object([
                    "name": .string(b.name), "definition": .object(b.definition),
                    "counter": .number(Double(b.counter)),
                    "records": .array(b.records.map { .array([$0.key, .object($0.record)]) }),
                ])
            }),
        ])
    }

    init?(json: JSONValue) {
        guard let seq = json["sequence"]?.integerValue, case .array(let items)? = json["buckets"] else { return nil }
        var buckets: [PersistedBucket] = []
        for item in items {
            guard let name = item["name"]?.stringValue, let definition = item["definition"]?.objectValue,
                case .array(let records)? = item["records"]
            else { return nil }
            var pairs: [(key: JSONValue, record: JSONObject)] = []
            for pair in records {
                guard case .array(let kr) = pair, kr.count == 2, let record = kr[1].objectValue else { return nil }
                pairs.append((kr[0], record))
            }
            buckets.append(PersistedBucket(
                name: name, definition: definition, counter: item["counter"]?.integerValue ?? 0, records: pairs))
        }
        self.init(buckets: buckets, sequence: UInt64(seq))
    }
}
