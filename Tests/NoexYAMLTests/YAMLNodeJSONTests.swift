import NoexWire
import NoexYAML
import Testing

@Suite struct YAMLNodeJSONTests {
    private func json(_ text: String) throws -> JSONValue {
        try YAMLParser.parse(text).jsonValue()
    }

    @Test func scalarsFollowTheCoreSchema() throws {
        let value = try json(
            """
            a: 1
            b: 2.5
            c: true
            d: ~
            e: "true"
            f: '12'
            g: hello world
            h:
            i: -3
            j: 1e3
            """)
        #expect(
            value == [
                "a": 1, "b": 2.5, "c": true, "d": nil, "e": "true", "f": "12", "g": "hello world", "h": nil,
                "i": -3, "j": 1000,
            ])
    }

    @Test func nestedMappingsAndSequencesKeepOrder() throws {
        let value = try json("rules:\n  - id: r1\n    tags: [a, b]\n  - id: r2\n")
        #expect(value == ["rules": [["id": "r1", "tags": ["a", "b"]], ["id": "r2"]]])
        #expect(value["rules"]?.arrayValue?.first?.objectValue?.keys == ["id", "tags"])
    }

    @Test func duplicateKeysAndSyntaxErrorsNameTheirLine() {
        #expect(throws: YAMLError(line: 2, message: "duplicate key \"a\"")) { try json("a: 1\na: 2\n") }
        #expect { try json("a: [1, 2\nb: 3\n") } throws: { error in
            (error as? YAMLError)?.message.hasPrefix("YAML syntax error") == true
        }
        #expect(throws: YAMLError.self) { try json("a: &x 1\nb: *x\n") }
        #expect(throws: YAMLError(line: 1, message: "the document is empty")) { try json("") }
    }
}
