import Foundation
import NoexClient
import NoexWire

/// `noex-example-chat`: a terminal chat room on a running noex server, written against the
/// public `NoexClient` API only.
///
///     swift run noex-example-chat ws://127.0.0.1:8080 lobby
///
/// It defines the `messages` bucket and the `chat-room` query when they are missing,
/// subscribes to the room, prints every new message, and posts each line read from stdin.
/// On a server that requires a login, set `NOEX_TOKEN` to a token `auth.login` accepts (with
/// built-in identity: a session token from `identity.login`).
@main
struct ChatExample {
    static let usage = "usage: noex-example-chat <ws://host:port[/path]> <room> [name]"

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2, !arguments[1].isEmpty else {
            printError(usage)
            exit(2)
        }
        let (url, room) = (arguments[0], arguments[1])
        let author = arguments.count >= 3 ? arguments[2] : "user-\(Int.random(in: 1000...9999))"
        do {
            try await run(url: url, room: room, author: author)
        } catch {
            printError("noex-example-chat: \(error)")
            exit(1)
        }
    }

    static func run(url: String, room: String, author: String) async throws(NoexClientError) {
        let client = try await NoexClient.connect(to: url)
        if let token = ProcessInfo.processInfo.environment["NOEX_TOKEN"], !token.isEmpty {
            _ = try await client.auth.login(token: token)
        }
        try await ensureSchema(client)

        let feed = try await client.store.subscribe(query: "chat-room", params: ["room": .string(room)])
        var shown = Set<String>()
        show(feed.initialData, shown: &shown)
        printLine("joined \"\(room)\" as \(author); type a line and press return (Ctrl-D quits)")

        // Pushes carry the whole new result; print the messages not shown yet.
        let printer = Task {
            var shown = shown
            for await result in feed { show(result, shown: &shown) }
        }
        // Report reconnects, so a restarted server is visible.
        let states = Task {
            for await state in await client.connectionStates() where state != .connected {
                printError("[connection: \(state)]")
            }
        }

        while let line = await readLine() {
            let text = line.trimmingSpaces
            guard !text.isEmpty else { continue }
            do {
                _ = try await client.store.insert(
                    bucket: "messages", data: ["room": .string(room), "author": .string(author), "text": .string(text)])
            } catch {
                printError("not sent: \(error)")
            }
        }
        try? await feed.unsubscribe()
        printer.cancel()
        states.cancel()
        await client.close()
    }

    /// Defines the bucket and the query unless they exist (`ALREADY_EXISTS` is fine: another
    /// participant got there first).
    static func ensureSchema(_ client: NoexClient) async throws(NoexClientError) {
        let existing = try await client.store.buckets()
        if !existing.names.contains("messages") {
            do {
                _ = try await client.store.defineBucket(
                    name: "messages",
                    config: [
                        "key": "id",
                        "schema": [
                            "id": ["type": "string", "generated": "uuid"],
                            "room": ["type": "string", "required": true],
                            "author": ["type": "string", "required": true],
                            "text": ["type": "string", "required": true],
                        ],
                    ])
            } catch where error.code.rawValue == "ALREADY_EXISTS" {}
        }
        do {
            _ = try await client.store.defineQuery(
                name: "chat-room",
                config: ["bucket": "messages", "filter": ["room": "{{ params.room }}"], "sort": ["_createdAt": "asc"]])
        } catch where error.code.rawValue == "ALREADY_EXISTS" {}
    }

    static func show(_ result: JSONValue?, shown: inout Set<String>) {
        guard case .array(let records)? = result else { return }
        for record in records {
            guard let id = record["id"]?.stringValue, shown.insert(id).inserted else { continue }
            let author = record["author"]?.stringValue ?? "?"
            let text = record["text"]?.stringValue ?? ""
            printLine("<\(author)> \(text)")
        }
    }

    /// Reads a line from stdin on a separate thread, so the async runtime is not blocked.
    static func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Swift.readLine()) }
            thread.start()
        }
    }

    /// Writes a line to stdout at once (`print` would keep it in a buffer when stdout is a
    /// pipe or a file, so a reader would see nothing until exit).
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
