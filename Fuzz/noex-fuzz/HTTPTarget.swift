// Fuzz target `http`: the HTTP request-head parser and the upgrade validation.
import NoexWebSocket

/// Input: an HTTP request head, offered in two pieces (the first byte chooses where it is cut)
/// as a connection receives it. Checks: the head is bounded by the limits; offering a longer
/// prefix never changes an earlier verdict; a complete head's length is within the bytes;
/// validation of a complete head upgrades only a GET with a 16-byte base64 key.
let httpTarget = FuzzTarget(name: "http", summary: "HTTPRequestParser + WebSocketHandshake.validate") { input in
    guard let first = input.first else { return }
    let bytes = [UInt8](input.dropFirst())
    let cut = bytes.isEmpty ? 0 : Int(first) % (bytes.count + 1)
    var parser = HTTPRequestParser(maxHeaderBytes: 2048, maxHeaderCount: 16)
    let early = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[..<cut])) }
    let outcome = bytes.withUnsafeBytes { parser.parse($0) }
    var fresh = HTTPRequestParser(maxHeaderBytes: 2048, maxHeaderCount: 16)
    let oneShot = bytes.withUnsafeBytes { fresh.parse($0) }
    if early == .needMoreData {
        fuzzCheck(outcome == oneShot, "incremental parse \(outcome) differs from one-shot \(oneShot)")
    }
    guard case .complete(let head, let headLength) = outcome else { return }
    fuzzCheck(headLength <= bytes.count && headLength <= 2048, "head length \(headLength) of \(bytes.count) bytes")
    fuzzCheck(head.headers.count <= 16, "\(head.headers.count) headers accepted")
    _ = head.path
    _ = head.query
    _ = head.combinedHeader("connection")
    switch WebSocketHandshake.validate(head, path: "/") {
    case .upgrade(let key):
        fuzzCheck(head.method == "GET", "upgraded a \(head.method)")
        fuzzCheck(key.utf8.count == 24, "accepted key \(key)")
        let response = WebSocketHandshake.switchingProtocolsResponse(key: key)
        fuzzCheck(response.starts(with: Array("HTTP/1.1 101".utf8)), "bad 101 response")
    case .reject(let status, _):
        fuzzCheck((400...599).contains(status), "rejected with status \(status)")
        _ = WebSocketHandshake.errorResponse(status: status)
    }
}
