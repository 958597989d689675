import NoexProtocol
import NoexWire

// `procedures.*` (spec-identity §6.6). The pipeline has already applied the tiers and
// permissions; the engine's errors are mapped by the procedures proxy rules of §6.8.
extension OperationHandlers {
    /// The engine over this server's registry, store, rule engine and limits.
    var procedureEngine: ProcedureEngine { core.procedureEngine }

    func register(_ request: ProceduresRegisterRequest, context: RequestContext) async throws -> JSONValue? {
        let name = try mappingProcedureErrors {
            try core.definitions.registerProcedure(request.procedure, engine: procedureEngine)
        }
        return ["name": .string(name), "registered": true]
    }

    func unregister(_ request: ProceduresUnregisterRequest, context: RequestContext) async throws -> JSONValue? {
        try mappingProcedureErrors { try core.definitions.unregisterProcedure(request.name, engine: procedureEngine) }
        return ["name": .string(request.name), "unregistered": true]
    }

    func update(_ request: ProceduresUpdateRequest, context: RequestContext) async throws -> JSONValue? {
        try mappingProcedureErrors {
            try core.definitions.updateProcedure(request.name, updates: request.updates, engine: procedureEngine)
        }
        return ["name": .string(request.name), "updated": true]
    }

    func get(_ request: ProceduresGetRequest, context: RequestContext) async throws -> JSONValue? {
        .object(try mappingProcedureErrors { try procedureEngine.definition(request.name) })
    }

    func list(_ request: ProceduresListRequest, context: RequestContext) async throws -> JSONValue? {
        ["procedures": .array(procedureEngine.summaries())]
    }

    func call(_ request: ProceduresCallRequest, context: RequestContext) async throws -> JSONValue? {
        try mappingProcedureErrors { try procedureEngine.call(request.name, input: request.input ?? [:]) }
    }

    private func mappingProcedureErrors<T>(_ body: () throws -> T) throws(ProtocolError) -> T {
        do {
            return try body()
        } catch {
            throw ProcedureError.protocolError(for: error)
        }
    }
}
