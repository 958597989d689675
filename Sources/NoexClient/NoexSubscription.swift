public import NoexWire

/// A live subscription: an `AsyncSequence` of the `data` of its pushes (a store query's new
/// result, or a rules `{topic, event}` object).
///
/// The sequence ends when the subscription is ended (``unsubscribe()``, the typed
/// `unsubscribe(subscriptionId:)` method with ``id``, ``NoexClient/close()``), or when the
/// client could not subscribe again after a reconnect. It survives reconnects: the client
/// subscribes again and maps the server's new subscription id to the same sequence. Iterate it
/// from one task. Cancelling that task, or dropping every copy of the subscription, also
/// unsubscribes; breaking out of a loop alone does not.
public struct NoexSubscription: AsyncSequence, Sendable {
    /// The pushes' `data`.
    public typealias Element = JSONValue
    /// The iterator.
    public typealias AsyncIterator = AsyncStream<JSONValue>.Iterator

    /// The client-side id, stable across reconnects; pass it to the typed `unsubscribe` method.
    public let id: String
    /// The push channel, `subscription` or `event`.
    public let channel: String
    /// The subscribe request's answer (for `store.subscribe`: `{subscriptionId, data}`).
    public let initialResult: JSONValue
    let stream: AsyncStream<JSONValue>
    let client: NoexClient

    /// The initial query result (`data` of the answer), when the operation sends one.
    public var initialData: JSONValue? { initialResult["data"] }

    /// Creates the iterator.
    public func makeAsyncIterator() -> AsyncStream<JSONValue>.Iterator { stream.makeAsyncIterator() }

    /// Ends the subscription on the server and finishes the sequence.
    /// - Throws: ``NoexClientError`` when the server refuses (the sequence ends anyway).
    public func unsubscribe() async throws(NoexClientError) {
        try await client.endSubscription(id: id)
    }

    /// The server's current id for this subscription (it changes after a reconnect), or `nil`
    /// while it is not established.
    public func serverId() async -> String? { await client.currentServerId(of: id) }
}
