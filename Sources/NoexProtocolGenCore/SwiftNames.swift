/// Naming rules shared by the validator and the Swift renderer.
public enum SwiftNames {
    /// Words Swift reserves, which must be back-quoted as identifiers.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
        "try", "consume", "copy", "discard", "borrowing", "consuming", "package",
    ]

    /// Whether `name` is a lowerCamelCase ASCII identifier.
    public static func isLowerIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isLowercase, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Whether `name` is an UpperCamelCase ASCII identifier.
    public static func isUpperIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isUppercase, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// `store` → `Store`.
    public static func upperFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// `store.insert` → `storeInsert` (the `Request` case).
    public static func requestCase(_ operation: String) -> String {
        let parts = operation.split(separator: ".")
        guard let first = parts.first else { return operation }
        return String(first) + parts.dropFirst().map { upperFirst(String($0)) }.joined()
    }

    /// `store.insert` → `StoreInsertRequest`.
    public static func payloadType(_ operation: String) -> String { upperFirst(requestCase(operation)) + "Request" }

    /// `store` → `StoreOperations`.
    public static func handlerProtocol(_ namespace: String) -> String { upperFirst(namespace) + "Operations" }

    /// `PARSE_ERROR` → `parseError`; `session_revoked` → `sessionRevoked`.
    public static func camelCase(fromSnake name: String) -> String {
        let parts = name.lowercased().split(separator: "_")
        guard let first = parts.first else { return name }
        return String(first) + parts.dropFirst().map { upperFirst(String($0)) }.joined()
    }

    /// An identifier, back-quoted when it is a keyword.
    public static func identifier(_ name: String) -> String { keywords.contains(name) ? "`\(name)`" : name }

    /// A Swift string literal with escapes.
    public static func stringLiteral(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
