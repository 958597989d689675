import Foundation
import NoexProtocolGenCore
import Testing

@Suite("Client renderer")
struct ClientRendererTests {
    static let operations = """
          store.count:
            summary: Count.
            payload:
              bucket: {type: string, nonEmpty: true, description: Bucket.}
              filter: {type: object, optional: true, description: Filter.}
            result: {type: integer}
            errors: [VALIDATION_ERROR]
          store.where:
            summary: Filter.
            payload:
              bucket: {type: string, description: Bucket.}
            result: {type: "Thing[]"}
            errors: [VALIDATION_ERROR]
          store.min:
            summary: Minimum.
            result: {type: number | null}
          store.delete:
            summary: Delete.
            payload:
              key: {type: any, description: Key.}
            result:
              type: object
              fields:
                deleted: {type: boolean, description: Always true.}
                tags: {type: "string[]", optional: true, description: Tags.}
                owner: {type: Thing | null, description: Owner.}
            errors: [VALIDATION_ERROR]
          rules.subscribe:
            summary: Subscribe.
            payload:
              pattern: {type: string, description: Pattern.}
            result:
              type: object
              fields:
                subscriptionId: {type: string, description: Id.}
            errors: [VALIDATION_ERROR]
          rules.unsubscribe:
            summary: Unsubscribe.
            payload:
              subscriptionId: {type: string, nonEmpty: true, description: Id.}
              timeout: {type: integer, optional: true, description: A field that clashes with the client's timeout.}
            result: {type: object, fields: {unsubscribed: {type: boolean, description: Always true.}}}
            errors: [VALIDATION_ERROR]
        """

    static func yaml(channels: String) -> String {
        SpecFixtures.yaml(operations: operations).replacingOccurrences(
            of: "channels:\n  event: {description: Events., data: {type: object, description: The event.}}",
            with: "channels:\n" + channels)
    }

    static let linkedChannel = """
          event:
            description: Events.
            subscribe: rules.subscribe
            unsubscribe: rules.unsubscribe
            data: {type: object, description: The event.}
        """

    func file(_ name: String) throws -> String {
        let spec = try Generator.spec(fromYAML: Self.yaml(channels: Self.linkedChannel), file: "protocol.yaml")
        return try #require(Generator.render(.client, spec: spec).first { $0.name == name }).contents
    }

    @Test("one file per namespace, in the fixed order")
    func files() throws {
        let spec = try Generator.spec(fromYAML: Self.yaml(channels: Self.linkedChannel), file: "protocol.yaml")
        #expect(Generator.render(.client, spec: spec).map(\.name) == Generator.fileNames(.client))
        #expect(Generator.fileNames(.client).first == "Client+Store.swift")
        #expect(Generator.committedDirectory(.client) == "Generated/NoexClient")
    }

    @Test("methods take the payload's Swift types and type clean results")
    func methods() throws {
        let store = try file("Client+Store.swift")
        #expect(store.contains("public func count(bucket: String, filter: JSONObject? = nil, timeout: Duration? = nil) async throws(NoexClientError) -> Int {"))
        #expect(store.contains("let _payload = StoreCountRequest(bucket: bucket, filter: filter).payload()"))
        #expect(store.contains(#"return try ResultDecoding.value(_answer, as: Int.self, in: "store.count")"#))
        // Named shapes stay JSON; keywords are back-quoted.
        #expect(store.contains("public func `where`(bucket: String, timeout: Duration? = nil) async throws(NoexClientError) -> JSONValue {"))
        #expect(store.contains(#"return try await self.client.request("store.where", payload: _payload, timeout: timeout)"#))
        #expect(store.contains("-> Double? {"))
        #expect(store.contains(#"ResultDecoding.nullable(_answer, as: Double.self, in: "store.min")"#))
        #expect(store.contains("public nonisolated var store: Store { Store(client: self) }"))
    }

    @Test("inline object results become nested structs")
    func resultStructs() throws {
        let store = try file("Client+Store.swift")
        #expect(store.contains("public struct DeleteResult: Sendable, Hashable {"))
        #expect(store.contains("public var deleted: Bool"))
        #expect(store.contains("public var tags: [String]?"))
        #expect(store.contains("public var owner: JSONValue"))
        #expect(store.contains(#"self.tags = try ResultDecoding.optional(object, "tags", as: [String].self, in: "store.delete")"#))
        #expect(store.contains("-> DeleteResult {"))
    }

