import NoexProtocol
import NoexWire

extension OperationHandlers {
    func stats(_ request: ServerStatsRequest, context: RequestContext) async throws -> JSONValue? {
        .object(ServerStatistics.wireStats(core: core))
    }

    func connections(_ request: ServerConnectionsRequest, context: RequestContext) async throws -> JSONValue? {
        .array(core.registry.all().map(\.json))
    }
}
