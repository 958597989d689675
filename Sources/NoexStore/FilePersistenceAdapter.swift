internal import Foundation
internal import NoexWire
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// Persistence in a directory: `snapshot.json` (the full state up to a sequence number) plus
/// `wal.log`, an append-only log written before a write is acknowledged. Both hold one
/// checksummed line per entry (`<crc32 hex> <JSON>`, see `ChecksummedLine`); logs and
/// snapshots written before checksums existed are still read.
///
/// Start-up takes `<directory>/.lock` (one owner per directory), loads the snapshot and
/// replays the log lines newer than it. Only a torn *last* line (a write cut short) is
/// dropped, with a notice; any other damage stops the start with an error naming the file
/// and line, unless `repair` is set: then every verifiable entry is kept, the damaged file is
/// copied aside as `<file>.damaged-<UTC time>` and the drops are reported. A write that
/// fails (a full disk) is cut back to the last complete line so that later writes never
/// follow a partial one. The log is folded into a new snapshot at start and whenever it
/// outgrows the last snapshot (at least 8 MiB).
public final class FilePersistenceAdapter: PersistenceAdapter {
    struct Files {
        var logFD: Int32 = -1
        /// The log's length up to its last complete line: where a failed write is cut back to.
        var logBytes = 0
        var snapshotBytes = 0
        /// A failed write could not be cut back yet; retried before the next append.
        var needsTruncate = false
        /// After a failed compaction, the log length at which to try again.
        var nextSnapshotAt = 0
    }

    /// The directory.
    public let directory: String
    /// Whether `load()` repairs damage instead of refusing to start.
    public let repair: Bool
    private let notice: @Sendable (String) -> Void
    private let files = Mutex(Files())
    private let lock: Mutex<OwnerLock?>
    /// Test hook: replaces `write(2)` for log appends (fd, pointer, count) → bytes, or -1 with `errno` set.
    let writeHook = Mutex<(@Sendable (Int32, UnsafeRawPointer, Int) -> Int)?>(nil)

    var snapshotPath: String { directory + "/snapshot.json" }
    var logPath: String { directory + "/wal.log" }

