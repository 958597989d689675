import NoexClient
import NoexProtocol
import NoexWire
import Testing

/// The code of docs/getting-started.md, run against a live server so the guide stays true.
@Suite("docs/getting-started.md")
struct GettingStartedTests {
    @Test("the guide's steps work as written")
    func guide() async throws {
        let live = try await LiveServer.start()
        let client = try await NoexClient.connect(to: live.url)
        #expect(await client.welcome.version == "1.0.0")

        _ = try await client.store.defineBucket(
            name: "tasks",
            config: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "title": ["type": "string", "required": true],
                    "done": ["type": "boolean", "default": false],
                ],
            ])
        let task = try await client.store.insert(bucket: "tasks", data: ["title": "Write docs"])
        #expect(task["id"]?.stringValue?.isEmpty == false)
        #expect(task["_version"] == 1)
        let open = try await client.store.count(bucket: "tasks", filter: ["done": false])
        #expect(open == 1)

        var caught: NoexClientError?
        do {
            _ = try await client.store.insert(bucket: "tasks", data: [:])
        } catch {
            caught = error
        }
        #expect(caught?.code == .validationError)

        _ = try await client.store.defineQuery(
            name: "open-tasks",
            config: ["bucket": "tasks", "filter": ["done": false], "sort": ["_createdAt": "asc"]])
        let feed = try await client.store.subscribe(query: "open-tasks")
        #expect(feed.initialData?.arrayValue?.count == 1)
        let pushes = PushCollector.collecting(feed)
        _ = try await client.store.insert(bucket: "tasks", data: ["title": "Ship it"])
        #expect(await pushes.wait { values, _ in values.last?.arrayValue?.count == 2 })

        // Parameterised queries, as the guide describes.
        _ = try await client.store.defineQuery(
            name: "titled", config: ["bucket": "tasks", "filter": ["title": "{{ params.title }}"]])
        let titled = try await client.store.subscribe(query: "titled", params: ["title": "Ship it"])
        #expect(titled.initialData?.arrayValue?.count == 1)

        try await feed.unsubscribe()
        #expect(await pushes.wait { _, finished in finished })
        await client.close()
        await live.stop()
    }
}
