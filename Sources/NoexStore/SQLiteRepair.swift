internal import CSQLite
internal import Foundation
internal import NoexWire

#if canImport(Glibc)
    internal import Glibc
#endif

/// Rebuilds a damaged noex SQLite database: copies every row it can read into a fresh
/// database, keeps the damaged file aside and reports what it kept and where reading failed.
///
/// Rows are read per bucket in key order and, when a damaged page stops the scan, again in
/// reverse key order, so rows on both sides of a damaged page are kept. A row counts as
/// verified when SQLite returns it without error and its JSON parses.
struct SQLiteRepair {
    let path: String
    let durability: Durability
    let notice: @Sendable (String) -> Void

    struct Row {
        var key: String
        var ord: Int64
        var data: String
        var counter: Int64
    }

    struct Bucket {
        var name: String
        var ord: Int64
        var definition: String
        var counter: Int64
        var rows: [String: Row] = [:]
    }

    /// Repairs; returns the fresh database, opened at `path`. Closes `damaged`.
    func run(damaged: OpaquePointer, problems: String) throws(StoreError) -> OpaquePointer {
        var errors: [String] = []
        var meta: [(String, Int64)] = []
        scan(damaged, "SELECT k, v FROM noex_meta", [], &errors) { s in
            meta.append((SQLitePersistenceAdapter.text(s, 0), sqlite3_column_int64(s, 1)))
        }
        var buckets: [Bucket] = []
        var names = Set<String>()
        for order in ["ASC", "DESC"] {
            scan(damaged, "SELECT name, ord, definition, counter FROM noex_buckets ORDER BY name \(order)", [], &errors) { s in
                let name = SQLitePersistenceAdapter.text(s, 0)
                let definition = SQLitePersistenceAdapter.text(s, 2)
                guard !names.contains(name), (try? JSONText.parse(definition))?.objectValue != nil else { return }
                names.insert(name)
                buckets.append(Bucket(name: name, ord: sqlite3_column_int64(s, 1), definition: definition,
                    counter: sqlite3_column_int64(s, 3)))
            }
        }
        var unreadable = 0
        for i in buckets.indices {
            for order in ["ASC", "DESC"] {
                scan(damaged, "SELECT key, ord, data, counter FROM noex_records WHERE bucket = ? ORDER BY key \(order)",
                    [buckets[i].name], &errors)
                { s in
                    let key = SQLitePersistenceAdapter.text(s, 0)
                    let data = SQLitePersistenceAdapter.text(s, 2)
                    guard buckets[i].rows[key] == nil else { return }
                    guard (try? JSONText.parse(key)) != nil, (try? JSONText.parse(data))?.objectValue != nil else {
                        unreadable += 1
                        return
                    }
                    buckets[i].rows[key] = Row(key: key, ord: sqlite3_column_int64(s, 1), data: data,
                        counter: sqlite3_column_int64(s, 3))
                }
            }
        }
        sqlite3_close(damaged)

        let stamp = Self.damageTimestamp()
        let fresh = path + ".repair-\(stamp)"
        unlink(fresh)
        let db = try SQLitePersistenceAdapter.open(fresh)
        do throws(StoreError) {
            try write(db, buckets: buckets, meta: meta)
        } catch {
            sqlite3_close(db)
            unlink(fresh)
            throw error
        }
        sqlite3_close(db)
        let aside = path + ".damaged-\(stamp)"
        guard rename(path, aside) == 0 else {
            throw .persistence("Cannot move \"\(path)\" aside to \"\(aside)\": \(String(cString: strerror(errno)))")
        }
        // The damaged database's log belongs with it; the shared-memory index is rebuilt.
        _ = rename(path + "-wal", aside + "-wal")
        unlink(path + "-shm")
        guard rename(fresh, path) == 0 else {
            throw .persistence("Cannot move the repaired database \"\(fresh)\" to \"\(path)\": \(String(cString: strerror(errno)))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = Glibc.open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            Glibc.close(dirFD)
        }
        let records = buckets.reduce(0) { $0 + $1.rows.count }
        let failures = errors.isEmpty ? "none" : Array(Set(errors)).sorted().prefix(5).joined(separator: "; ")
        notice("[persistence] repair: SQLite database \"\(path)\" failed its integrity check (\(problems)); kept "
            + "\(buckets.count) bucket(s) and \(records) record(s) that could be read and verified"
            + (unreadable > 0 ? ", dropped \(unreadable) row(s) that did not parse" : "")
            + "; read errors: \(failures) (rows on damaged pages are lost); original kept as \"\(aside)\"")
        return try SQLitePersistenceAdapter.open(path)
    }

    /// Runs a query, calling `row` per row; a failing step ends the scan and is recorded.
    private func scan(
        _ db: OpaquePointer, _ sql: String, _ bindings: [String], _ errors: inout [String], row: (OpaquePointer) -> Void
    ) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            errors.append(String(cString: sqlite3_errmsg(db)))
            return
        }
        defer { sqlite3_finalize(statement) }
        for (i, text) in bindings.enumerated() {
            sqlite3_bind_text(statement, Int32(i + 1), text, -1, noex_sqlite_transient())
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                row(statement)
            } else {
                if rc != SQLITE_DONE { errors.append(String(cString: sqlite3_errmsg(db))) }
                return
            }
        }
    }

    private func write(_ db: OpaquePointer, buckets: [Bucket], meta: [(String, Int64)]) throws(StoreError) {
        if let message = SQLitePersistenceAdapter.exec(db, SQLitePersistenceAdapter.setup(durability) + "BEGIN;") {
            throw .persistence("Cannot create the repaired database for \"\(path)\": \(message)")
        }
        func insert(_ sql: String, _ values: [Any]) throws(StoreError) {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw .persistence("Cannot write the repaired database: \(String(cString: sqlite3_errmsg(db)))")
            }
            defer { sqlite3_finalize(statement) }
            for (i, value) in values.enumerated() {
                if let text = value as? String {
                    sqlite3_bind_text(statement, Int32(i + 1), text, -1, noex_sqlite_transient())
                } else if let n = value as? Int64 {
                    sqlite3_bind_int64(statement, Int32(i + 1), n)
                }
            }
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw .persistence("Cannot write the repaired database: \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        for (k, v) in meta { try insert("INSERT OR REPLACE INTO noex_meta(k, v) VALUES(?, ?)", [k, v]) }
        for bucket in buckets {
            try insert("INSERT INTO noex_buckets(name, ord, definition, counter) VALUES(?, ?, ?, ?)",
                [bucket.name, bucket.ord, bucket.definition, bucket.counter])
            for row in bucket.rows.values {
                try insert("INSERT INTO noex_records(bucket, key, ord, data, counter) VALUES(?, ?, ?, ?, ?)",
                    [bucket.name, row.key, row.ord, row.data, row.counter])
            }
        }
        if let message = SQLitePersistenceAdapter.exec(db, "COMMIT;") {
            throw .persistence("Cannot write the repaired database: \(message)")
        }
    }

    /// The UTC time in a damaged file's aside name (`<file>.damaged-20261204T172754Z`), for
    /// both adapters.
    static func damageTimestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y%m%dT%H%M%SZ", &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
