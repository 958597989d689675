import NoexProtocol
import NoexWire

extension ServerCore {
    /// Ends the sessions of matching live connections at once: each loses its session before
    /// anything else it has queued runs, gets `{"type":"system","event":"session_revoked",
    /// "reason":…}`, and is closed `4002 session_revoked`.
    /// - Parameters:
    ///   - reason: the notice's `reason`.
    ///   - matches: which connections to end.
    /// - Returns: the number of connections ended.
    @discardableResult
    func endSessions(reason: String, where matches: (ClientConnection) -> Bool) -> Int {
        let notice = OutboundMessage.system(event: SystemEvent.sessionRevoked.rawValue, extra: ["reason": .string(reason)])
        var ended = 0
        for connection in liveConnections where matches(connection) {
            connection.revoke()
            connection.send(notice)
            connection.close(code: CloseCode.sessionRevoked)
            ended += 1
        }
        return ended
    }

    /// Ends every live connection of a user (disabled or deleted accounts, F13).
    @discardableResult
    func endSessions(ofUser userId: String, reason: String, except spared: ClientConnection? = nil) -> Int {
        endSessions(reason: reason) { connection in
            connection !== spared && connection.session?.userId == userId
        }
    }

    /// Ends the live connections holding any of the given stored sessions (F12 trimming).
    @discardableResult
    func endSessions(tokenIds: [String], reason: String) -> Int {
        guard !tokenIds.isEmpty else { return 0 }
        let ids = Set(tokenIds)
        return endSessions(reason: reason) { connection in
            connection.sessionTokenId.map(ids.contains) ?? false
        }
    }
}
