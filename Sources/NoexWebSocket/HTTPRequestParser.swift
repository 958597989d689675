/// A bounded HTTP/1.1 request-head parser: it finds the end of the head incrementally and refuses
/// heads larger than `maxHeaderBytes` or with more than `maxHeaderCount` headers, so a client
/// cannot make the server buffer without limit.
public struct HTTPRequestParser: Sendable {
    /// The outcome of offering the bytes received so far.
    public enum Outcome: Sendable, Hashable {
        /// The head is not complete yet.
        case needMoreData
        /// The head is complete; `headLength` bytes (through the blank line) belong to it.
        case complete(HTTPRequestHead, headLength: Int)
        /// The request is malformed or too large; answer with this HTTP status and close.
        case failure(status: Int, reason: String)
    }

    /// The largest head accepted, in bytes, through the blank line.
    public let maxHeaderBytes: Int
    /// The most header lines accepted.
    public let maxHeaderCount: Int
    /// How far the previous calls searched for the blank line.
    private var scanned = 0

    /// Creates a parser.
    /// - Parameters:
    ///   - maxHeaderBytes: The largest accepted head (431 above it).
    ///   - maxHeaderCount: The most accepted header lines (431 above it).
    public init(maxHeaderBytes: Int, maxHeaderCount: Int) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Offers every byte received so far on the connection (the same prefix each time, longer).
    /// - Parameter bytes: All bytes received so far.
    /// - Returns: Whether the head is complete, incomplete or invalid.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let count = bytes.count
        var index = max(0, scanned - 3)
        var end = -1
        while index + 3 < count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                end = index + 4
                break
            }
            index += 1
        }
        scanned = count
        if end < 0 {
            if count > maxHeaderBytes { return .failure(status: 431, reason: "request head too large") }
            return .needMoreData
        }
        if end > maxHeaderBytes { return .failure(status: 431, reason: "request head too large") }
        return Self.parseHead(UnsafeRawBufferPointer(rebasing: bytes[0..<(end - 4)]), headLength: end,
                              maxHeaderCount: maxHeaderCount)
    }

    private static func parseHead(_ head: UnsafeRawBufferPointer, headLength: Int, maxHeaderCount: Int) -> Outcome {
        // Lines end in CRLF; a bare LF or a non-ASCII control byte is malformed.
        var lines: [UnsafeRawBufferPointer] = []
        var start = 0
        var index = 0
        while index < head.count {
            let byte = head[index]
            if byte == 13 {
                guard index + 1 < head.count, head[index + 1] == 10 else {
                    return .failure(status: 400, reason: "bare CR in request head")
                }
                lines.append(UnsafeRawBufferPointer(rebasing: head[start..<index]))
                index += 2
                start = index
                continue
            }
            if byte == 10 || byte == 0 || byte == 127 { return .failure(status: 400, reason: "invalid byte in request head") }
            index += 1
        }
        lines.append(UnsafeRawBufferPointer(rebasing: head[start..<head.count]))
        guard lines.count - 1 <= maxHeaderCount else { return .failure(status: 431, reason: "too many headers") }
        // Request line: exactly three fields separated by single spaces.
        let requestLine = lines[0]
        guard let firstSpace = requestLine.firstIndex(of: 32),
              let secondSpace = requestLine[(firstSpace + 1)...].firstIndex(of: 32),
              !requestLine[(secondSpace + 1)...].contains(32),
              firstSpace > 0, secondSpace > firstSpace + 1
        else {
            return .failure(status: 400, reason: "malformed request line")
        }
        let method = String(decoding: requestLine[..<firstSpace], as: UTF8.self)
        let target = String(decoding: requestLine[(firstSpace + 1)..<secondSpace], as: UTF8.self)
        let version = String(decoding: requestLine[(secondSpace + 1)...], as: UTF8.self)
        guard method.utf8.allSatisfy(isTokenByte) else { return .failure(status: 400, reason: "malformed method") }
        guard version.hasPrefix("HTTP/1.") else { return .failure(status: 505, reason: "unsupported HTTP version") }
        guard target.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return .failure(status: 400, reason: "malformed request target")
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 58), colon > 0 else {
                return .failure(status: 400, reason: "malformed header line")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: line[line.startIndex..<colon])
            guard nameBytes.allSatisfy(isTokenByte) else { return .failure(status: 400, reason: "malformed header name") }
            var valueStart = colon + 1
            var valueEnd = line.endIndex
            while valueStart < valueEnd && (line[valueStart] == 32 || line[valueStart] == 9) { valueStart += 1 }
            while valueEnd > valueStart && (line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9) { valueEnd -= 1 }
            let value = String(decoding: line[valueStart..<valueEnd], as: UTF8.self)
            headers.append((name: lowercasedName(nameBytes), value: value))
        }
        return .complete(HTTPRequestHead(method: method, target: target, version: version, headers: headers),
                         headLength: headLength)
    }

    /// The names a WebSocket upgrade usually carries, lowercased: a match reuses the literal
    /// instead of allocating (several are longer than a small string's 15 bytes).
    private static let commonNames: [String] = [
        "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "origin",
        "sec-websocket-extensions", "sec-websocket-protocol", "user-agent", "accept-encoding",
        "accept-language", "cache-control", "pragma", "cookie", "authorization",
    ]

    /// A header name lowercased (ASCII; the bytes are token characters).
    private static func lowercasedName(_ bytes: UnsafeRawBufferPointer) -> String {
        for name in commonNames where name.utf8.count == bytes.count {
            if name.utf8.elementsEqual(bytes, by: { $0 == ($1 >= 65 && $1 <= 90 ? $1 | 0x20 : $1) }) { return name }
        }
        return String(unsafeUninitializedCapacity: bytes.count) { target in
            for (index, byte) in bytes.enumerated() { target[index] = byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
            return bytes.count
        }
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }
}
