import NoexRules
import NoexStore
import NoexWebSocket
import NoexWire

/// The two stats shapes of spec-server: `server.stats` over the wire and `getStats()` in Swift.
enum ServerStatistics {
    /// `server.stats`: `{name, connectionCount, authEnabled, rateLimitEnabled, rulesEnabled,
    /// connections{…}, store, rules, maxConnections, sockets{…}}`.
    static func wireStats(core: ServerCore) -> JSONObject {
        let configuration = core.configuration
        return [
            "name": .string(configuration.name),
            "connectionCount": .number(Double(core.registry.count)),
            "authEnabled": .bool(configuration.auth != nil || configuration.identity != nil),
            "rateLimitEnabled": .bool(configuration.rateLimit != nil),
            "rulesEnabled": .bool(configuration.rules != nil),
            "connections": .object(connectionAggregate(core.registry.all())),
            "store": .object(configuration.store.stats()),
            "rules": configuration.rules.map { .object($0.stats()) } ?? .null,
            "server": .object(ServerBuild.wire),
            "maxConnections": .number(Double(core.socketStatistics?.maxConnections ?? 0)),
            "sockets": .object(socketAggregate(core.socketStatistics)),
        ]
    }

    /// `sockets`: what the accept path sees, handshaking sockets included.
    private static func socketAggregate(_ statistics: WebSocketServerStatistics?) -> JSONObject {
        guard let statistics else { return [:] }
        return [
            "open": .number(Double(statistics.openSockets)),
            "handshaking": .number(Double(statistics.handshakingSockets)),
            "refusedAtCapacity": .number(Double(statistics.refusedAtCapacity)),
            "refusedPerIp": .number(Double(statistics.refusedPerAddress)),
            "acceptFailures": .number(Double(statistics.acceptFailures)),
            "descriptorShortages": .number(Double(statistics.descriptorShortages)),
            "descriptorLimit": .number(Double(statistics.descriptorLimit)),
        ]
    }

    /// `getStats()`: the wire stats plus `port`, `host` and `uptimeMs`.
    static func fullStats(core: ServerCore, port: Int) -> JSONObject {
        let wire = wireStats(core: core)
        // The reference's order: name, port, host, connectionCount, uptimeMs, then the rest.
        var stats: JSONObject = [
            "name": wire["name"] ?? .null,
            "port": .number(Double(port)),
            "host": .string(core.configuration.host),
            "connectionCount": wire["connectionCount"] ?? .null,
            "uptimeMs": .number(Double(core.clock.nowMs() - core.startedAt)),
        ]
        for (key, value) in wire where stats[key] == nil { stats[key] = value }
        return stats
    }

    private static func connectionAggregate(_ entries: [ConnectionInfo]) -> JSONObject {
        [
            "active": .number(Double(entries.count)),
            "authenticated": .number(Double(entries.lazy.filter(\.authenticated).count)),
            "totalStoreSubscriptions": .number(Double(entries.reduce(0) { $0 + $1.storeSubscriptionCount })),
            "totalRulesSubscriptions": .number(Double(entries.reduce(0) { $0 + $1.rulesSubscriptionCount })),
        ]
    }
}
