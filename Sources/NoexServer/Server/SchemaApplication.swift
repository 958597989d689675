import NoexRules
import NoexStore
import NoexWire

/// Applies a ``ServerSchema`` at start, after the saved run-time definitions are restored:
/// buckets, then queries (which read them), then procedures and rules.
///
/// A definition the schema declares is owned by the schema file: when the one in place
/// differs (changed in the file, or changed over the wire since), the file's version replaces
/// it. What the schema creates or changes is saved like a wire change, so the next start
/// restores it and finds it unchanged; removing a definition from the file does not remove
/// it from the server (remove it over the wire).
struct SchemaApplication {
    let schema: ServerSchema
    let store: Store
    let procedures: ProcedureEngine
    let rules: RuleEngine?
    let definitions: RuntimeDefinitions

    /// A definition the schema could not apply; the start fails with it.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Applies everything, recording what changed.
    /// - Throws: ``Failure`` naming the definition and why.
    func apply(into report: inout StartupReport) throws(Failure) {
        for entry in schema.buckets { try bucket(entry, &report) }
        for entry in schema.queries { try query(entry, &report) }
        for entry in schema.procedures { try procedure(entry, &report) }
        if !schema.rules.isEmpty {
            guard let rules else { throw Failure(description: "schema declares rules but the rules engine is disabled") }
            for entry in schema.rules { try rule(entry, engine: rules, &report) }
        }
    }

    private func bucket(_ entry: ServerSchema.Entry, _ report: inout StartupReport) throws(Failure) {
        let name = entry.name
        let current = try? store.bucketSchema(name)
        if current == entry.config {
            report.schemaUnchanged += 1
            return
        }
        do {
            // A bucket restored from persistence is claimed by this definition, its records kept.
            try store.defineBucket(name, json: entry.config)
        } catch .bucketAlreadyExists {
            throw Failure(description: "bucket \"\(name)\": already defined differently in this run")
        } catch {
            throw Failure(description: "bucket \"\(name)\": \(error.message)")
        }
        report.schemaChanges.append("\(current == nil ? "created" : "updated") bucket \"\(name)\"")
    }

    private func query(_ entry: ServerSchema.Entry, _ report: inout StartupReport) throws(Failure) {
        let name = entry.name
        let current = store.listQueries().first { $0.name == name }
        if let current, current.config == entry.config {
            report.schemaUnchanged += 1
            return
        }
        do throws(StoreError) {
            if current != nil { try store.undefineQuery(name) }
            do {
                try store.defineQuery(name, json: entry.config)
            } catch {
                if let old = current?.config { try? store.defineQuery(name, json: old) }
                throw error
            }
        } catch {
            throw Failure(description: "query \"\(name)\": \(error.message)")
        }
        try save(.query, name, entry.config)
        report.schemaChanges.append("\(current == nil ? "created" : "updated") query \"\(name)\"")
    }

    private func procedure(_ entry: ServerSchema.Entry, _ report: inout StartupReport) throws(Failure) {
        let name = entry.name
        let current = try? procedures.definition(name)
        if current == entry.config {
            report.schemaUnchanged += 1
            return
        }
        do {
            if current == nil {
                try procedures.register(.object(entry.config))
            } else {
                try procedures.replace(name, with: entry.config)
            }
        } catch {
            throw Failure(description: "procedure \"\(name)\": \(ProcedureError.protocolError(for: error).message)")
        }
        try save(.procedure, name, (try? procedures.definition(name)) ?? entry.config)
        report.schemaChanges.append("\(current == nil ? "created" : "updated") procedure \"\(name)\"")
    }

    private func rule(_ entry: ServerSchema.Entry, engine: RuleEngine, _ report: inout StartupReport) throws(Failure) {
        let id = entry.name
        let definition: JSONObject
        do {
            definition = try engine.normalizedRuleDefinition(entry.config)
        } catch {
            throw Failure(description: "rule \"\(id)\": \(Self.describe(error))")
        }
        let current = engine.getRule(id)
        if current?.definition == definition {
            report.schemaUnchanged += 1
            return
        }
        do throws(RulesError) {
            if let current {
                engine.unregisterRule(id)
                do {
                    try engine.registerRule(definition)
                } catch {
                    _ = try? engine.registerRule(current.definition)
                    throw error
                }
            } else {
                try engine.registerRule(definition)
            }
        } catch {
            throw Failure(description: "rule \"\(id)\": \(Self.describe(error))")
        }
        try save(.rule, id, engine.getRule(id)?.definition ?? definition)
        report.schemaChanges.append("\(current == nil ? "created" : "updated") rule \"\(id)\"")
    }

    /// Saves what the schema created or changed, like a wire change, so the next start
    /// restores it and finds the file's version already in place.
    private func save(_ kind: RuntimeDefinitions.Kind, _ name: String, _ config: JSONObject) throws(Failure) {
        do {
            try definitions.serialized { orders in try definitions.save(kind, name: name, config: config, orders: &orders) }
        } catch {
            throw Failure(description: "\(kind.rawValue) \"\(name)\": cannot be saved: \(error)")
        }
    }

    /// A rules error with its issues, on one line.
    static func describe(_ error: RulesError) -> String {
        guard let details = error.details else { return error.message }
        return "\(error.message) \(JSONSerializer.string(details))"
    }
}
