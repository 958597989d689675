import NoexProtocolGenCore
import NoexYAML
import Testing

@Suite("YAMLParser")
struct YAMLParserTests {
    @Test("mappings keep order, lines and scalar styles")
    func mappingLinesAndStyles() throws {
        let root = try YAMLParser.parse("a: 1\nb:\n  c: \"true\"\n  d: [x, y]\n", file: "t.yaml")
        guard case .mapping(let top) = root else {
            Issue.record("expected a mapping")
            return
        }
        #expect(top.entries.map(\.key.value) == ["a", "b"])
        #expect(top.entries.map(\.key.line) == [1, 2])
        guard case .mapping(let inner) = top.entries[1].value, case .scalar(let c) = inner.entries[0].value else {
            Issue.record("expected a nested mapping")
            return
        }
        #expect(c.value == "true")
        #expect(!c.isPlain)
        #expect(c.boolValue == nil)
        #expect(c.line == 3)
        guard case .sequence(let d) = inner.entries[1].value else {
            Issue.record("expected a sequence")
            return
        }
        #expect(d.items.count == 2)
        #expect(d.line == 4)
    }

    @Test("duplicate keys are kept for the validator to report")
    func duplicatesKept() throws {
        guard case .mapping(let top) = try YAMLParser.parse("a: 1\na: 2\n", file: "t.yaml") else {
            Issue.record("expected a mapping")
            return
        }
        #expect(top.entries.count == 2)
    }

    @Test("a syntax error names the file and line")
    func syntaxError() {
        #expect {
            _ = try YAMLParser.parse("a: 1\nb: [1, 2\nc: 3\n", file: "protocol.yaml")
        } throws: { error in
            guard let error = error as? DiagnosticsError, let first = error.diagnostics.first else { return false }
            return first.description.hasPrefix("protocol.yaml:") && first.description.contains(": error: YAML syntax error")
        }
    }

    @Test("aliases and anchors are rejected")
    func aliasesRejected() {
        #expect(throws: DiagnosticsError.self) { _ = try YAMLParser.parse("a: &x 1\nb: *x\n", file: "t.yaml") }
    }

    @Test("an empty document is an error")
    func emptyDocument() {
        #expect(throws: DiagnosticsError.self) { _ = try YAMLParser.parse("", file: "t.yaml") }
    }
}