    /// Opens (creating if needed) a persistence directory and takes its lock.
    /// - Parameters:
    ///   - directory: the directory.
    ///   - repair: keep what verifies instead of refusing damaged files (see the type's doc).
    ///   - notice: where torn-tail and repair reports go (default: standard error).
    /// - Throws: `StoreError.persistence` when the directory cannot be created or another
    ///   process (or adapter) holds it.
    public init(directory: String, repair: Bool = false, notice: @escaping @Sendable (String) -> Void = PersistenceNotice.standardError)
        throws(StoreError)
    {
        self.directory = directory
        self.repair = repair
        self.notice = notice
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .persistence("Cannot create persistence directory \"\(directory)\": \(error)")
        }
        lock = Mutex(try OwnerLock(path: directory + "/.lock", guarding: "Data directory \"\(directory)\""))
    }

    // MARK: Reading

    /// The state read from the files, and what was wrong with them.
    struct Scanned {
        var state: PersistedState
        var replayed = 0
        var logLength = 0
        var logTorn: (line: Int, offset: Int, bytes: Int)?
        /// Damaged snapshot lines (or the whole legacy snapshot), in file order.
        var snapshotDamage: [LineScan.Damage] = []
        var snapshotOrphans = 0
        var snapshotBytes: [UInt8]?
        var logDamage: [LineScan.Damage] = []
        var logOrphans = 0
        var logBytes: [UInt8]?
        var logRecordsAfterFirstDamage = 0
    }

    private static func readFile(_ path: String) throws(StoreError) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .persistence("Cannot read \"\(path)\"") }
            return nil
        }
        return [UInt8](data)
    }

    /// Reads snapshot and log without changing anything.
    func scan() throws(StoreError) -> Scanned {
        var scanned = Scanned(state: PersistedState())
        var model = PersistedModel()
        let snapshot = try Self.readFile(snapshotPath)
        if let bytes = snapshot, bytes.isEmpty {
            // Written by rename after fsync, a snapshot is never empty: its content was lost.
            scanned.snapshotBytes = bytes
            scanned.snapshotDamage = [LineScan.Damage(line: 0, offset: 0, reason: "the file is empty")]
        } else if let bytes = snapshot {
            scanned.snapshotBytes = bytes
            if bytes.first == UInt8(ascii: "{") {
                // The single-JSON snapshot of earlier versions: all or nothing.
                if let value = try? JSONText.parse(String(decoding: bytes, as: UTF8.self)),
                    let state = PersistedState(json: value)
                {
                    model = PersistedModel(state)
                } else {
                    scanned.snapshotDamage = [LineScan.Damage(line: 1, offset: 0, reason: "not a valid snapshot (JSON)")]
                }
            } else {
                let lines = LineScan(bytes)
                let decoded = SnapshotLines.decode(lines, fileLength: bytes.count)
                var damage = lines.damaged + decoded.problems
                if let torn = lines.tornTail {
                    damage.append(LineScan.Damage(line: torn.line, offset: torn.offset, reason: "incomplete line"))
                }
                scanned.snapshotDamage = damage.sorted { $0.offset < $1.offset }
                scanned.snapshotOrphans = decoded.orphanRecords
                model = PersistedModel(decoded.state)
            }
        }
        if let bytes = try Self.readFile(logPath) {
            scanned.logBytes = bytes
            var lines = LineScan(bytes)
            var changes: [(LineScan.Entry, SequencedChange)] = []
            for entry in lines.entries {
                if let change = SequencedChange(json: entry.json) {
                    changes.append((entry, change))
                } else {
                    lines.reject(entry, "not a log record")
                }
            }
            if snapshot == nil, let first = changes.first, first.1.sequence > 1 {
                // A log starts at sequence 1 until the first snapshot; later ones follow a snapshot.
                scanned.snapshotDamage.append(LineScan.Damage(
                    line: 0, offset: 0,
                    reason: "the file is missing, but the log starts at sequence \(first.1.sequence) (the changes before it are lost)"))
            }
            for (_, change) in changes where change.sequence > model.sequence {
                if model.apply(change) { scanned.replayed += 1 } else { scanned.logOrphans += 1 }
            }
            scanned.logDamage = lines.damaged
            if let first = lines.damaged.first {
                scanned.logRecordsAfterFirstDamage = changes.count(where: { $0.0.offset > first.offset })
            }
            scanned.logTorn = lines.tornTail
            scanned.logLength = lines.validLength
        }
        scanned.state = model.state
        return scanned
    }

    private static func list(_ damage: [LineScan.Damage]) -> String {
        let shown = damage.prefix(10).map(\.text).joined(separator: "; ")
        return damage.count > 10 ? shown + "; and \(damage.count - 10) more" : shown
    }

    /// Reads the persisted state (see `PersistenceAdapter.load()`), repairing if asked.
    /// - Throws: `StoreError.persistence` naming the damaged file, line and byte offset.
    public func load() throws(StoreError) -> PersistedState {
        let scanned = try scan()
        let damaged = !scanned.snapshotDamage.isEmpty || !scanned.logDamage.isEmpty
        if damaged, !repair {
            let advice = "Nothing was changed. Start with --repair (StoreConfiguration.repair) to keep every verifiable "
                + "record, drop what cannot be verified and keep the damaged file as \"<file>.damaged-<time>\"."
            if let first = scanned.snapshotDamage.first {
                throw .persistence("Damaged snapshot \"\(snapshotPath)\"\(first.afterFileName). \(advice)")
            }
            let first = scanned.logDamage[0]
            throw .persistence(
                "Damaged write-ahead log \"\(logPath)\"\(first.afterFileName); \(scanned.logRecordsAfterFirstDamage) verifiable "
                    + "record(s) follow it. \(advice)")
        }
        if let torn = scanned.logTorn {
            notice("[persistence] \"\(logPath)\": dropped an incomplete last record at line \(torn.line) (byte offset "
                + "\(torn.offset), \(torn.bytes) byte(s)): a write cut short by a crash or a full disk, never acknowledged")
        }
        let state = scanned.state
        if damaged {
            let stamp = SQLiteRepair.damageTimestamp()
            var report: [String] = []
            if !scanned.snapshotDamage.isEmpty {
                let aside = try scanned.snapshotBytes.map { bytes throws(StoreError) in try keepAside(bytes, snapshotPath, stamp) }
                let records = state.buckets.reduce(0) { $0 + $1.records.count }
                report.append("snapshot \"\(snapshotPath)\": dropped \(scanned.snapshotDamage.count) damaged line(s) ("
                    + Self.list(scanned.snapshotDamage) + ")"
                    + (scanned.snapshotOrphans > 0 ? " and \(scanned.snapshotOrphans) verified record(s) of a bucket whose line was damaged" : "")
                    + "; restored \(state.buckets.count) bucket(s), \(records) record(s) in all"
                    + (aside.map { "; original kept as \"\($0)\"" } ?? ""))
            }
            if let bytes = scanned.logBytes, !scanned.logDamage.isEmpty || scanned.logOrphans > 0 {
                // Also when only orphans are dropped: the log is emptied below.
                let aside = try keepAside(bytes, logPath, stamp)
                report.append("log \"\(logPath)\": kept \(scanned.replayed) record(s)"
                    + (scanned.logDamage.isEmpty ? "" : ", dropped \(scanned.logDamage.count) damaged line(s) (" + Self.list(scanned.logDamage) + ")")
                    + (scanned.logOrphans > 0 ? ", dropped \(scanned.logOrphans) record(s) of a bucket that no longer exists" : "")
                    + "; original kept as \"\(aside)\"")
            }
            notice("[persistence] repair: " + report.joined(separator: "; "))
            // The repaired state replaces both files (the log is emptied once it is in the snapshot).
            try writeSnapshot(state)
        } else if repair {
            notice("[persistence] repair: \"\(directory)\" has no damaged data; nothing to repair")
        }
        try files.withLock { f throws(StoreError) in
            if f.logFD < 0 { try openLog(&f) }
        }
        if !damaged {
            if scanned.logTorn != nil {
                // Cut the torn tail off before anything is appended after it.
                try files.withLock { f throws(StoreError) in
                    guard ftruncate(f.logFD, off_t(scanned.logLength)) == 0 else {
                        throw .persistence("Cannot cut the torn tail off \"\(logPath)\": \(String(cString: strerror(errno)))")
                    }
                    f.logBytes = scanned.logLength
                }
            }
            if scanned.replayed > 0 || scanned.snapshotBytes?.first == UInt8(ascii: "{") {
                // Fold the log into a fresh snapshot; on failure (a full disk) keep both files as they are.
                do throws(StoreError) {
                    try writeSnapshot(state)
                } catch {
                    notice("[persistence] could not fold \"\(logPath)\" into a new snapshot (\(error.message)); continuing with the log")
                }
            }
        }
        return state
    }

    /// Reads the state back without changing the files (after a failed write was undone).
    public func reload() throws(StoreError) -> PersistedState {
        let scanned = try scan()
        if let first = scanned.snapshotDamage.first ?? scanned.logDamage.first {
            throw .persistence("Persisted data in \"\(directory)\" became unreadable\(first.afterFileName)")
        }
        return scanned.state
    }

    /// Copies `bytes` (a damaged file's content) next to it; returns the copy's path.
    private func keepAside(_ bytes: [UInt8], _ path: String, _ stamp: String) throws(StoreError) -> String {
        var aside = "\(path).damaged-\(stamp)"
        var n = 1
        while FileManager.default.fileExists(atPath: aside) {
            n += 1
            aside = "\(path).damaged-\(stamp)-\(n)"
        }
        let fd = open(aside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .persistence("Cannot create \"\(aside)\": \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        do throws(StoreError) {
            try Self.writeAll(fd, bytes[...], path: aside, hook: nil)
            guard fsync(fd) == 0 else { throw .persistence("Cannot fsync \"\(aside)\": \(String(cString: strerror(errno)))") }
        } catch {
            unlink(aside)
            throw error
        }
        return aside
    }

    private func openLog(_ f: inout Files) throws(StoreError) {
        let existed = access(logPath, F_OK) == 0
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .persistence("Cannot open log \"\(logPath)\": \(String(cString: strerror(errno)))") }
        if !existed {
            // A new file's name must be on disk too before `.fsync` writes to it count.
            let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dirFD >= 0 {
                fsync(dirFD)
                Glibc.close(dirFD)
            }
        }
        var info = stat()
        fstat(fd, &info)
        f.logFD = fd
        f.logBytes = Int(info.st_size)
    }

    // MARK: Writing

    /// Writes all of `bytes`; throws on the first error (the caller cuts back what was written).
    private static func writeAll(
        _ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String, hook: (@Sendable (Int32, UnsafeRawPointer, Int) -> Int)?
    ) throws(StoreError) {
        var offset = 0
        let total = bytes.count
        while offset < total {
            let n = bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + offset
                return hook.map { $0(fd, p, total - offset) } ?? Glibc.write(fd, p, total - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .persistence("Cannot write \"\(path)\": \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .persistence("Cannot write \"\(path)\": no progress") }
            offset += n
        }
    }

    /// Applies a batch of changes in order (see `PersistenceAdapter.write(_:durability:)`).
    ///
    /// On failure nothing of the batch stays in the log: a partial append is cut back, so a
    /// later write never follows a partial line.
    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(changes.count * 256)
        for change in changes { ChecksummedLine.append(change.json, to: &bytes) }
        let hook = writeHook.withLock { $0 }
        try files.withLock { f throws(StoreError) in
            if f.logFD < 0 { try openLog(&f) }
            let fd = f.logFD
            if f.needsTruncate {
                guard ftruncate(fd, off_t(f.logBytes)) == 0 else {
                    throw StoreError.persistence(
                        "Cannot cut \"\(logPath)\" back to its last complete record: \(String(cString: strerror(errno)))")
                }
                f.needsTruncate = false
            }
            do throws(StoreError) {
                try Self.writeAll(fd, bytes[...], path: logPath, hook: hook)
                if durability == .fsync, fsync(fd) != 0 {
                    throw StoreError.persistence("Cannot fsync \"\(logPath)\": \(String(cString: strerror(errno)))")
                }
            } catch {
                // Cut the partial batch off; if that fails too, the next write retries first.
                f.needsTruncate = ftruncate(fd, off_t(f.logBytes)) != 0
                throw error
            }
            f.logBytes += bytes.count
        }
    }

    /// Whether a full snapshot would help (see `PersistenceAdapter.wantsSnapshot`).
    public var wantsSnapshot: Bool {
        files.withLock { f in f.logBytes > Swift.max(8 << 20, f.snapshotBytes, f.nextSnapshotAt) }
    }

    /// Replaces the stored state (see `PersistenceAdapter.writeSnapshot(_:)`): written to a
    /// temporary file, fsynced, renamed over the snapshot, then the log is emptied.
    public func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        let tmp = snapshotPath + ".tmp"
        try files.withLock { f throws(StoreError) in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw StoreError.persistence("Cannot write snapshot \"\(tmp)\": \(String(cString: strerror(errno)))")
            }
            var total = 0
            do throws(StoreError) {
                var chunk: [UInt8] = []
                chunk.reserveCapacity(1 << 20)
                var lines = 0
                func emit(_ json: JSONValue) throws(StoreError) {
                    ChecksummedLine.append(json, to: &chunk)
                    lines += 1
                    if chunk.count >= 1 << 20 {
                        try Self.writeAll(fd, chunk[...], path: tmp, hook: nil)
                        total += chunk.count
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                try emit(SnapshotLines.header(sequence: state.sequence))
                for bucket in state.buckets {
                    try emit(SnapshotLines.bucket(bucket))
                    for (key, record) in bucket.records {
                        try emit(SnapshotLines.record(bucket: bucket.name, key: key, record: record))
                    }
                }
                try emit(SnapshotLines.end(lines: lines))
                try Self.writeAll(fd, chunk[...], path: tmp, hook: nil)
                total += chunk.count
                // The snapshot replaces log entries, so it must be on disk before the log is emptied.
                guard fsync(fd) == 0 else {
                    throw StoreError.persistence("Cannot fsync snapshot \"\(tmp)\": \(String(cString: strerror(errno)))")
                }
            } catch {
                Glibc.close(fd)
                unlink(tmp)
                f.nextSnapshotAt = f.logBytes + (1 << 20)
                throw error
            }
            Glibc.close(fd)
            guard rename(tmp, snapshotPath) == 0 else {
                unlink(tmp)
                throw StoreError.persistence("Cannot rename snapshot into \"\(snapshotPath)\": \(String(cString: strerror(errno)))")
            }
            let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dirFD >= 0 {
                fsync(dirFD)
                Glibc.close(dirFD)
            }
            if f.logFD >= 0 {
                ftruncate(f.logFD, 0)
            } else {
                let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                if fd >= 0 { Glibc.close(fd) }
            }
            f.logBytes = 0
            f.needsTruncate = false
            f.nextSnapshotAt = 0
            f.snapshotBytes = total
        }
    }

    /// Releases files, handles and the directory lock.
    public func close() throws(StoreError) {
        files.withLock { f in
            if f.logFD >= 0 {
                fsync(f.logFD)
                Glibc.close(f.logFD)
                f.logFD = -1
            }
        }
        lock.withLock { $0 = nil }
    }

    deinit {
        files.withLock { f in
            if f.logFD >= 0 { Glibc.close(f.logFD) }
        }
    }
}
