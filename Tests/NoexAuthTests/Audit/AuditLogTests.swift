import NoexAuth
import NoexProtocol
import NoexWire
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct AuditLogTests {
    private func entry(_ n: Int, user: String? = "u", operation: String = "server.stats", error: String? = nil) -> AuditEntry {
        AuditEntry(
            timestamp: Int64(n), userId: user, sessionId: "conn-1", operation: operation, resource: "*",
            result: error == nil ? .success : .error, error: error, remoteAddress: "127.0.0.1")
    }

    @Test func ringKeepsNewestAndQueriesNewestFirst() throws {
        let log = try AuditLog(configuration: AuditConfiguration(maxEntries: 5))
        for n in 1...8 { log.append(entry(n)) }
        #expect(log.count == 5)
        #expect(log.query(AuditQuery()).map(\.timestamp) == [8, 7, 6, 5, 4])
        #expect(log.query(AuditQuery(limit: 2)).map(\.timestamp) == [8, 7])
    }

    @Test func filtersAreAnded() throws {
        let log = try AuditLog(configuration: AuditConfiguration())
        log.append(entry(1, user: "a"))
        log.append(entry(2, user: "b", operation: "store.insert"))
        log.append(entry(3, user: "a", error: "nope"))
        log.append(entry(4, user: "a", operation: "store.insert"))
        #expect(log.query(AuditQuery(userId: "a")).map(\.timestamp) == [4, 3, 1])
        #expect(log.query(AuditQuery(userId: "a", operation: "server.stats")).map(\.timestamp) == [3, 1])
        #expect(log.query(AuditQuery(result: .error)).map(\.timestamp) == [3])
        #expect(log.query(AuditQuery(from: 2, to: 3)).map(\.timestamp) == [3, 2])
    }

    @Test func tiersAndHook() throws {
        let seen = Mutex<[Int64]>([])
        let log = try AuditLog(configuration: AuditConfiguration(tiers: [.admin, .write]) { entry in
            seen.withLock { $0.append(entry.timestamp) }
        })
        #expect(log.records(tier: .admin) && log.records(tier: .write))
        #expect(!log.records(tier: .read) && !log.records(tier: nil))
        log.append(entry(7))
        #expect(seen.withLock { $0 } == [7])
    }

    @Test func fileSinkWritesOneJsonLinePerEntry() throws {
        let path = "/tmp/noex-audit-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        defer { unlink(path) }
        let log = try AuditLog(configuration: AuditConfiguration(filePath: path))
        log.append(entry(1, user: nil))
        log.append(entry(2, error: "boom"))
        // Written through at once: readable before the log is released.
        let text = try #require(readFile(path))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let first = try JSONParser.parse(lines[0])
        #expect(first["timestamp"] == 1)
        #expect(first["userId"] == .null)
        #expect(try JSONParser.parse(lines[1])["error"] == "boom")
    }

    @Test func unopenableFileIsAnError() {
        #expect(throws: AuditFileSink.OpenFailed.self) {
            _ = try AuditLog(configuration: AuditConfiguration(filePath: "/nonexistent-dir/audit.jsonl"))
        }
    }

    @Test func resourceAndDetailsExtraction() {
        #expect(AuditEntry.resource(of: ["bucket": "users", "name": "x"]) == "users")
        #expect(AuditEntry.resource(of: ["username": "bob", "password": "secret"]) == "user:bob")
        #expect(AuditEntry.resource(of: ["roleId": "r1"]) == "role:r1")
        #expect(AuditEntry.resource(of: ["resourceType": "bucket", "resourceName": "docs"]) == "bucket:docs")
        #expect(AuditEntry.resource(of: ["secret": "s"]) == "*")
        #expect(AuditEntry.details(operation: "identity.login", message: ["username": "bob", "password": "pw"]) == ["username": "bob"])
        #expect(AuditEntry.details(operation: "identity.loginWithSecret", message: ["secret": "s"]) == nil)
        #expect(AuditEntry.details(operation: "identity.resetPassword", message: ["userId": "u", "newPassword": "p"]) == nil)
    }

    private func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
