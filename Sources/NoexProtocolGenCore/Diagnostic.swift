/// A problem found in `protocol.yaml`, printed the way compilers print them so the build log
/// (and editors) point at the line: `protocol.yaml:12: error: unknown key "tyep"`.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// How bad the problem is.
    public enum Severity: String, Sendable {
        /// The spec cannot be used; generation fails.
        case error
        /// Suspicious but usable.
        case warning
    }

    /// The file the problem is in, as given to the generator.
    public var file: String
    /// 1-based line, or 0 when the problem concerns the file as a whole.
    public var line: Int
    /// Error or warning.
    public var severity: Severity
    /// What is wrong, in one sentence.
    public var message: String

    /// Creates a diagnostic.
    /// - Parameters:
    ///   - file: the file name as given to the generator.
    ///   - line: the 1-based line (0 for the whole file).
    ///   - severity: error or warning.
    ///   - message: what is wrong.
    public init(file: String, line: Int, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.severity = severity
        self.message = message
    }

    /// `file:line: severity: message`.
    public var description: String {
        line > 0
            ? "\(file):\(line): \(severity.rawValue): \(message)"
            : "\(file): \(severity.rawValue): \(message)"
    }
}

/// One or more diagnostics that stopped the generator.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]

    /// Wraps diagnostics.
    /// - Parameter diagnostics: the problems found.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