    @Test("channel-linked operations subscribe and unsubscribe through the runtime")
    func subscriptions() throws {
        let rules = try file("Client+Rules.swift")
        #expect(rules.contains("public func subscribe(pattern: String, timeout: Duration? = nil) async throws(NoexClientError) -> NoexSubscription {"))
        #expect(rules.contains(#"client.subscribe(operation: "rules.subscribe", channel: "event", unsubscribeOperation: "rules.unsubscribe""#))
        #expect(!rules.contains("struct SubscribeResult"))
        // The payload's own `timeout` keeps its name; the override becomes `requestTimeout`.
        #expect(rules.contains("public func unsubscribe(subscriptionId: String, timeout: Int? = nil, requestTimeout: Duration? = nil)"))
        #expect(rules.contains(#"client.unsubscribe(operation: "rules.unsubscribe", payload: _payload, timeout: requestTimeout)"#))
    }

    @Test("without channel links, subscribe operations are plain requests")
    func unlinked() throws {
        let spec = try Generator.spec(fromYAML: SpecFixtures.yaml(operations: Self.operations), file: "protocol.yaml")
        let rules = try #require(Generator.render(.client, spec: spec).first { $0.name == "Client+Rules.swift" }).contents
        #expect(rules.contains("-> SubscribeResult {"))
    }

    @Test("channel links are validated")
    func linkDiagnostics() {
        let undeclared = SpecFixtures.diagnostics(Self.yaml(channels: """
              event:
                description: Events.
                subscribe: rules.watch
                unsubscribe: rules.unsubscribe
                data: {type: object, description: The event.}
            """))
        #expect(undeclared.contains { $0.contains(#""subscribe" of channel "event" names the undeclared operation "rules.watch""#) })
        let half = SpecFixtures.diagnostics(Self.yaml(channels: """
              event:
                description: Events.
                subscribe: rules.subscribe
                data: {type: object, description: The event.}
            """))
        #expect(half.contains { $0.contains("must declare both") })
        let wrongShape = SpecFixtures.diagnostics(Self.yaml(channels: """
              event:
                description: Events.
                subscribe: store.min
                unsubscribe: store.count
                data: {type: object, description: The event.}
            """))
        #expect(wrongShape.contains { $0.contains(#"operation "store.min" subscribes to channel "event" but its result has no required "subscriptionId""#) })
        #expect(wrongShape.contains { $0.contains(#"operation "store.count" unsubscribes from channel "event" but its payload has no required string "subscriptionId""#) })
    }
}

@Suite("Adding an operation gives the client a typed method")
struct ClientNewOperationTests {
    @Test("an operation appended to the repository's protocol.yaml appears as a typed client method")
    func newOperation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var text = try String(contentsOf: root.appendingPathComponent("protocol.yaml"), encoding: .utf8)
        text += """

              store.upsert:
                summary: Insert or replace a record.
                tier: write
                resource: bucket
                since: 1.1.0
                payload:
                  bucket: {type: string, nonEmpty: true, description: Bucket name.}
                  data: {type: object, description: The record.}
                result:
                  type: object
                  fields:
                    created: {type: boolean, description: Whether the key was new.}
                    record: {type: Record, description: The stored record.}
                errors: [VALIDATION_ERROR, BUCKET_NOT_DEFINED]

            """
        let spec = try Generator.spec(fromYAML: text, file: "protocol.yaml")
        let store = try #require(Generator.render(.client, spec: spec).first { $0.name == "Client+Store.swift" }).contents
        #expect(store.contains("public func upsert(bucket: String, data: JSONObject, timeout: Duration? = nil) async throws(NoexClientError) -> UpsertResult {"))
        #expect(store.contains("let _payload = StoreUpsertRequest(bucket: bucket, data: data).payload()"))
        #expect(store.contains("public var created: Bool"))
        #expect(store.contains("public var record: JSONValue"))
        #expect(store.contains("Since protocol 1.1.0."))
    }
}
