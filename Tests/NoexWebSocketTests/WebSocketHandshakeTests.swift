import Foundation
import NoexWebSocket
import Testing

func parseRequest(_ text: String, maxBytes: Int = 8192, maxCount: Int = 64) -> HTTPRequestParser.Outcome {
    var parser = HTTPRequestParser(maxHeaderBytes: maxBytes, maxHeaderCount: maxCount)
    return Array(text.utf8).withUnsafeBytes { parser.parse($0) }
}

let upgradeRequest = """
    GET /chat?token=abc HTTP/1.1\r
    Host: server.example.com\r
    Upgrade: websocket\r
    Connection: keep-alive, Upgrade\r
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
    Origin: http://example.com\r
    Sec-WebSocket-Version: 13\r
    \r\n
    """

@Suite("Opening handshake")
struct WebSocketHandshakeTests {
    @Test func rfcSampleAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func fixtureRequestParsesAndValidates() throws {
        guard case let .complete(head, length) = parseRequest(upgradeRequest + "\u{81}") else {
            Issue.record("not parsed")
            return
        }
        #expect(length == upgradeRequest.utf8.count)
        #expect(head.method == "GET" && head.path == "/chat" && head.query == "token=abc")
        #expect(head.header("origin") == "http://example.com")
        #expect(head.headers.count == 6 && head.headers.allSatisfy { $0.name == $0.name.lowercased() })
        #expect(WebSocketHandshake.validate(head, path: "/chat") == .upgrade(key: "dGhlIHNhbXBsZSBub25jZQ=="))
        let response = String(decoding: WebSocketHandshake.switchingProtocolsResponse(key: "dGhlIHNhbXBsZSBub25jZQ=="), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(response.hasSuffix("\r\n\r\n"))
    }

    @Test func incrementalParsing() {
        var parser = HTTPRequestParser(maxHeaderBytes: 8192, maxHeaderCount: 64)
        let bytes = Array(upgradeRequest.utf8)
        for end in 0..<bytes.count {
            let outcome = bytes[0..<end].withUnsafeBytes { parser.parse($0) }
            #expect(outcome == .needMoreData, "at \(end)")
        }
        guard case .complete = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("not complete")
            return
        }
    }

    @Test func oversizedHeadIsRefused() {
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "a", count: 9000)
        #expect(parseRequest(big) == .failure(status: 431, reason: "request head too large"))
        #expect(parseRequest(big + "\r\n\r\n") == .failure(status: 431, reason: "request head too large"))
    }

    @Test func tooManyHeadersAreRefused() {
        let lines = (0..<70).map { "X-H\($0): v\r\n" }.joined()
        #expect(parseRequest("GET / HTTP/1.1\r\n\(lines)\r\n") == .failure(status: 431, reason: "too many headers"))
    }

    @Test func malformedRequestsAre400() {
        for text in ["GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
                     "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n"] {
            guard case .failure(400, _) = parseRequest(text) else {
                Issue.record("accepted: \(text.debugDescription)")
                continue
            }
        }
    }

    func validate(_ text: String, path: String = "/chat") -> WebSocketHandshake.Validation? {
        guard case let .complete(head, _) = parseRequest(text) else { return nil }
        return WebSocketHandshake.validate(head, path: path)
    }

    @Test func rejections() {
        func status(_ validation: WebSocketHandshake.Validation?) -> Int? {
            if case let .reject(status, _) = validation { return status }
            return nil
        }
        #expect(status(validate(upgradeRequest, path: "/other")) == 404)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "GET", with: "POST"))) == 405)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "Upgrade: websocket\r\n", with: ""))) == 426)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "keep-alive, Upgrade", with: "keep-alive"))) == 426)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "Version: 13", with: "Version: 8"))) == 426)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "dGhlIHNhbXBsZSBub25jZQ==", with: "short=="))) == 400)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "Host: server.example.com\r\n", with: ""))) == 400)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0"))) == 400)
        // A valid base64 key that is not 16 bytes, and one with a bad character.
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "dGhlIHNhbXBsZSBub25jZQ==", with: "dGhlIHNhbXBsZSBub25jZQ=A"))) == 400)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "dGhlIHNhbXBsZSBub25jZQ==", with: "dGhlIHNhbXBsZSBub25jZX=="))) == nil)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "dGhlIHNhbXBsZSBub25jZQ==", with: "dGhlIHNhbXBsZSBub25jZXE="))) == 400)
        #expect(status(validate(upgradeRequest.replacingOccurrences(of: "keep-alive, Upgrade", with: "keep-alive, Upgrade2"))) == 426)
        let refusal = String(decoding: WebSocketHandshake.errorResponse(status: 426), as: UTF8.self)
        #expect(refusal.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n") && refusal.contains("Sec-WebSocket-Version: 13\r\n"))
    }

    /// Header names in any case, tokens in any case with spaces and tabs, and a Connection
    /// header split over two lines (combined with a comma) are all accepted.
    @Test func tokensAndNamesInAnyCase() {
        let request = """
            GET /chat HTTP/1.1\r
            HOST: server.example.com\r
            upgrade:\t WebSocket \r
            connection: keep-alive\r
            CONNECTION:  UPGRADE\t\r
            Sec-Websocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            SEC-WEBSOCKET-VERSION: 13\r
            X-Custom-Header: Value\r
            \r\n
            """
        guard case let .complete(head, _) = parseRequest(request) else {
            Issue.record("not parsed")
            return
        }
        #expect(head.headers.map(\.name) == [
            "host", "upgrade", "connection", "connection", "sec-websocket-key", "sec-websocket-version", "x-custom-header",
        ])
        #expect(head.header("x-custom-header") == "Value")
        #expect(head.combinedHeader("connection") == "keep-alive,UPGRADE")
        #expect(WebSocketHandshake.validate(head, path: "/chat") == .upgrade(key: "dGhlIHNhbXBsZSBub25jZQ=="))
        #expect(String(decoding: WebSocketHandshake.switchingProtocolsResponse(key: "dGhlIHNhbXBsZSBub25jZQ=="), as: UTF8.self)
            == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    }
}
