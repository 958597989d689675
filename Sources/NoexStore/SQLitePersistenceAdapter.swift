internal import CSQLite
internal import NoexWire
internal import Synchronization

/// Persistence in a SQLite database (WAL mode). Each batch of changes is one SQLite
/// transaction, committed before the writes it carries are acknowledged.
///
/// Tables: `noex_buckets(name, ord, definition, counter)`, `noex_records(bucket, key, ord,
/// data)` (key = canonical JSON of the primary key, ord = table order) and `noex_meta`.
public final class SQLitePersistenceAdapter: PersistenceAdapter {
    /// The connection and its prepared statements; only used under the mutex.
    struct Connection {
        var db: OpaquePointer?
        var statements: [String: OpaquePointer] = [:]
    }

    /// The database path.
    public let path: String
    private let connection: Mutex<Connection>

    /// Opens (creating if needed) a database.
    /// - Parameters:
    ///   - path: the database file.
    ///   - durability: `.fsync` selects `synchronous=FULL`, anything else `NORMAL`.
    /// - Throws: `StoreError.persistence` when the database cannot be opened or set up.
    public init(path: String, durability: Durability = .sync) throws(StoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw .persistence("Cannot open SQLite database \"\(path)\": \(message)")
        }
        let setup = """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=\(durability == .fsync ? "FULL" : "NORMAL");
            CREATE TABLE IF NOT EXISTS noex_meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS noex_buckets(name TEXT PRIMARY KEY, ord INTEGER NOT NULL,
                definition TEXT NOT NULL, counter INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS noex_records(bucket TEXT NOT NULL, key TEXT NOT NULL,
                ord INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(bucket, key)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS noex_records_ord ON noex_records(bucket, ord);
            """
        if let message = Self.exec(db, setup) {
            sqlite3_close(db)
            throw .persistence("Cannot set up SQLite database \"\(path)\": \(message)")
        }
        connection = Mutex(Connection(db: db))
    }

    private static func exec(_ db: OpaquePointer, _ sql: String) -> String? {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            return message
        }
        return nil
    }

    private func fail(_ c: Connection, _ what: String) -> StoreError {
        let message = c.db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        return .persistence("SQLite \(what) failed on \"\(path)\": \(message)")
    }

    /// Runs `sql` with `bindings` (cached prepared statement), calling `row` for each row.
    private func run(_ c: inout Connection, _ sql: String, _ bindings: [Binding], row: ((OpaquePointer) -> Void)? = nil)
        throws(StoreError)
    {
        guard let db = c.db else { throw .persistence("SQLite database \"\(path)\" is closed") }
        let statement: OpaquePointer
        if let cached = c.statements[sql] {
            statement = cached
        } else {
            var prepared: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &prepared, nil) == SQLITE_OK, let prepared else {
                throw fail(c, "prepare")
            }
            c.statements[sql] = prepared
            statement = prepared
        }
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, binding) in bindings.enumerated() {
            let index = Int32(i + 1)
            switch binding {
            case .text(let s): sqlite3_bind_text(statement, index, s, -1, noex_sqlite_transient())
            case .int(let n): sqlite3_bind_int64(statement, index, n)
            }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                row?(statement)
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw fail(c, "statement")
            }
        }
    }

    enum Binding {
        case text(String)
        case int(Int64)
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let p = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: p)
    }

    public func load() throws(StoreError) -> PersistedState {
        try connection.withLock { c throws(StoreError) -> PersistedState in
            var sequence: UInt64 = 0
            try run(&c, "SELECT v FROM noex_meta WHERE k = 'sequence'", []) { s in
                sequence = UInt64(max(0, sqlite3_column_int64(s, 0)))
            }
            var order: [String] = []
            var buckets: [String: PersistedBucket] = [:]
            var corrupt: String?
            try run(&c, "SELECT name, definition, counter FROM noex_buckets ORDER BY ord", []) { s in
                let name = Self.text(s, 0)
                guard let definition = (try? JSONText.parse(Self.text(s, 1)))?.objectValue else {
                    corrupt = name
                    return
                }
                order.append(name)
                buckets[name] = PersistedBucket(
                    name: name, definition: definition, counter: Int(sqlite3_column_int64(s, 2)), records: [])
            }
            try run(&c, "SELECT bucket, key, data FROM noex_records ORDER BY bucket, ord", []) { s in
                let bucket = Self.text(s, 0)
                guard buckets[bucket] != nil else { return }
                guard let key = try? JSONText.parse(Self.text(s, 1)),
                    let record = (try? JSONText.parse(Self.text(s, 2)))?.objectValue
                else {
                    corrupt = bucket
                    return
                }
                buckets[bucket]?.records.append((key, record))
            }
            if let corrupt { throw StoreError.persistence("Corrupt data for bucket \"\(corrupt)\" in \"\(path)\"") }
            return PersistedState(buckets: order.compactMap { buckets[$0] }, sequence: sequence)
        }
    }

    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        try connection.withLock { c throws(StoreError) in
            try run(&c, "BEGIN IMMEDIATE", [])
            do throws(StoreError) {
                for change in changes { try apply(&c, change) }
                if let last = changes.last {
                    try run(&c, "INSERT INTO noex_meta(k, v) VALUES('sequence', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                        [.int(Int64(last.sequence))])
                }
                try run(&c, "COMMIT", [])
            } catch {
                try? run(&c, "ROLLBACK", [])
                throw error
            }
        }
    }

    private func apply(_ c: inout Connection, _ change: SequencedChange) throws(StoreError) {
        let seq = Int64(change.sequence)
        switch change.change {
        case .defineBucket(let name, let definition, let counter):
            try run(&c, "DELETE FROM noex_records WHERE bucket = ?", [.text(name)])
            try run(&c, "INSERT OR REPLACE INTO noex_buckets(name, ord, definition, counter) VALUES(?, ?, ?, ?)",
                [.text(name), .int(seq), .text(JSONText.serialize(definition)), .int(Int64(counter))])
        case .redefineBucket(let name, let definition):
            try run(&c,
                "INSERT INTO noex_buckets(name, ord, definition, counter) VALUES(?, ?, ?, 0) ON CONFLICT(name) DO UPDATE SET definition = excluded.definition",
                [.text(name), .int(seq), .text(JSONText.serialize(definition))])
        case .dropBucket(let name):
            try run(&c, "DELETE FROM noex_records WHERE bucket = ?", [.text(name)])
            try run(&c, "DELETE FROM noex_buckets WHERE name = ?", [.text(name)])
        case .put(let bucket, let key, let record, let counter):
            try run(&c,
                "INSERT INTO noex_records(bucket, key, ord, data) VALUES(?, ?, ?, ?) ON CONFLICT(bucket, key) DO UPDATE SET data = excluded.data",
                [.text(bucket), .text(JSONText.serialize(key, sortedKeys: true)), .int(seq), .text(JSONText.serialize(record))])
            try run(&c, "UPDATE noex_buckets SET counter = MAX(counter, ?) WHERE name = ?", [.int(Int64(counter)), .text(bucket)])
        case .delete(let bucket, let key):
            try run(&c, "DELETE FROM noex_records WHERE bucket = ? AND key = ?",
                [.text(bucket), .text(JSONText.serialize(key, sortedKeys: true))])
        case .clear(let bucket):
            try run(&c, "DELETE FROM noex_records WHERE bucket = ?", [.text(bucket)])
        }
    }

    public var wantsSnapshot: Bool { false }

    public func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        try connection.withLock { c throws(StoreError) in
            try run(&c, "BEGIN IMMEDIATE", [])
            do throws(StoreError) {
                try run(&c, "DELETE FROM noex_records", [])
                try run(&c, "DELETE FROM noex_buckets", [])
                var ord: Int64 = 0
                for bucket in state.buckets {
                    ord += 1
                    try run(&c, "INSERT INTO noex_buckets(name, ord, definition, counter) VALUES(?, ?, ?, ?)",
                        [.text(bucket.name), .int(ord), .text(JSONText.serialize(bucket.definition)), .int(Int64(bucket.counter))])
                    for (key, record) in bucket.records {
                        ord += 1
                        try run(&c, "INSERT OR REPLACE INTO noex_records(bucket, key, ord, data) VALUES(?, ?, ?, ?)",
                            [.text(bucket.name), .text(JSONText.serialize(key, sortedKeys: true)), .int(ord),
                             .text(JSONText.serialize(record))])
                    }
                }
                try run(&c, "INSERT INTO noex_meta(k, v) VALUES('sequence', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                    [.int(Int64(state.sequence))])
                try run(&c, "COMMIT", [])
            } catch {
                try? run(&c, "ROLLBACK", [])
                throw error
            }
        }
    }

    public func close() throws(StoreError) {
        connection.withLock { c in
            for statement in c.statements.values { sqlite3_finalize(statement) }
            c.statements.removeAll()
            if let db = c.db { sqlite3_close(db) }
            c.db = nil
        }
    }

    deinit {
        try? close()
    }
}
