/// A parsed `ws://host[:port][/path]` URL.
///
/// `wss://` is refused: the client speaks plain WebSocket, and TLS is expected at a reverse
/// proxy in front of the server (see docs/deployment.md); a client reaching such a proxy from
/// the outside needs a TLS-capable WebSocket client.
struct ServerURL: Hashable, Sendable {
    var host: String
    var port: Int
    var path: String

    init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses the URL.
    /// - Throws: ``NoexClientError`` `INVALID_URL`.
    init(_ text: String) throws(NoexClientError) {
        let scheme = "ws://"
        guard text.lowercased().hasPrefix(scheme) else {
            throw .client(.invalidURL, "Expected a ws:// URL, got \"\(text)\" (terminate TLS at a reverse proxy)")
        }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        var host = Substring(authority)
        var port = 80
        if host.hasPrefix("[") {
            // IPv6 literal: [::1]:8080
            guard let close = host.firstIndex(of: "]") else { throw .client(.invalidURL, "Unterminated IPv6 address in \"\(text)\"") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { throw .client(.invalidURL, "Invalid port in \"\(text)\"") }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { throw .client(.invalidURL, "Invalid port in \"\(text)\"") }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw .client(.invalidURL, "Missing host in \"\(text)\"") }
        guard (1...65_535).contains(port) else { throw .client(.invalidURL, "Port out of range in \"\(text)\"") }
        self.host = String(host)
        self.port = port
        self.path = path
    }
}
