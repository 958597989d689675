import NoexYAML
public import Foundation

/// The generator pipeline: parse (libyaml, with lines) → validate into a ``ProtocolSpec`` →
/// translate and render Swift sources, conformance tests and the Markdown reference.
public enum Generator {
    /// What to produce.
    public enum Output: String, Sendable, CaseIterable {
        /// The `NoexProtocol` module sources.
        case sources
        /// The conformance tests.
        case tests
        /// The Markdown reference.
        case docs
        /// The typed client methods of the `NoexClient` module.
        case client
    }

    /// Parses and validates a spec.
    /// - Parameters:
    ///   - text: the YAML text.
    ///   - file: the file name used in diagnostics.
    /// - Returns: the validated model.
    /// - Throws: ``DiagnosticsError`` with `file:line: error: ...` diagnostics.
    public static func spec(fromYAML text: String, file: String) throws(DiagnosticsError) -> ProtocolSpec {
        let root = try YAMLParser.parse(text, file: file)
        var spec = try SpecBuilder.build(root, file: file)
        try checkRequiredCodes(&spec, file: file)
        return spec
    }

    /// Generated code refers to a few codes by name; they must be declared.
    static func checkRequiredCodes(_ spec: inout ProtocolSpec, file: String) throws(DiagnosticsError) {
        let declared = Set(spec.errors.map(\.code))
        let missing = ["VALIDATION_ERROR", "UNKNOWN_OPERATION"].filter { !declared.contains($0) }
        if !missing.isEmpty {
            throw DiagnosticsError(
                missing.map { Diagnostic(file: file, line: 0, message: "the generated code needs the error code \"\($0)\"; declare it in \"errors\"") })
        }
    }

    /// Renders one output.
    /// - Parameters:
    ///   - output: which output.
    ///   - spec: the validated spec.
    /// - Returns: its files, named as in ``ProtocolOutputFiles``.
    public static func render(_ output: Output, spec: ProtocolSpec) -> [GeneratedFile] {
        switch output {
        case .sources: SwiftRenderer(spec: spec).render()
        case .tests: ConformanceRenderer(spec: spec).render()
        case .docs: [MarkdownRenderer(spec: spec).render()]
        case .client: ClientRenderer(spec: spec).render()
        }
    }

    /// The file names of one output, fixed in advance (the plugin declares them).
    /// - Parameter output: which output.
    /// - Returns: the names.
    public static func fileNames(_ output: Output) -> [String] {
        switch output {
        case .sources: ProtocolOutputFiles.sources
        case .tests: ProtocolOutputFiles.conformanceTests
        case .docs: [ProtocolOutputFiles.reference]
        case .client: ProtocolOutputFiles.client
        }
    }

    /// Where each output is committed, relative to the package root.
    /// - Parameter output: which output.
    /// - Returns: the directory.
    public static func committedDirectory(_ output: Output) -> String {
        switch output {
        case .sources: "Generated/NoexProtocol"
        case .tests: "Generated/NoexProtocolConformanceTests"
        case .docs: "docs"
        case .client: "Generated/NoexClient"
        }
    }

    /// Writes files into a directory, touching only files whose bytes change (so the build
    /// system does not recompile unchanged output).
    /// - Parameters:
    ///   - files: the files.
    ///   - directory: the target directory, created if needed.
    /// - Returns: the names of the files written.
    @discardableResult
    public static func write(_ files: [GeneratedFile], to directory: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for file in files {
            let url = directory.appendingPathComponent(file.name)
            let data = Data(file.contents.utf8)
            if let existing = try? Data(contentsOf: url), existing == data { continue }
            try data.write(to: url, options: .atomic)
            written.append(file.name)
        }
        return written
    }

    /// Compares freshly generated files with the committed copies.
    /// - Parameters:
    ///   - files: freshly generated files.
    ///   - directory: where the committed copies live.
    ///   - label: the directory as shown in the report.
    /// - Returns: one readable report per stale or missing file (empty when all match).
    public static func staleness(of files: [GeneratedFile], in directory: URL, label: String) -> [String] {
        var reports: [String] = []
        for file in files {
            let url = directory.appendingPathComponent(file.name)
            let path = label + "/" + file.name
            guard let data = try? Data(contentsOf: url) else {
                reports.append("\(path) is missing")
                continue
            }
            let committed = String(decoding: data, as: UTF8.self)
            if committed != file.contents {
                reports.append("\(path) is stale:\n" + TextDiff.unified(old: committed, new: file.contents, oldName: path, newName: "fresh"))
            }
        }
        return reports
    }
}
