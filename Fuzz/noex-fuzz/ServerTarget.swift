// Fuzz target `server`: whole requests through an in-process server.
import NoexWire

/// Input: lines, each sent as one WebSocket text message (at most 64) on a fresh connection.
/// Checks: nothing crashes or trips ASan; every message the server sends is a JSON object
/// with a `type`; the server answers a final request after the input's messages (or closes
/// the connection), so no input wedges it.
let serverTarget = FuzzTarget(name: "server", summary: "whole requests through NoexServer (in-process)") { input in
    let replies = fuzzServer.exchange(input.lines(limit: 64))
    for reply in replies {
        guard case .object(let object)? = try? JSONParser.parse(reply), object["type"]?.stringValue != nil else {
            fuzzCheck(false, "the server sent a message that is not a typed JSON object: \(reply)")
            return
        }
    }
}
