/// A small text builder for generated Swift: lines, indentation and doc comments.
struct SwiftWriter {
    private(set) var text = ""
    private var indentation = 0

    /// Appends one line at the current indentation (empty lines stay empty).
    mutating func line(_ s: String = "") {
        if s.isEmpty { text += "\n" } else { text += String(repeating: "    ", count: indentation) + s + "\n" }
    }

    /// Appends lines inside `{ ... }` with one more level of indentation.
    mutating func block(_ opening: String, closing: String = "}", _ body: (inout SwiftWriter) -> Void) {
        line(opening + " {")
        indentation += 1
        body(&self)
        indentation -= 1
        line(closing)
    }

    /// Appends `switch <subject> { ... }` with the cases at the switch's own indentation, as
    /// swift-format lays them out.
    mutating func switchBlock(_ subject: String, _ body: (inout SwiftWriter) -> Void) {
        line("switch \(subject) {")
        body(&self)
        line("}")
    }

    /// Indents the lines `body` appends.
    mutating func indented(_ body: (inout SwiftWriter) -> Void) {
        indentation += 1
        body(&self)
        indentation -= 1
    }

    /// Appends a `// protocol.yaml:LINE` back-reference when `line` is given, then a `///` doc
    /// comment wrapping paragraphs at about 100 columns (the doc comment stays adjacent to the
    /// declaration that follows).
    mutating func doc(_ paragraphs: [String], line sourceLine: Int? = nil) {
        if let sourceLine { self.line("// protocol.yaml:\(sourceLine)") }
        let width = max(40, 100 - indentation * 4 - 4)
        var first = true
        for paragraph in paragraphs where !paragraph.isEmpty {
            if !first { line("///") }
            first = false
            for wrapped in Self.wrap(paragraph, width: width) { line("/// " + wrapped) }
        }
    }

    /// Greedy word wrap that keeps each source line's leading spaces (list items such as
    /// `  - name: ...` keep their indentation, and their continuations align under the text).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = String(rawLine.prefix { $0 == " " })
            let continuation = indent + (rawLine.dropFirst(indent.count).hasPrefix("- ") ? "  " : "")
            var current = ""
            for word in rawLine.split(separator: " ") {
                if current.isEmpty {
                    current = indent + word
                } else if current.count + 1 + word.count > width {
                    lines.append(current)
                    current = continuation + word
                } else {
                    current += " " + word
                }
            }
            if !current.isEmpty { lines.append(current) }
        }
        return lines
    }
}
