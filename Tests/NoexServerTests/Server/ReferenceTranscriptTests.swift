import Foundation
import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// Replays `Fixtures/reference-transcript.json` over a real WebSocket: what a reference
/// client sends, and what it must get back, message by message.
@Suite struct ReferenceTranscriptTests {
    private static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference-transcript.json")

    @Test func referenceClientTranscript() async throws {
        let transcript = try JSONParser.parse([UInt8](Data(contentsOf: Self.fixture)))
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        for (name, config) in transcript["setup"]?["buckets"]?.objectValue ?? [:] {
            try harness.store.defineBucket(name, json: config.objectValue ?? [:])
        }
        for (name, config) in transcript["setup"]?["queries"]?.objectValue ?? [:] {
            try harness.store.defineQuery(name, json: config.objectValue ?? [:])
        }
        let client = try await TestClient.live(port: harness.server.port, awaitWelcome: false)
        var captures = TranscriptMatcher()
        for (index, step) in (transcript["steps"]?.arrayValue ?? []).enumerated() {
            if let message = step["send"] {
                try await client.sendRaw(JSONSerializer.string(captures.substitute(message)))
            } else if let raw = step["raw"]?.stringValue {
                try await client.sendRaw(raw)
            }
            let expectations = step["expect"]?.arrayValue ?? []
            var received: [JSONObject] = []
            for _ in expectations {
                received.append(try await client.next(timeout: .seconds(5), "step \(index)") { $0["type"] != "ping" })
            }
            if step["anyOrder"] == true {
                // Responses and pushes may interleave: pair each expectation with the next
                // received message of its own kind (a response has an `id`, a push does not).
                var responses = received.filter { $0["id"] != nil }[...]
                var others = received.filter { $0["id"] == nil }[...]
                received = expectations.compactMap { expected in
                    expected["id"] != nil ? responses.popFirst() : others.popFirst()
                }
            }
            for (expected, message) in zip(expectations, received) {
                let problem = captures.match(expected, .object(message), path: "step \(index)")
                #expect(problem == nil, "\(problem ?? "")\n  received: \(JSONSerializer.string(.object(message)))")
            }
        }
    }
}

/// Subset matching with placeholders and captures, as the fixture describes.
struct TranscriptMatcher {
    private var captures: [String: JSONValue] = [:]

    /// Replaces `$name` strings by their captured values.
    func substitute(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.hasPrefix("$"): captures[text] ?? value
        case .array(let items): .array(items.map(substitute))
        case .object(let object): .object(JSONObject(object.map { ($0.key, substitute($0.value)) }))
        default: value
        }
    }

    /// Returns a description of the first mismatch, or nil.
    mutating func match(_ expected: JSONValue, _ actual: JSONValue?, path: String) -> String? {
        guard let actual else { return "\(path): missing" }
        switch expected {
        case .string("<any>"): return nil
        case .string("<number>"): return actual.numberValue == nil ? "\(path): expected a number" : nil
        case .string("<string>"): return actual.stringValue == nil ? "\(path): expected a string" : nil
        case .string("<array>"): return actual.arrayValue == nil ? "\(path): expected an array" : nil
        case .string(let name) where name.hasPrefix("$"):
            if let known = captures[name] { return known == actual ? nil : "\(path): \(name) differs" }
            captures[name] = actual
            return nil
        case .object(let object):
            guard case .object(let actualObject) = actual else { return "\(path): expected an object" }
            for (key, value) in object {
                if let problem = match(value, actualObject[key], path: "\(path).\(key)") { return problem }
            }
            return nil
        case .array(let items):
            guard case .array(let actualItems) = actual, actualItems.count == items.count else {
                return "\(path): expected \(items.count) items"
            }
            for (offset, item) in items.enumerated() {
                if let problem = match(item, actualItems[offset], path: "\(path)[\(offset)]") { return problem }
            }
            return nil
        default:
            return expected == actual ? nil : "\(path): expected \(JSONSerializer.string(expected))"
        }
    }
}
