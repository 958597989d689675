import NoexServer
import NoexWire
import Testing

@Suite struct ServerSchemaTests {
    @Test func readsEverySectionInFileOrder() throws {
        let schema = try ServerSchema(
            json: [
                "buckets": ["b": ["key": "id"], "a": ["key": "id"]],
                "queries": ["q": ["bucket": "b"]],
                "procedures": [["name": "p1", "steps": []], ["name": "p2", "steps": []]],
                "rules": ["r1": ["trigger": ["type": "event", "topic": "t"]]],
            ])
        #expect(schema.buckets.map(\.name) == ["b", "a"])
        #expect(schema.queries == [.init(name: "q", config: ["bucket": "b"])])
        #expect(schema.procedures.map(\.name) == ["p1", "p2"])
        // The key of the object form fills in the rule's id (and a procedure's name).
        #expect(schema.rules == [.init(name: "r1", config: ["id": "r1", "trigger": ["type": "event", "topic": "t"]])])
        #expect(try ServerSchema(json: ["procedures": ["p": ["steps": []]]]).procedures.first?.config["name"] == "p")
        #expect(try ServerSchema(json: [:]).isEmpty)
        #expect(try ServerSchema(json: ["buckets": nil]).isEmpty)
    }

    @Test func refusesWhatItCannotUseNamingThePath() {
        let cases: [(JSONValue, String)] = [
            ([1], "(root): must be an object"),
            (["bucket": [:]], "bucket: unknown section (expected buckets, queries, procedures or rules)"),
            (["buckets": []], "buckets: must be an object from name to definition"),
            (["queries": ["q": "x"]], "queries.q: must be an object"),
            (["procedures": [["steps": []]]], "procedures[0]: name must be a string"),
            (["procedures": [1]], "procedures[0]: must be an object"),
            (["rules": "x"], "rules: must be an object from id to definition, or an array"),
            (["rules": [["id": "a"], ["id": "a"]]], "rules[1]: \"a\" is declared twice"),
            (["procedures": ["p": ["name": "other"]]], "procedures.p: name \"other\" differs from the key"),
            (["buckets": ["": [:]]], "buckets.: the name must not be empty"),
            (["buckets": ["_users": [:]]], "_users: names starting with \"_\" are reserved for the system"),
            (["queries": ["_q": ["bucket": "b"]]], "_q: names starting with \"_\" are reserved for the system"),
        ]
        for (json, message) in cases {
            #expect(throws: ServerSchema.FormatError(message: message)) { try ServerSchema(json: json) }
        }
    }
}
