import NoexServer
import NoexWire
import Testing

/// `OutboundMessage.result(id:data:maxDataBytes:)`, which enforces `maxResultBytes`: the same
/// bytes as the unbounded form at the bound, nothing one byte past it.
@Suite struct ResultSizeBoundTests {
    static let record: JSONValue = ["id": "k1", "text": "quote \" and \u{1}", "_version": 2]
    static let shapes: [JSONValue] = [
        .null, 7, "text", record,
        .array(Array(repeating: record, count: 50)),
        ["records": .array(Array(repeating: record, count: 20)), "hasMore": true, "nextCursor": "k1"],
        ["results": .array((0..<5).map { ["index": .number(Double($0)), "data": .array(Array(repeating: record, count: 4))] })],
        [[[[[[1, 2, [3]]]]]]],
        [:], [],
    ]

    @Test(arguments: shapes)
    func theBoundIsTheDataSize(data: JSONValue) {
        let size = JSONSerializer.serialize(data).count
        let whole = OutboundMessage.result(id: 9, data: data)
        #expect(OutboundMessage.result(id: 9, data: data, maxDataBytes: size) == whole)
        #expect(OutboundMessage.result(id: 9, data: data, maxDataBytes: Int.max) == whole)
        #expect(OutboundMessage.result(id: 9, data: data, maxDataBytes: size - 1) == nil)
    }

    @Test func anOmittedDataKeyAlwaysFits() {
        #expect(OutboundMessage.result(id: 1, data: nil, maxDataBytes: 0) == OutboundMessage.result(id: 1, data: nil))
    }
}
