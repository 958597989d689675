import NoexWire
import Synchronization

extension RuleEngine {
    /// Creates a rule group (the server exposes no group operation; hosts create groups here).
    /// - Throws: ``RulesError/alreadyExists(_:)`` `Group "<id>" already exists`;
    ///   ``RulesError/invalidArgument(_:)`` for an empty id.
    @discardableResult
    public func createGroup(_ group: RuleGroup) throws(RulesError) -> RuleGroup {
        guard !group.id.trimmingSpaces.isEmpty else { throw .invalidArgument("Group id must be a non-empty string") }
        try state.withLock { s throws(RulesError) in
            guard s.groups[group.id] == nil else { throw .alreadyExists("Group \"\(group.id)\" already exists") }
            s.groups[group.id] = group
            s.groupOrder.append(group.id)
        }
        return group
    }

    /// The group with this id, or `nil`.
    public func getGroup(_ id: String) -> RuleGroup? { state.withLock { $0.groups[id] } }

    /// Every group in creation order.
    public func groups() -> [RuleGroup] { state.withLock { s in s.groupOrder.compactMap { s.groups[$0] } } }

    /// Lets the rules of a group fire again. - Returns: false for an unknown group.
    @discardableResult
    public func enableGroup(_ id: String) -> Bool { setGroupEnabled(id, true) }

    /// Stops every rule of a group from firing (their own `enabled` is untouched).
    /// - Returns: false for an unknown group.
    @discardableResult
    public func disableGroup(_ id: String) -> Bool { setGroupEnabled(id, false) }

    /// Deletes a group; its rules stay registered and lose their `group` field.
    /// - Returns: false for an unknown group.
    @discardableResult
    public func deleteGroup(_ id: String) -> Bool {
        state.withLock { s in
            guard s.groups.removeValue(forKey: id) != nil else { return false }
            s.groupOrder.removeAll { $0 == id }
            for stored in s.rules.values where stored.rule.group == id {
                stored.rule.definition["group"] = nil
                stored.group = nil
            }
            return true
        }
    }

    private func setGroupEnabled(_ id: String, _ enabled: Bool) -> Bool {
        state.withLock { s in
            guard s.groups[id] != nil else { return false }
            s.groups[id]?.enabled = enabled
            return true
        }
    }
}
