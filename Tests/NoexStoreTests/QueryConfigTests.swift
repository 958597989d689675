import NoexStore
import NoexWire
import Testing

@Suite struct QueryConfigTests {
    @Test func tellsDeclarativeProgrammaticAndUnknownQueriesApart() throws {
        let store = try Store()
        try store.defineBucket("items", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        try store.defineQuery("declared", json: ["bucket": "items"])
        try store.defineQuery("coded") { ctx, _ in .array(try ctx.bucket("items").all().map(JSONValue.object)) }
        #expect(store.queryConfig("declared") == .some(["bucket": "items"]))
        #expect(store.queryConfig("coded") == .some(nil))
        #expect(store.queryConfig("missing") == nil)
    }
}
