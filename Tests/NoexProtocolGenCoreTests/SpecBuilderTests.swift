import Foundation
import NoexProtocolGenCore
import Testing

@Suite("SpecBuilder")
struct SpecBuilderTests {
    static let insert = """
          store.insert:
            summary: Insert.
            tier: write
            resource: bucket
            payload:
              bucket: {type: string, nonEmpty: true, description: Bucket.}
              data: {type: object, description: Data.}
            result: {type: Thing}
            errors: [VALIDATION_ERROR, NOT_FOUND]
        """

    @Test("a valid spec becomes a model")
    func validSpec() throws {
        let spec = try SpecFixtures.spec(operations: Self.insert)
        let op = try #require(spec.operations.first)
        #expect(op.name == "store.insert")
        #expect(op.namespace == "store")
        #expect(op.method == "insert")
        #expect(op.tier == .write)
        #expect(op.resourceField == "bucket")
        #expect(op.since == "1.0.0")
        #expect(op.payload.map(\.name) == ["bucket", "data"])
        #expect(op.payload[0].nonEmpty)
        #expect(op.errors == ["VALIDATION_ERROR", "NOT_FOUND"])
        #expect(spec.closeCodes.first?.code == 1000)
    }

    /// Line of `needle` in the full fixture text.
    func line(of needle: String, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    func expectDiagnostic(_ operations: String, at needle: String, containing message: String) {
        let text = SpecFixtures.yaml(operations: operations)
        let diagnostics = SpecFixtures.diagnostics(text)
        let expected = "protocol.yaml:\(line(of: needle, in: text)): error: "
        #expect(
            diagnostics.contains { $0.hasPrefix(expected) && $0.contains(message) },
            "expected \(expected)…\(message) in \(diagnostics)")
    }

    @Test("an unknown key is an error at its line")
    func unknownKey() {
        expectDiagnostic(Self.insert.replacingFirst("tier: write", with: "tier: write\n    tyre: 1"), at: "tyre:", containing: "unknown key \"tyre\"")
    }

    @Test("a duplicate operation is an error at the second declaration")
    func duplicateOperation() {
        let twice = Self.insert + "\n" + Self.insert.replacingFirst("store.insert:", with: "store.insert: # again")
        expectDiagnostic(twice, at: "# again", containing: "duplicate operation \"store.insert\"")
    }

    @Test("an unknown field type is an error")
    func unknownFieldType() {
        expectDiagnostic(Self.insert.replacingFirst("type: object", with: "type: dict"), at: "type: dict", containing: "unknown type \"dict\"")
    }

    @Test("an unknown result type is an error")
    func unknownResultType() {
        expectDiagnostic(Self.insert.replacingFirst("type: Thing", with: "type: \"Thingy[]\""), at: "Thingy[]", containing: "unknown type \"Thingy\"")
    }

    @Test("an undeclared error code is an error")
    func undeclaredErrorCode() {
        expectDiagnostic(Self.insert.replacingFirst("NOT_FOUND]", with: "NOT_FUOND]"), at: "NOT_FUOND", containing: "undeclared error code \"NOT_FUOND\"")
    }

    @Test("an undeclared namespace is an error")
    func undeclaredNamespace() {
        expectDiagnostic(Self.insert.replacingFirst("store.insert:", with: "storage.insert:"), at: "storage.insert", containing: "undeclared namespace \"storage\"")
    }

    @Test("a resource that is not a payload field is an error")
    func resourceNotAField() {
        expectDiagnostic(Self.insert.replacingFirst("resource: bucket", with: "resource: bukket"), at: "resource: bukket", containing: "\"bukket\"")
    }

    @Test("an undeclared validator is an error")
    func undeclaredValidator() {
        let op = Self.insert.replacingFirst("data: {type: object, description: Data.}", with: "data: {type: array, items: Nope, example: [1], description: Data.}")
        expectDiagnostic(op, at: "items: Nope", containing: "undeclared validator \"Nope\"")
    }

    @Test("contradictory field policies are errors")
    func badPolicies() {
        let op = Self.insert.replacingFirst("data: {type: object, description: Data.}", with: "data: {type: object, optional: true, mistyped: \"null\", description: Data.}")
        expectDiagnostic(op, at: "mistyped:", containing: "mistyped: null requires null: value")
    }

    @Test("an operation without a result is an error")
    func missingResult() {
        expectDiagnostic(Self.insert.replacingFirst("    result: {type: Thing}\n", with: ""), at: "store.insert:", containing: "has no result")
    }

    @Test("a payload that can be rejected must list VALIDATION_ERROR")
    func validationErrorListed() {
        expectDiagnostic(Self.insert.replacingFirst("VALIDATION_ERROR, ", with: ""), at: "store.insert:", containing: "VALIDATION_ERROR")
    }

    @Test("a YAML syntax error is reported with its line")
    func syntaxErrorThroughPipeline() {
        let diagnostics = SpecFixtures.diagnostics("protocol:\n  name: [unclosed\n")
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("protocol.yaml:") == true)
        #expect(diagnostics.first?.contains(": error: YAML syntax error") == true)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
