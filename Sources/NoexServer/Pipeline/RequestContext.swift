/// What a handler knows about the request it serves.
struct RequestContext: Sendable {
    /// The connection the request came from.
    let connection: ClientConnection
    /// The request's id, as the client sent it.
    let requestId: Double
}
