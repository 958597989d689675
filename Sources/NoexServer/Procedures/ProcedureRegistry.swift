import NoexWire
import Synchronization

/// The procedures of one server, in registration order (spec-identity §6.1: in memory; unlike
/// the reference, those registered over the wire are also saved by ``RuntimeDefinitions`` and
/// registered again at start). Safe to use from any connection.
final class ProcedureRegistry: Sendable {
    private struct State {
        var order: [String] = []
        var definitions: [String: ProcedureDefinition] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Adds a definition.
    /// - Throws: ``ProcedureError/alreadyExists(_:)`` when the name is taken.
    func add(_ definition: ProcedureDefinition) throws(ProcedureError) {
        try state.withLock { (s: inout State) throws(ProcedureError) in
            guard s.definitions[definition.name] == nil else { throw .alreadyExists(definition.name) }
            s.definitions[definition.name] = definition
            s.order.append(definition.name)
        }
    }

    /// Removes a definition; false when there was none.
    func remove(_ name: String) -> Bool {
        state.withLock { s in
            guard s.definitions.removeValue(forKey: name) != nil else { return false }
            s.order.removeAll { $0 == name }
            return true
        }
    }

    /// Replaces a definition in place, computing the new one from the current one under the
    /// lock so concurrent updates do not lose each other's changes.
    /// - Throws: ``ProcedureError/notFound(_:)``, or what `change` throws (the old version stays).
    func replace(
        _ name: String, _ change: (ProcedureDefinition) throws(ProcedureError) -> ProcedureDefinition
    ) throws(ProcedureError) {
        try state.withLock { (s: inout State) throws(ProcedureError) in
            guard let current = s.definitions[name] else { throw .notFound(name) }
            s.definitions[name] = try change(current)
        }
    }

    /// The definition registered under `name`.
    func definition(_ name: String) -> ProcedureDefinition? {
        state.withLock { $0.definitions[name] }
    }

    /// Every definition in registration order.
    var all: [ProcedureDefinition] {
        state.withLock { s in s.order.compactMap { s.definitions[$0] } }
    }
}
