import NoexWire

extension MicroBenchmark {
    /// A typical client request.
    static let wireRequest = Array(#"{"id":17,"type":"store.get","bucket":"users","key":"user-4711"}"#.utf8)

    /// A typical stored record with ten fields.
    static let wireRecordText = Array(
        #"{"id":"user-4711","name":"Ada Lovelace","email":"ada@example.com","age":36,"active":true,"#
            .utf8)
        + Array(
            #""score":98.5,"createdAt":1700000000000,"tags":["admin","math"],"address":{"city":"London","zip":"NW1 6XE"},"_version":3}"#
                .utf8)

    /// About 1 KB of mixed JSON: nesting, escapes, non-ASCII text, fractions, exponents.
    static let wireMixedText: [UInt8] = {
        var items: [JSONValue] = []
        for i in 0..<6 {
            items.append([
                "seq": .number(Double(i)),
                "label": .string("item \(i) \"quoted\"\tand\nescaped"),
                "city": "Zürich – 東京 😀",
                "ratio": .number(Double(i) / 7 + 0.125),
                "tiny": .number(1.5e-9 * Double(i + 1)),
                "flags": [true, false, nil],
            ])
        }
        let document: JSONValue = ["kind": "batch", "count": 6, "items": .array(items)]
        return JSONSerializer.serialize(document)
    }()

    static func parsed(_ bytes: [UInt8]) -> JSONValue {
        (try? JSONParser.parse(bytes)) ?? .null
    }

    /// The NoexWire cases.
    static let wire: [MicroBenchmark] = {
        let request = wireRequest
        let recordText = wireRecordText
        let record = parsed(recordText)
        let mixedText = wireMixedText
        let mixed = parsed(mixedText)
        let resultMessage: JSONValue = ["id": 17, "type": "result", "data": record]
        return [
            MicroBenchmark("wire: parse request (\(request.count) B)") {
                blackHole(try? JSONParser.parse(request))
            },
            MicroBenchmark("wire: parse 10-field record (\(recordText.count) B)") {
                blackHole(try? JSONParser.parse(recordText))
            },
            MicroBenchmark("wire: write result message with record (JSONWriter)") {
                var writer = JSONWriter(capacity: 256)
                writer.beginObject()
                writer.member("id", 17)
                writer.member("type", "result")
                writer.member("data", record)
                writer.endObject()
                blackHole(writer.bytes)
            },
            MicroBenchmark("wire: serialize result message with record (tree)") {
                blackHole(JSONSerializer.serialize(resultMessage))
            },
            MicroBenchmark("wire: parse mixed document (\(mixedText.count) B)") {
                blackHole(try? JSONParser.parse(mixedText))
            },
            MicroBenchmark("wire: serialize mixed document (\(mixedText.count) B)") {
                blackHole(JSONSerializer.serialize(mixed))
            },
        ]
    }()
}

