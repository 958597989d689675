import NoexServer
import NoexWire
import Testing

@Suite struct OutboundMessageTests {
    /// The pre-serialised form of a result writes the same bytes as the tree form.
    @Test(arguments: [0, 1, 42, 1.5, -7, 9_007_199_254_740_993, 1e21])
    func encodedResultMatchesTheTreeForm(id: Double) {
        let record: JSONValue = ["id": "k1", "n": 3, "s": "quote \" and \u{1}", "_version": 2]
        for data in [record, .null, [1, "two", nil]] {
            let encoded = JSONSerializer.serialize(data)
            #expect(OutboundMessage.result(id: id, encodedData: encoded) == OutboundMessage.result(id: id, data: data))
        }
    }
}
