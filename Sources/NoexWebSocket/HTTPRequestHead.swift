/// The request line and headers of an HTTP/1.1 request.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method, e.g. `GET`.
    public var method: String
    /// The request target as sent (path and query).
    public var target: String
    /// The protocol version, e.g. `HTTP/1.1`.
    public var version: String
    /// Headers in order, names lowercased, values trimmed.
    public var headers: [(name: String, value: String)]

    /// Creates a request head.
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request target.
    ///   - version: The protocol version.
    ///   - headers: Lowercased names and trimmed values.
    public init(method: String, target: String, version: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The first value of a header.
    /// - Parameter name: The lowercased header name.
    /// - Returns: Its value, or `nil` when absent.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Every value of a header joined with commas (RFC 9110 §5.3).
    /// - Parameter name: The lowercased header name.
    /// - Returns: The combined value, or `nil` when absent.
    public func combinedHeader(_ name: String) -> String? {
        // Usually one occurrence: return it without building an array.
        guard let first = headers.firstIndex(where: { $0.name == name }) else { return nil }
        guard headers[(first + 1)...].contains(where: { $0.name == name }) else { return headers[first].value }
        return headers[first...].filter { $0.name == name }.map(\.value).joined(separator: ",")
    }

    /// The path part of the target (before `?`).
    public var path: String {
        // Searched as UTF-8 bytes: cheaper than a Character search, and `?` is ASCII.
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target }
        return String(target[..<mark])
    }

    /// The query part of the target (after `?`), if any.
    public var query: String? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(target[target.index(after: mark)...])
    }

    public static func == (lhs: HTTPRequestHead, rhs: HTTPRequestHead) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(target)
        hasher.combine(version)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }
}
