public import NoexYAML

extension YAMLParser {
    /// Parses `protocol.yaml`, reporting problems as diagnostics that name the file.
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the file name used in diagnostics.
    /// - Throws: ``DiagnosticsError`` with one diagnostic at the offending line.
    public static func parse(_ text: String, file: String) throws(DiagnosticsError) -> YAMLNode {
        do {
            return try parse(text)
        } catch {
            throw DiagnosticsError([Diagnostic(file: file, line: error.line, message: error.message)])
        }
    }
}
