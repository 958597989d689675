import NoexStore
import NoexWire
import Testing

@Suite struct JSONTextTests {
    /// Values with escapes, unicode, nesting and numbers survive a persistence round trip.
    @Test func awkwardValuesRoundTripThroughEveryAdapter() throws {
        let awkward: JSONObject = [
            "id": "k\"\\/\n\t\u{01}é😀",
            "n": -0.000123, "big": 9_007_199_254_740_991, "neg": -42, "exp": 1e300,
            "nested": ["a": [1, "two", nil, true, ["deep": []]], "empty": [:]],
        ]
        for persistence in [PersistenceConfiguration.file(directory: temporaryDirectory("json")),
                            .sqlite(path: temporaryDirectory("json-db") + "/x.db")] {
            do {
                let store = try makeStore(persistence)
                try store.defineBucket("b", json: ["key": "id", "schema": ["id": ["type": "string"]]])
                try store.bucket("b").insert(awkward)
                try store.defineBucket("o", json: ["key": "id", "schema": ["id": ["type": "object"]]])
                try store.bucket("o").insert(["id": ["z": 1, "a": [2]]])
            }
            let store = try makeStore(persistence)
            #expect(try store.bucket("b").get(awkward["id"] ?? .null)?.withoutMetadata == awkward)
            #expect(try store.bucket("o").get(["a": [2], "z": 1]) != nil, "object keys are stored in canonical form")
            try store.close()
        }
    }
}
