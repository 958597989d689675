import NoexRules
import NoexStore
import NoexWire

// The wire changes that are saved: each applies the change (which validates it), saves the
// result, and undoes the change when the save fails, so success means "saved".
extension RuntimeDefinitions {
    // MARK: Queries

    /// `store.defineQuery`, saved.
    func defineQuery(_ name: String, config: JSONObject) throws {
        try serialized { orders in
            try store.defineQuery(name, json: config)
            do {
                try save(.query, name: name, config: config, orders: &orders)
            } catch {
                try? store.undefineQuery(name)
                throw error
            }
        }
    }

    /// `store.undefineQuery`, and its saved copy removed.
    func undefineQuery(_ name: String) throws {
        try serialized { _ in
            let old = store.listQueries().first { $0.name == name }?.config
            try store.undefineQuery(name)
            do {
                try forget(.query, name: name)
            } catch {
                if let old { try? store.defineQuery(name, json: old) }
                throw error
            }
        }
    }

    // MARK: Procedures

    /// `procedures.register`, saved.
    /// - Returns: the registered name.
    func registerProcedure(_ config: JSONObject, engine: ProcedureEngine) throws -> String {
        try serialized { orders in
            let name = try engine.register(.object(config))
            do {
                try save(.procedure, name: name, config: try engine.definition(name), orders: &orders)
            } catch {
                try? engine.unregister(name)
                throw error
            }
            return name
        }
    }

    /// `procedures.update`, saved.
    func updateProcedure(_ name: String, updates: JSONObject, engine: ProcedureEngine) throws {
        try serialized { orders in
            let old = try engine.definition(name)
            try engine.update(name, updates)
            do {
                try save(.procedure, name: name, config: try engine.definition(name), orders: &orders)
            } catch {
                try? engine.replace(name, with: old)
                throw error
            }
        }
    }

    /// `procedures.unregister`, and its saved copy removed.
    func unregisterProcedure(_ name: String, engine: ProcedureEngine) throws {
        try serialized { _ in
            let old = try engine.definition(name)
            try engine.unregister(name)
            do {
                try forget(.procedure, name: name)
            } catch {
                _ = try? engine.register(.object(old))
                throw error
            }
        }
    }

    // MARK: Rules

    /// `rules.registerRule`, saved.
    func registerRule(_ input: JSONObject, engine: RuleEngine) throws -> Rule {
        try serialized { orders in
            let rule = try engine.registerRule(input)
            do {
                try save(.rule, name: rule.id, config: rule.definition, orders: &orders)
            } catch {
                engine.unregisterRule(rule.id)
                throw error
            }
            return rule
        }
    }

    /// `rules.updateRule`, saved.
    func updateRule(_ id: String, updates: JSONObject, engine: RuleEngine) throws -> Rule {
        try serialized { orders in
            let old = engine.getRule(id)?.definition
            let rule = try engine.updateRule(id, updates)
            do {
                try save(.rule, name: id, config: rule.definition, orders: &orders)
            } catch {
                if let old {
                    engine.unregisterRule(id)
                    _ = try? engine.registerRule(old)
                }
                throw error
            }
            return rule
        }
    }

    /// `rules.unregisterRule`, and its saved copy removed. - Returns: false for an unknown id.
    func unregisterRule(_ id: String, engine: RuleEngine) throws -> Bool {
        try serialized { _ in
            guard let old = engine.getRule(id)?.definition, engine.unregisterRule(id) else { return false }
            do {
                try forget(.rule, name: id)
            } catch {
                _ = try? engine.registerRule(old)
                throw error
            }
            return true
        }
    }

    /// `rules.enableRule`/`disableRule`, the new state saved. - Returns: false for an unknown id.
    func setRuleEnabled(_ id: String, _ enabled: Bool, engine: RuleEngine) throws -> Bool {
        try serialized { orders in
            guard let before = engine.getRule(id)?.enabled else { return false }
            guard enabled ? engine.enableRule(id) : engine.disableRule(id) else { return false }
            guard let rule = engine.getRule(id) else { return true }
            do {
                try save(.rule, name: id, config: rule.definition, orders: &orders)
            } catch {
                _ = before ? engine.enableRule(id) : engine.disableRule(id)
                throw error
            }
            return true
        }
    }
}
