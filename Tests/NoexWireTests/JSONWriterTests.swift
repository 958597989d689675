import NoexWire
import Testing

@Suite struct JSONWriterTests {
    static let record: JSONValue = [
        "name": "Ada", "age": 36, "tags": ["math", "engines"], "score": 0.5, "active": true, "note": nil,
    ]

    @Test func writesAResultMessageLikeTheSerializer() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("id", 1)
        writer.member("type", "result")
        writer.key("data")
        writer.value(Self.record)
        writer.endObject()
        let expected: JSONValue = ["id": 1, "type": "result", "data": Self.record]
        #expect(writer.bytes == JSONSerializer.serialize(expected))
    }

    @Test func insertsCommasInNestedContainers() {
        var writer = JSONWriter(capacity: 16)
        writer.beginArray()
        writer.number(1)
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.endArray()
        writer.key("b")
        writer.beginObject()
        writer.endObject()
        writer.key("c\"")
        writer.null()
        writer.endObject()
        writer.bool(false)
        writer.string("s\n")
        writer.number(-0.0)
        writer.number(Double.nan)
        writer.number(1.5e-7)
        writer.raw(Array(#"{"pre":1}"#.utf8))
        writer.endArray()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"[1,{"a":[],"b":{},"c\"":null},false,"s\n",0,null,1.5e-7,{"pre":1}]"#)
    }

    @Test func appendsToExistingBytesAndRoundsHugeIntegersLikeJavaScript() {
        var writer = JSONWriter(bytes: Array("x".utf8))
        writer.beginObject()
        writer.member("small", Int.min + 1)
        writer.member("max", 9_007_199_254_740_993)
        writer.member("exact", 9_007_199_254_740_992)
        writer.member("neg", -42)
        writer.endObject()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"x{"small":-9223372036854776000,"max":9007199254740992,"exact":9007199254740992,"neg":-42}"#)
    }

    @Test func resetStartsAFreshDocument() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("a", 1)
        writer.endObject()
        writer.reset()
        writer.beginArray()
        writer.string("b")
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["b"]"#)
        writer.reset()
        writer.number(2.5)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "2.5")
    }

    @Test func writerOutputParsesBack() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("id", 17)
        writer.member("data", Self.record)
        writer.endObject()
        let parsed = try JSONParser.parse(writer.bytes)
        #expect(parsed == ["id": 17, "data": Self.record])
    }
}
