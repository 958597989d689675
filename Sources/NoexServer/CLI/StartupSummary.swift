import Foundation
import NoexWebSocket
public import NoexWire

/// The lines `noex-server` prints at start besides the banner: which files the store is
/// restored from, what was restored and how long it took, what the schema file changed, and
/// readable messages for start failures.
public enum StartupSummary {
    /// A file the persistence reads at start, with its size before the store opens it.
    public struct PersistenceFile: Sendable, Hashable {
        /// The absolute path.
        public var path: String
        /// Its size in bytes.
        public var bytes: Int
    }

    /// The files the chosen persistence will read, as they are before the store opens them
    /// (the file adapter rewrites its snapshot and empties its log once restored).
    public static func persistenceFiles(_ settings: ServerSettings) -> [PersistenceFile] {
        let candidates: [String]
        switch settings.persistence {
        case .memory:
            return []
        case .file:
            let directory = ServerSettings.absolute(settings.dataDir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            candidates = names.sorted().map { directory + "/" + $0 }
        case .sqlite:
            let path = ServerSettings.absolute(settings.db)
            candidates = [path, path + "-wal"]
        }
        return candidates.compactMap { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { return nil }
            return PersistenceFile(path: path, bytes: (attributes[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// The line printed before a restore starts.
    public static func restoring(_ settings: ServerSettings, files: [PersistenceFile]) -> String? {
        switch settings.persistence {
        case .memory:
            return nil
        case .file, .sqlite:
            let location = settings.persistence == .file ? settings.dataDir : settings.db
            guard !files.isEmpty else { return "Store: \(location) is new, nothing to restore" }
            let total = files.reduce(0) { $0 + $1.bytes }
            return "Restoring store from \(location) (\(byteCount(total)))..."
        }
    }

    /// The progress line printed while a restore runs.
    public static func progress(elapsedSeconds: Int) -> String {
        "  still restoring... \(elapsedSeconds) s"
    }

    /// What was restored, from which files, in how long.
    /// - Parameters:
    ///   - settings: the resolved settings.
    ///   - files: the files read, from `persistenceFiles` before the store was opened.
    ///   - storeStats: `Store.stats()` right after the start.
    ///   - report: the server's startup report.
    ///   - restoreMs: how long opening the store took.
    public static func restored(
        _ settings: ServerSettings, files: [PersistenceFile], storeStats: JSONObject, report: StartupReport,
        restoreMs: Int
    ) -> [String] {
        guard settings.persistence != .memory else { return [] }
        let names = (storeStats["buckets"]?["names"]?.arrayValue ?? []).compactMap(\.stringValue)
        let perBucket = storeStats["records"]?["perBucket"]?.objectValue ?? [:]
        let userBuckets = names.filter { !$0.hasPrefix("_") }
        let records = userBuckets.reduce(0) { $0 + (perBucket[$1]?.integerValue ?? 0) }
        let sessions = perBucket["_sessions"]?.integerValue ?? 0
        var lines = [
            "Restored in \(restoreMs) ms: \(userBuckets.count) bucket(s) (+\(names.count - userBuckets.count) system), "
                + "\(records) record(s), \(sessions) session(s), \(report.restoredQueries) query(ies), "
                + "\(report.restoredProcedures) procedure(s), \(report.restoredRules) rule(s)"
        ]
        if !files.isEmpty {
            lines.append("  from " + files.map { "\($0.path) (\(byteCount($0.bytes)))" }.joined(separator: ", "))
        }
        return lines
    }

    /// What the schema file changed.
    public static func schema(path: String, report: StartupReport) -> String {
        let changes = report.schemaChanges.isEmpty ? "no changes" : report.schemaChanges.joined(separator: ", ")
        return "Schema \(path): \(changes); \(report.schemaUnchanged) unchanged"
    }

    /// The message for a failed `NoexServer.start`: the address for bind failures
    /// (`127.0.0.1:8080 already in use`), the definition for schema failures.
    public static func startFailure(_ error: any Error, host: String, port: Int) -> String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch error {
        case WebSocketError.system(let call, let code) where call == "bind" || call == "listen":
            if code == EADDRINUSE { return "\(address) already in use" }
            return "cannot listen on \(address): \(String(cString: strerror(code)))"
        case WebSocketError.invalidAddress:
            return "cannot listen on \(address): not a valid address"
        case let failure as SchemaApplication.Failure:
            return "schema: \(failure.description)"
        default:
            return "\(error)"
        }
    }

    /// `1.5 MB`, `12 KB`, `300 B`.
    static func byteCount(_ bytes: Int) -> String {
        if bytes >= 1_048_576 { return String(format: "%.1f MB", Double(bytes) / 1_048_576) }
        if bytes >= 1024 { return "\(bytes / 1024) KB" }
        return "\(bytes) B"
    }
}
