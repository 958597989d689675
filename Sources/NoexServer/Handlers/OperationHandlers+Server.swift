import NoexProtocol
import NoexWire

extension OperationHandlers {
    func stats(_ request: ServerStatsRequest, context: RequestContext) throws -> JSONValue? {
        .object(ServerStatistics.wireStats(core: core))
    }

    func connections(_ request: ServerConnectionsRequest, context: RequestContext) throws -> JSONValue? {
        .array(core.registry.all().map(\.json))
    }
}
