import Foundation
import NoexProtocolGenCore
import Testing

/// Checks the repository's protocol.yaml against the reference's tables, written out here
/// independently (spec-identity.md §2.3 tiers, §2.4 resource extraction, §4.2 auth exemption;
/// spec-server.md §2 validation messages).
@Suite("protocol.yaml against the reference tables")
struct ReferenceMetadataTests {
    static let admin: Set<String> = [
        "store.defineBucket", "store.dropBucket", "store.updateBucket", "store.getBucketSchema", "store.defineQuery",
        "store.undefineQuery", "store.listQueries", "rules.registerRule", "rules.unregisterRule", "rules.updateRule",
        "rules.enableRule", "rules.disableRule", "rules.getRule", "rules.getRules", "rules.validateRule",
        "procedures.register", "procedures.unregister", "procedures.update", "procedures.list", "server.stats",
        "server.connections", "audit.query", "identity.login", "identity.loginWithSecret", "identity.logout",
        "identity.createUser", "identity.deleteUser", "identity.enableUser", "identity.disableUser",
        "identity.changePassword", "identity.resetPassword", "identity.assignRole", "identity.removeRole",
        "identity.createRole", "identity.deleteRole", "identity.grant", "identity.revoke", "identity.transferOwner",
    ]
    static let write: Set<String> = [
        "store.insert", "store.update", "store.delete", "store.clear", "store.transaction", "rules.emit", "rules.setFact",
        "rules.deleteFact", "procedures.call",
    ]
    static let read: Set<String> = [
        "store.get", "store.all", "store.where", "store.findOne", "store.count", "store.first", "store.last",
        "store.paginate", "store.sum", "store.avg", "store.min", "store.max", "store.subscribe", "store.unsubscribe",
        "store.buckets", "store.stats", "rules.getFact", "rules.queryFacts", "rules.getAllFacts", "rules.subscribe",
        "rules.unsubscribe", "rules.stats", "procedures.get",
    ]
    static let untiered: Set<String> = [
        "identity.whoami", "identity.refreshSession", "identity.getUser", "identity.updateUser", "identity.listUsers",
        "identity.updateRole", "identity.listRoles", "identity.getUserRoles", "identity.getAcl", "identity.myAccess",
        "identity.getOwner", "auth.login", "auth.logout", "auth.whoami",
    ]

    static func spec() throws -> ProtocolSpec { try GeneratedFreshnessTests.spec() }

    @Test("the tier lists cover every operation exactly once and match")
    func tiers() throws {
        let spec = try Self.spec()
        #expect(Self.admin.count + Self.write.count + Self.read.count + Self.untiered.count == 84)
        #expect(Set(spec.operations.map(\.name)) == Self.admin.union(Self.write).union(Self.read).union(Self.untiered))
        for op in spec.operations {
            let expected: OperationSpec.Tier? =
                Self.admin.contains(op.name) ? .admin : Self.write.contains(op.name) ? .write : Self.read.contains(op.name) ? .read : nil
            #expect(op.tier == expected, "\(op.name)")
        }
    }

    @Test("auth.*, identity.login and identity.loginWithSecret skip the auth check, nothing else does")
    func authExemption() throws {
        for op in try Self.spec().operations {
            let expected = op.namespace == "auth" || op.name == "identity.login" || op.name == "identity.loginWithSecret"
            #expect(op.isAuthExempt == expected, "\(op.name)")
        }
    }

    /// The reference's extraction order, except where it read a field the handler does not act
    /// on (F22): an unsubscribe touches only the caller's subscription, and a procedure
    /// operation acts on the procedure it names.
    @Test("the resource field follows the reference's extraction order, with F22")
    func resources() throws {
        for op in try Self.spec().operations {
            let fields = op.payload.map(\.name)
            let expected: String?
            switch op.namespace {
            case "store":
                if op.name == "store.subscribe" {
                    expected = "query"
                } else if op.name == "store.unsubscribe" {
                    expected = "subscriptionId"
                } else {
                    expected = ["bucket", "name"].first(where: fields.contains)
                }
            case "rules":
                expected = op.name == "rules.unsubscribe" ? "subscriptionId" : ["topic", "key", "pattern"].first(where: fields.contains)
            case "procedures":
                expected = fields.contains("name") ? "name" : nil
            default:
                expected = nil
            }
            #expect(op.resourceField == expected, "\(op.name)")
        }
    }

    @Test("the conformance cases carry the reference's literal validation messages")
    func literalMessages() throws {
        let cases = try #require(Generator.render(.tests, spec: Self.spec()).first { $0.name == "ConformanceCases.swift" }).contents
        for (op, message) in [
            ("store.insert", #"Missing or invalid "data": expected object"#),
            ("store.get", #"Missing "key": expected non-null value"#),
            ("store.count", #"Invalid "filter": expected object"#),
            ("store.first", #"Missing or invalid "n": expected positive integer"#),
            ("store.paginate", #"Missing or invalid "limit": expected positive integer"#),
            ("store.transaction", #"Missing or invalid "operations": expected array"#),
            ("rules.emit", #"Invalid "data": expected object"#),
            ("rules.emit", #"Invalid "correlationId": expected non-empty string"#),
            ("rules.setFact", #"Missing "value": expected a value"#),
            ("auth.login", #"Missing or invalid "token": expected non-empty string"#),
            ("identity.grant", #"Missing or invalid "operations": expected non-empty array"#),
            ("audit.query", #"Invalid "userId": expected string"#),
            ("audit.query", #"Invalid "result": expected "success" or "error""#),
            ("audit.query", #"Invalid "from": expected number"#),
            ("audit.query", #"Invalid "limit": expected positive integer"#),
            ("procedures.register", #"Missing or invalid "procedure": expected object"#),
            ("procedures.update", #"Missing or invalid "updates": expected object"#),
        ] {
            let escaped = message.replacingOccurrences(of: "\"", with: "\\\"")
            #expect(
                cases.contains("FieldCase(type: \"\(op)\"") && cases.contains(escaped),
                "\(op): \(message)")
        }
    }
}
