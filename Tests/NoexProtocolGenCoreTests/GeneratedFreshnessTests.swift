import Foundation
import NoexProtocolGenCore
import Testing

/// The committed `Generated/` and `docs/protocol.md` must equal a fresh generation from the
/// repository's protocol.yaml (golden files); the report shows a diff when they do not.
@Suite("Repository protocol.yaml")
struct GeneratedFreshnessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func spec() throws -> ProtocolSpec {
        let text = try String(contentsOf: root.appendingPathComponent("protocol.yaml"), encoding: .utf8)
        return try Generator.spec(fromYAML: text, file: "protocol.yaml")
    }

    @Test("protocol.yaml declares the 84 operations and 16 error codes of the reference")
    func counts() throws {
        let spec = try Self.spec()
        #expect(spec.operations.count == 84)
        #expect(spec.errors.count == 16)
        let perNamespace = Dictionary(grouping: spec.operations, by: \.namespace).mapValues(\.count)
        #expect(perNamespace == ["store": 28, "rules": 17, "auth": 3, "identity": 27, "audit": 1, "procedures": 6, "server": 2])
        #expect(spec.systemEvents.first { $0.name == "events_dropped" }?.since == "1.1.0")
    }

    @Test("Generated/ and docs/protocol.md match a fresh generation in a temporary folder", arguments: Generator.Output.allCases)
    func fresh(_ output: Generator.Output) throws {
        let spec = try Self.spec()
        let directory = Generator.committedDirectory(output)
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("noex-fresh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        try Generator.write(Generator.render(output, spec: spec), to: temp)
        let fresh = try Generator.fileNames(output).map { name in
            GeneratedFile(name: name, contents: try String(contentsOf: temp.appendingPathComponent(name), encoding: .utf8))
        }
        let reports = Generator.staleness(of: fresh, in: Self.root.appendingPathComponent(directory), label: directory)
        #expect(reports.isEmpty, "\(reports.joined(separator: "\n\n"))\n\nRun `swift run noex-protocol-gen update`.")
    }

    @Test("a stale committed file is reported with a readable diff")
    func staleReport() throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("noex-stale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        let old = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try Generator.write([GeneratedFile(name: "A.swift", contents: old)], to: temp)
        let new = old.replacingOccurrences(of: "line 15\n", with: "line fifteen\n")
        let reports = Generator.staleness(
            of: [GeneratedFile(name: "A.swift", contents: new), GeneratedFile(name: "B.swift", contents: "")], in: temp, label: "Generated/X")
        #expect(reports.count == 2)
        let diff = try #require(reports.first)
        #expect(diff.hasPrefix("Generated/X/A.swift is stale:"))
        #expect(diff.contains("\n-line 15\n+line fifteen\n"))
        #expect(diff.contains("\n line 14\n"))
        #expect(!diff.contains("line 3\n"))
        #expect(reports.last == "Generated/X/B.swift is missing")
    }

    @Test("a fresh generation into a temporary folder writes every file, then nothing when unchanged")
    func writesOnlyChanges() throws {
        let spec = try Self.spec()
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("noex-gen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        let files = Generator.render(.sources, spec: spec)
        #expect(try Generator.write(files, to: temp) == ProtocolOutputFilesNames.sources(files))
        #expect(try Generator.write(files, to: temp).isEmpty)
    }
}

enum ProtocolOutputFilesNames {
    static func sources(_ files: [GeneratedFile]) -> [String] { files.map(\.name) }
}
