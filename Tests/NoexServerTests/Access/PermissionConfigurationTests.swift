import NoexServer
import Testing

@Suite struct PermissionConfigurationTests {
    let editor = AuthSession(userId: "e", roles: ["writer", "editor"])
    let viewer = AuthSession(userId: "v", roles: ["reader", "viewer"])

    @Test func patternMatcher() {
        #expect(PermissionPattern.matches("*", "anything"))
        #expect(PermissionPattern.matches("store.*", "store.insert"))
        #expect(!PermissionPattern.matches("store.*", "store"))
        #expect(!PermissionPattern.matches("store.*", "storex.insert"))
        #expect(PermissionPattern.matches("store.get", "store.get"))
        #expect(!PermissionPattern.matches("store.get", "store.getX"))
    }

    @Test func bucketAndTopicConstraintsApplyOnlyToTheirNamespace() {
        let config = PermissionConfiguration(
            default: .deny,
            rules: [
                PermissionRule(role: "editor", allow: ["store.*", "rules.*"], buckets: ["users"], topics: ["order.*"])
            ])
        #expect(config.isAllowed(session: editor, operation: "store.insert", resource: "users"))
        #expect(!config.isAllowed(session: editor, operation: "store.insert", resource: "secrets"))
        #expect(config.isAllowed(session: editor, operation: "rules.emit", resource: "order.created"))
        #expect(!config.isAllowed(session: editor, operation: "rules.emit", resource: "payment.done"))
        #expect(!config.isAllowed(session: viewer, operation: "store.get", resource: "users"))
    }

    @Test func checkClosureDecidesFirstAndNilFallsThrough() {
        let allowAll = PermissionConfiguration(default: .deny, check: { _, _, _ in true })
        #expect(allowAll.isAllowed(session: viewer, operation: "store.clear", resource: "x"))
        let denyAll = PermissionConfiguration(
            default: .allow, rules: [PermissionRule(role: "viewer", allow: ["*"])], check: { _, _, _ in false })
        #expect(!denyAll.isAllowed(session: viewer, operation: "store.get", resource: "x"))
        let fallThrough = PermissionConfiguration(
            default: .deny, rules: [PermissionRule(role: "viewer", allow: ["store.get"])], check: { _, _, _ in nil })
        #expect(fallThrough.isAllowed(session: viewer, operation: "store.get", resource: "x"))
        #expect(!fallThrough.isAllowed(session: viewer, operation: "store.all", resource: "x"))
    }

    @Test func defaultIsAllow() {
        #expect(PermissionConfiguration().isAllowed(session: viewer, operation: "server.stats", resource: "*"))
    }
}
