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

/// The snapshot file's line format (version 2): a header line
/// `{"snapshot":2,"sequence":n}`, one line `{"b":name,"d":definition,"c":counter}` per bucket
/// followed by one line `{"b":name,"k":key,"r":record}` per record in table order, and an end
/// line `{"end":lines}` (the number of lines before it), each a checksummed line. One line
/// per record lets a repair keep every record whose line verifies.
enum SnapshotLines {
    static func header(sequence: UInt64) -> JSONValue {
        .object(["snapshot": 2, "sequence": .number(Double(sequence))])
    }

    static func bucket(_ b: PersistedBucket) -> JSONValue {
        .object(["b": .string(b.name), "d": .object(b.definition), "c": .number(Double(b.counter))])
    }

    static func record(bucket: String, key: JSONValue, record: JSONObject) -> JSONValue {
        .object(["b": .string(bucket), "k": key, "r": .object(record)])
    }

    static func end(lines: Int) -> JSONValue { .object(["end": .number(Double(lines))]) }

    /// What a scanned snapshot holds, and what could not be used.
    struct Decoded {
        var state = PersistedState()
        /// Lines that verified but could not be used, and structural problems.
        var problems: [LineScan.Damage] = []
        /// Verified record lines dropped because their bucket's line was damaged.
        var orphanRecords = 0
        /// Records restored.
        var records = 0
    }

    /// Decodes the verified lines of `scan`; damage already found by the scan is not repeated.
    static func decode(_ scan: LineScan, fileLength: Int) -> Decoded {
        var out = Decoded()
        var index: [String: Int] = [:]
        var sawHeader = false
        var endLines: Int?
        for entry in scan.entries {
            let json = entry.json
            if !sawHeader, entry.line == 1, json["snapshot"]?.integerValue == 2, let s = json["sequence"]?.integerValue, s >= 0 {
                sawHeader = true
                out.state.sequence = UInt64(s)
            } else if let lines = json["end"]?.integerValue {
                endLines = lines
            } else if let name = json["b"]?.stringValue, let d = json["d"]?.objectValue {
                if index[name] == nil {
                    index[name] = out.state.buckets.count
                    out.state.buckets.append(PersistedBucket(name: name, definition: d, counter: json["c"]?.integerValue ?? 0, records: []))
                }
            } else if let name = json["b"]?.stringValue, let k = json["k"], let r = json["r"]?.objectValue {
                if let i = index[name] {
                    out.state.buckets[i].records.append((k, r))
                    out.records += 1
                } else {
                    out.orphanRecords += 1
                }
            } else {
                out.problems.append(LineScan.Damage(line: entry.line, offset: entry.offset, reason: "not a snapshot line"))
            }
        }
        if !sawHeader {
            out.problems.append(LineScan.Damage(line: 1, offset: 0, reason: "missing snapshot header"))
        }
        let lineCount = (scan.entries.last?.line ?? 0)
        if endLines == nil || endLines != lineCount - 1 || scan.entries.last?.json["end"] == nil {
            let line = lineCount + 1
            out.problems.append(LineScan.Damage(line: line, offset: fileLength, reason: "snapshot is incomplete (no end line)"))
        }
        return out
    }
}
