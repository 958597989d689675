import NoexRules
import NoexStore
import NoexWire

extension RuntimeDefinitions {
    /// Re-registers the saved definitions at start, after the store has been restored.
    ///
    /// A saved definition that can no longer be registered (its bucket is gone, a limit
    /// shrank, the rules engine is off) is reported and kept, so it comes back once the cause
    /// is fixed. A name already taken at start (by application code or a `--rules` file) keeps
    /// that definition: what is declared at start owns its name, so the saved copy is dropped.
    /// - Parameters:
    ///   - procedures: the server's procedure engine.
    ///   - rules: the server's rules engine, if any.
    ///   - report: counts and notes are added here.
    func restore(procedures: ProcedureEngine, rules: RuleEngine?, into report: inout StartupReport) {
        _ = try? serialized { _ in
            restoreQueries(into: &report)
            restoreProcedures(procedures, into: &report)
            restoreRules(rules, into: &report)
        }
    }

    private func restoreQueries(into report: inout StartupReport) {
        for (name, config) in saved(.query) {
            if let existing = store.listQueries().first(where: { $0.name == name }) {
                // The same definition is already in place when the store outlived a previous
                // server (stop, then start on the same `Store`): it stays saved.
                if existing.config == config {
                    report.restoredQueries += 1
                } else {
                    report.notes.append("query \"\(name)\": kept the definition made at start; the saved copy is dropped")
                    try? forget(.query, name: name)
                }
                continue
            }
            do {
                try store.defineQuery(name, json: config)
                report.restoredQueries += 1
            } catch {
                report.notes.append("query \"\(name)\" not restored: \(error.message) (the saved copy is kept)")
            }
        }
    }

    private func restoreProcedures(_ engine: ProcedureEngine, into report: inout StartupReport) {
        for (name, config) in saved(.procedure) {
            if let existing = try? engine.definition(name) {
                if existing == config {
                    report.restoredProcedures += 1
                } else {
                    report.notes.append(
                        "procedure \"\(name)\": kept the definition made at start; the saved copy is dropped")
                    try? forget(.procedure, name: name)
                }
                continue
            }
            do {
                try engine.register(.object(config))
                report.restoredProcedures += 1
            } catch {
                report.notes.append("procedure \"\(name)\" not restored: \(error.message) (the saved copy is kept)")
            }
        }
    }

    private func restoreRules(_ engine: RuleEngine?, into report: inout StartupReport) {
        let saved = saved(.rule)
        guard let engine else {
            if !saved.isEmpty {
                report.notes.append("\(saved.count) saved rule(s) not restored: the rules engine is disabled")
            }
            return
        }
        for (id, config) in saved {
            if let existing = engine.getRule(id) {
                // The same rule is already in place when the engine outlived a previous server.
                if existing.definition == config {
                    report.restoredRules += 1
                } else {
                    report.notes.append("rule \"\(id)\": kept the definition made at start; the saved copy is dropped")
                    try? forget(.rule, name: id)
                }
                continue
            }
            do {
                try engine.registerRule(config)
                report.restoredRules += 1
            } catch {
                report.notes.append("rule \"\(id)\" not restored: \(error.message) (the saved copy is kept)")
            }
        }
    }
}
