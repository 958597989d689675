internal import CCrypto

/// The opening handshake of RFC 6455 §4: validating an upgrade request, computing
/// `Sec-WebSocket-Accept`, and writing the responses.
public enum WebSocketHandshake {
    /// The GUID appended to the client's key before hashing (RFC 6455 §1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The result of checking an upgrade request.
    public enum Validation: Sendable, Hashable {
        /// A valid WebSocket upgrade carrying this `Sec-WebSocket-Key`.
        case upgrade(key: String)
        /// Not acceptable: answer with this status (and the extra headers) and close.
        case reject(status: Int, reason: String)
    }

    /// `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)).
    /// - Parameter key: The client's `Sec-WebSocket-Key`.
    /// - Returns: The accept value.
    public static func acceptValue(forKey key: String) -> String {
        let input = Array((key + guid).utf8)
        var digest = [UInt8](repeating: 0, count: 20)
        input.withUnsafeBufferPointer { source in
            digest.withUnsafeMutableBufferPointer { target in
                _ = SHA1(source.baseAddress, source.count, target.baseAddress)
            }
        }
        return Base64.encode(digest)
    }

    /// Checks that a request head is a WebSocket upgrade for `path` (query ignored).
    /// - Parameters:
    ///   - head: The parsed request head.
    ///   - path: The path the server serves.
    /// - Returns: The client key, or the HTTP status to answer.
    public static func validate(_ head: HTTPRequestHead, path: String) -> Validation {
        guard head.method == "GET" else { return .reject(status: 405, reason: "method not allowed") }
        guard head.version == "HTTP/1.1" else { return .reject(status: 400, reason: "HTTP/1.1 required") }
        guard head.header("host") != nil else { return .reject(status: 400, reason: "missing Host") }
        guard head.path == path else { return .reject(status: 404, reason: "not found") }
        guard let upgrade = head.combinedHeader("upgrade"), containsToken(upgrade, "websocket"),
              let connection = head.combinedHeader("connection"), containsToken(connection, "upgrade")
        else { return .reject(status: 426, reason: "upgrade required") }
        guard head.header("sec-websocket-version") == "13" else {
            return .reject(status: 426, reason: "unsupported WebSocket version")
        }
        guard let key = head.header("sec-websocket-key"), Base64.decodedCount(key) == 16 else {
            return .reject(status: 400, reason: "invalid Sec-WebSocket-Key")
        }
        return .upgrade(key: key)
    }

    /// Whether a comma-separated header value lists `token` (case-insensitive).
    /// `token` must be lowercase ASCII. Compares bytes, so nothing is allocated per element.
    static func containsToken(_ value: String, _ token: String) -> Bool {
        var value = value
        var token = token
        return value.withUTF8 { bytes in
            token.withUTF8 { token in
                var start = 0
                while start <= bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != 44 { end += 1 }   // ","
                    var low = start
                    var high = end
                    while low < high && (bytes[low] == 32 || bytes[low] == 9) { low += 1 }
                    while high > low && (bytes[high - 1] == 32 || bytes[high - 1] == 9) { high -= 1 }
                    if high - low == token.count {
                        var equal = true
                        for offset in 0..<token.count {
                            let byte = bytes[low + offset]
                            if (byte >= 65 && byte <= 90 ? byte | 0x20 : byte) != token[offset] {
                                equal = false
                                break
                            }
                        }
                        if equal { return true }
                    }
                    start = end + 1
                }
                return false
            }
        }
    }

    /// The `101 Switching Protocols` response for a key.
    /// - Parameter key: The client's `Sec-WebSocket-Key`.
    /// - Returns: The response bytes.
    public static func switchingProtocolsResponse(key: String) -> [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(forKey: key))\r\n\r\n").utf8)
    }

    /// Appends the `101 Switching Protocols` response for `key` to `outbound`, hashing and
    /// encoding on the stack (the same bytes as ``switchingProtocolsResponse(key:)``).
    static func appendSwitchingProtocolsResponse(key: String, to outbound: OutboundBuffer) {
        let prefix: StaticString =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
        var key = key
        key.withUTF8 { key in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.count + 36 + 20) { scratch in
                // SHA-1 input (key + GUID), then the 20-byte digest behind it.
                let input = UnsafeMutableBufferPointer(rebasing: scratch[0..<(key.count + 36)])
                UnsafeMutableRawBufferPointer(input).copyBytes(from: UnsafeRawBufferPointer(key))
                guidBytes.withUTF8Buffer { guid in
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(input)[key.count...])
                        .copyBytes(from: UnsafeRawBufferPointer(guid))
                }
                let digest = scratch.baseAddress! + key.count + 36
                _ = SHA1(input.baseAddress, input.count, digest)
                outbound.append(maximum: prefix.utf8CodeUnitCount + 28 + 4) { target in
                    target.copyMemory(from: prefix.utf8Start, byteCount: prefix.utf8CodeUnitCount)
                    let start = prefix.utf8CodeUnitCount
                    let at = start + Base64.encode(UnsafeBufferPointer(start: digest, count: 20), to: target + start)
                    for offset in 0..<4 {
                        target.storeBytes(of: offset & 1 == 0 ? 13 : 10, toByteOffset: at + offset, as: UInt8.self)
                    }
                    return at + 4
                }
            }
        }
    }

    /// ``guid`` as a static string, for hashing without building a `String`.
    private static let guidBytes: StaticString = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// An error response that ends the connection.
    /// - Parameter status: The HTTP status (400, 403, 404, 405, 426, 431, 505, ...).
    /// - Returns: The response bytes.
    public static func errorResponse(status: Int) -> [UInt8] {
        var extra = ""
        if status == 426 { extra = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" }
        if status == 405 { extra = "Allow: GET\r\n" }
        return Array(("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n\(extra)Connection: close\r\nContent-Length: 0\r\n\r\n").utf8)
    }

    /// The standard reason phrase of a status.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Error"
        }
    }

    /// A client's upgrade request.
    /// - Parameters:
    ///   - host: The `Host` header value.
    ///   - path: The request target.
    ///   - key: The `Sec-WebSocket-Key` (base64 of 16 random bytes).
    ///   - origin: An `Origin` header, if any.
    ///   - headers: Extra headers.
    /// - Returns: The request bytes.
    public static func clientRequest(
        host: String, path: String, key: String, origin: String?, headers: [(String, String)]
    ) -> [UInt8] {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if let origin { text += "Origin: \(origin)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A fresh random client key.
    public static func makeClientKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
