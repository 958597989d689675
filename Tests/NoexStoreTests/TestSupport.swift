import Foundation
import NoexStore
import NoexWire
import Synchronization

/// Runs `body` and returns the `StoreError` it threw, or nil.
func storeError<R>(_ body: () throws(StoreError) -> R) -> StoreError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A memory store without the TTL timer.
func makeStore(_ persistence: PersistenceConfiguration = .memory, durability: Durability = .sync) throws -> Store {
    try Store(configuration: .init(persistence: persistence, durability: durability, ttlCheckIntervalMs: 0))
}

/// A fresh temporary directory.
func temporaryDirectory(_ label: String) -> String {
    let path = NSTemporaryDirectory() + "noex-store-tests-\(label)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A `users` bucket: generated uuid id, required name, defaulted role, unique email.
let usersDefinition: JSONObject = [
    "key": "id",
    "schema": [
        "id": ["type": "string", "generated": "uuid"],
        "name": ["type": "string", "required": true],
        "role": ["type": "string", "default": "user"],
        "email": ["type": "string", "format": "email", "unique": true],
        "age": ["type": "number"],
    ],
    "indexes": ["role"],
]

extension JSONObject {
    /// The record without the store's metadata fields.
    var withoutMetadata: JSONObject {
        var copy = self
        for key in ["_version", "_createdAt", "_updatedAt", "_expiresAt"] { copy[key] = nil }
        return copy
    }
}

/// Collects persistence notices (torn tails, repair reports) for assertions.
final class Notices: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var add: @Sendable (String) -> Void { { [self] line in storage.withLock { $0.append(line) } } }
}
