@testable import NoexServer
import NoexWire
import Testing

@Suite struct PushDataEncoderTests {
    let records: JSONValue = [["id": "a", "n": 1], ["id": "b", "n": 2]]

    @Test func everySubscriberGetsTheSameText() {
        let encoder = PushDataEncoder()
        let expected = JSONSerializer.serialize(records)
        for _ in 0..<3 { #expect(encoder.encoded(records) == expected) }
        #expect(PushDataEncoder.sharesStorage(records, records))
    }

    @Test func equalContentsInOtherStorageAreSerialisedAfresh() {
        let encoder = PushDataEncoder()
        _ = encoder.encoded(records)
        let rebuilt: JSONValue = [["id": "a", "n": 1], ["id": "b", "n": 2]]
        #expect(!PushDataEncoder.sharesStorage(records, rebuilt))
        #expect(encoder.encoded(rebuilt) == JSONSerializer.serialize(records))
    }

    @Test func aChangedCopyNeverReusesTheCachedText() {
        let encoder = PushDataEncoder()
        var items = records.arrayValue ?? []
        _ = encoder.encoded(.array(items))
        items.append(["id": "c"])   // copy-on-write: new storage
        #expect(encoder.encoded(.array(items)) == JSONSerializer.serialize(.array(items)))
        var object: JSONObject = ["k": 1]
        _ = encoder.encoded(.object(object))
        object["k"] = 2
        #expect(encoder.encoded(.object(object)) == Array(#"{"k":2}"#.utf8))
    }

    @Test func scalarsAndEmptyValues() {
        let encoder = PushDataEncoder()
        for value: JSONValue in [.null, 3, "s", [], [:], true] {
            #expect(encoder.encoded(value) == JSONSerializer.serialize(value))
            #expect(!PushDataEncoder.sharesStorage(value, value) || PushDataEncoder.hasStorage(value))
        }
    }

    @Test func pushMessagesMatchTheTreeForm() {
        for data: JSONValue? in [records, nil, 5] {
            #expect(
                OutboundMessage.push(channel: "subscription", subscriptionId: "sub-1", encodedData: data.map { JSONSerializer.serialize($0) })
                    == OutboundMessage.push(channel: "subscription", subscriptionId: "sub-1", data: data))
        }
    }
}
