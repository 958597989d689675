internal import Foundation
internal import NoexWire
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// Persistence in a directory: `snapshot.json` (full state up to a sequence number) plus
/// `wal.log`, an append-only log of JSON lines written before a write is acknowledged.
///
/// Start-up loads the snapshot, replays log lines newer than it (a torn last line from a
/// crash is ignored), then writes a fresh snapshot and empties the log. The log is folded
/// into a new snapshot whenever it outgrows the last snapshot (at least 8 MiB).
public final class FilePersistenceAdapter: PersistenceAdapter {
    struct Files {
        var logFD: Int32 = -1
        var logBytes = 0
        var snapshotBytes = 0
    }

    /// The directory.
    public let directory: String
    private let files = Mutex(Files())

    var snapshotPath: String { directory + "/snapshot.json" }
    var logPath: String { directory + "/wal.log" }

    /// Opens (creating if needed) a persistence directory.
    /// - Throws: `StoreError.persistence` when the directory cannot be created.
    public init(directory: String) throws(StoreError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .persistence("Cannot create persistence directory \"\(directory)\": \(error)")
        }
    }

    public func load() throws(StoreError) -> PersistedState {
        var model = PersistedModel()
        if let data = FileManager.default.contents(atPath: snapshotPath) {
            guard let text = String(data: data, encoding: .utf8), let value = try? JSONText.parse(text),
                let state = PersistedState(json: value)
            else { throw .persistence("Corrupt snapshot file \"\(snapshotPath)\"") }
            model = PersistedModel(state)
        }
        var replayed = 0
        if let data = FileManager.default.contents(atPath: logPath) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let value = try? JSONText.parse(String(decoding: line, as: UTF8.self)),
                    let change = SequencedChange(json: value)
                else { break }  // a torn tail: everything after it was never acknowledged
                model.apply(change)
                replayed += 1
            }
        }
        let state = model.state
        if replayed > 0 || FileManager.default.fileExists(atPath: logPath) == false {
            try writeSnapshot(state)
        }
        try files.withLock { f throws(StoreError) in
            if f.logFD < 0 { f.logFD = try Self.openLog(logPath) }
        }
        return state
    }

    private static func openLog(_ path: String) throws(StoreError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .persistence("Cannot open log \"\(path)\": errno \(errno)") }
        return fd
    }

    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(changes.count * 256)
        for change in changes {
            JSONText.write(change.json, into: &bytes, sortedKeys: false)
            bytes.append(UInt8(ascii: "\n"))
        }
        try files.withLock { f throws(StoreError) in
            if f.logFD < 0 { f.logFD = try Self.openLog(logPath) }
            let fd = f.logFD
            let total = bytes.count
            var offset = 0
            while offset < total {
                let n = bytes.withUnsafeMutableBytes { raw in
                    Glibc.write(fd, raw.baseAddress! + offset, total - offset)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.persistence("Cannot write log \"\(logPath)\": errno \(errno)")
                }
                offset += n
            }
            if durability == .fsync, fsync(fd) != 0 {
                throw StoreError.persistence("Cannot fsync log \"\(logPath)\": errno \(errno)")
            }
            f.logBytes += total
        }
    }

    public var wantsSnapshot: Bool {
        files.withLock { f in f.logBytes > Swift.max(8 << 20, f.snapshotBytes) }
    }

    public func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        let text = JSONText.serialize(state.json)
        let tmp = snapshotPath + ".tmp"
        try files.withLock { f throws(StoreError) in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError.persistence("Cannot write snapshot \"\(tmp)\": errno \(errno)") }
            var bytes = Array(text.utf8)
            let total = bytes.count
            var offset = 0
            while offset < total {
                let n = bytes.withUnsafeMutableBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, total - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    Glibc.close(fd)
                    throw StoreError.persistence("Cannot write snapshot \"\(tmp)\": errno \(errno)")
                }
                offset += n
            }
            // The snapshot replaces log entries, so it must be on disk before the log is emptied.
            fsync(fd)
            Glibc.close(fd)
            guard rename(tmp, snapshotPath) == 0 else {
                throw StoreError.persistence("Cannot rename snapshot into \"\(snapshotPath)\": errno \(errno)")
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
            f.snapshotBytes = total
        }
    }

    public func close() throws(StoreError) {
        files.withLock { f in
            if f.logFD >= 0 {
                fsync(f.logFD)
                Glibc.close(f.logFD)
                f.logFD = -1
            }
        }
    }

    deinit {
        files.withLock { f in
            if f.logFD >= 0 { Glibc.close(f.logFD) }
        }
    }
}
