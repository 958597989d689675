internal import CSQLite
internal import NoexWire
internal import Synchronization

/// Persistence in a SQLite database (WAL mode). Each batch of changes is one SQLite
/// transaction, committed before the writes it carries are acknowledged.
///
/// Tables: `noex_buckets(name, ord, definition, counter)`, `noex_records(bucket, key, ord,
/// data)` (key = canonical JSON of the primary key, ord = table order) and `noex_meta`.
/// A commit touches as few pages as possible (no secondary index, no sequence row, and the
/// insert counter rides in the record row; a delete folds it into `noex_buckets` first):
/// restore sorts by `ord` and takes the largest counter once at start instead.
public final class SQLitePersistenceAdapter: PersistenceAdapter {
    /// The connection and its prepared statements; only used under the mutex.
    struct Connection {
        var db: OpaquePointer?
        var statements: [String: OpaquePointer] = [:]
    }

    /// The database path.
    public let path: String
    private let connection: Mutex<Connection>
    private let lock: Mutex<OwnerLock?>

    /// Opens (creating if needed) a database, takes `<path>.lock` and checks the database's
    /// integrity (`PRAGMA quick_check`).
    /// - Parameters:
    ///   - path: the database file.
    ///   - durability: `.fsync` selects `synchronous=FULL`, anything else `NORMAL`.
    ///   - repair: when the check fails, copy every readable row into a fresh database and
    ///     keep the damaged one aside as `<path>.damaged-<UTC time>` instead of refusing.
    ///   - notice: where a repair report goes (default: standard error).
    /// - Throws: `StoreError.persistence` when the database cannot be opened or set up, fails
    ///   its integrity check (without `repair`), or another process or adapter holds it.
    public init(
        path: String, durability: Durability = .sync, repair: Bool = false,
        notice: @escaping @Sendable (String) -> Void = PersistenceNotice.standardError
    ) throws(StoreError) {
        self.path = path
        // An in-memory or temporary database (":memory:", "") has no file to own.
        let lock = path == ":memory:" || path.isEmpty
            ? nil : try OwnerLock(path: path + ".lock", guarding: "SQLite database \"\(path)\"")
        var db = try Self.open(path)
        // Until the check has passed, closing must not checkpoint the WAL into a damaged file.
        noex_sqlite_no_checkpoint_on_close(db, 1)
        let problems = Self.integrityProblems(db)
        if problems.isEmpty { noex_sqlite_no_checkpoint_on_close(db, 0) }
        if !problems.isEmpty {
            let shown = problems.prefix(5).joined(separator: "; ") + (problems.count > 5 ? "; …" : "")
            guard repair else {
                sqlite3_close(db)
                throw .persistence(
                    "SQLite database \"\(path)\" failed its integrity check: \(shown). Nothing was changed. Start with "
                        + "--repair (StoreConfiguration.repair) to copy every readable row into a fresh database and keep "
                        + "the damaged file as \"\(path).damaged-<time>\".")
            }
            db = try SQLiteRepair(path: path, durability: durability, notice: notice).run(damaged: db, problems: shown)
        } else if repair {
            notice("[persistence] repair: SQLite database \"\(path)\" passed its integrity check; nothing to repair")
        }
        if let message = Self.exec(db, Self.setup(durability)) {
            sqlite3_close(db)
            throw .persistence("Cannot set up SQLite database \"\(path)\": \(message)")
        }
        connection = Mutex(Connection(db: db))
        self.lock = Mutex(lock)
    }

    /// Opens the file (no setup yet).
    static func open(_ path: String) throws(StoreError) -> OpaquePointer {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw .persistence("Cannot open SQLite database \"\(path)\": \(message)")
        }
        return db
    }

    /// The pragmas and tables of a noex database.
    static func setup(_ durability: Durability) -> String {
        """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=\(durability == .fsync ? "FULL" : "NORMAL");
        CREATE TABLE IF NOT EXISTS noex_meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS noex_buckets(name TEXT PRIMARY KEY, ord INTEGER NOT NULL,
            definition TEXT NOT NULL, counter INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS noex_records(bucket TEXT NOT NULL, key TEXT NOT NULL,
            ord INTEGER NOT NULL, data TEXT NOT NULL, counter INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(bucket, key)) WITHOUT ROWID;
        """
    }

    /// What `PRAGMA quick_check` reports (empty when the database is sound), or why it could not run.
    static func integrityProblems(_ db: OpaquePointer) -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &statement, nil) == SQLITE_OK, let statement else {
            return [String(cString: sqlite3_errmsg(db))]
        }
        defer { sqlite3_finalize(statement) }
        var problems: [String] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                // One row may hold several lines ("*** in database main ***\nPage 7: …").
                let row = text(statement, 0)
                if row != "ok" {
                    problems += row.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("***") && !$0.isEmpty }
                }
            } else if rc == SQLITE_DONE {
                return problems
            } else {
                problems.append(String(cString: sqlite3_errmsg(db)))
                return problems
            }
        }
    }

    static func exec(_ db: OpaquePointer, _ sql: String) -> String? {
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

    static func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let p = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: p)
    }

    /// Reads the persisted state (see `PersistenceAdapter.load()`).
    public func load() throws(StoreError) -> PersistedState {
        try connection.withLock { c throws(StoreError) -> PersistedState in
            var sequence: UInt64 = 0
            // Commits do not write the sequence (one page less per commit); it is recovered as
            // the largest order number in use, which is all new changes must exceed.
            for sql in ["SELECT v FROM noex_meta WHERE k = 'sequence'", "SELECT MAX(ord) FROM noex_records",
                        "SELECT MAX(ord) FROM noex_buckets"] {
                try run(&c, sql, []) { s in
                    sequence = Swift.max(sequence, UInt64(Swift.max(0, sqlite3_column_int64(s, 0))))
                }
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
            try run(&c, "SELECT bucket, MAX(counter) FROM noex_records GROUP BY bucket", []) { s in
                let bucket = Self.text(s, 0)
                guard let saved = buckets[bucket] else { return }
                buckets[bucket]?.counter = Swift.max(saved.counter, Int(sqlite3_column_int64(s, 1)))
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

    /// Applies a batch of changes in order (see `PersistenceAdapter.write(_:durability:)`).
    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        try connection.withLock { c throws(StoreError) in
            try run(&c, "BEGIN IMMEDIATE", [])
            do throws(StoreError) {
                for change in changes { try apply(&c, change) }
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
                "INSERT INTO noex_records(bucket, key, ord, data, counter) VALUES(?, ?, ?, ?, ?) ON CONFLICT(bucket, key) DO UPDATE SET data = excluded.data, counter = excluded.counter",
                [.text(bucket), .text(JSONText.serialize(key, sortedKeys: true)), .int(seq), .text(JSONText.serialize(record)),
                 .int(Int64(counter))])
        case .delete(let bucket, let key):
            let canonical = JSONText.serialize(key, sortedKeys: true)
            try run(&c,
                "UPDATE noex_buckets SET counter = MAX(counter, COALESCE((SELECT counter FROM noex_records WHERE bucket = ?1 AND key = ?2), 0)) WHERE name = ?1",
                [.text(bucket), .text(canonical)])
            try run(&c, "DELETE FROM noex_records WHERE bucket = ? AND key = ?", [.text(bucket), .text(canonical)])
        case .clear(let bucket):
            try run(&c,
                "UPDATE noex_buckets SET counter = MAX(counter, COALESCE((SELECT MAX(counter) FROM noex_records WHERE bucket = ?1), 0)) WHERE name = ?1",
                [.text(bucket)])
            try run(&c, "DELETE FROM noex_records WHERE bucket = ?", [.text(bucket)])
        }
    }

    /// Whether a full snapshot would help (see `PersistenceAdapter.wantsSnapshot`).
    public var wantsSnapshot: Bool { false }

    /// Replaces the stored state (see `PersistenceAdapter.writeSnapshot(_:)`).
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

    /// Releases files, handles and the lock.
    public func close() throws(StoreError) {
        connection.withLock { c in
            for statement in c.statements.values { sqlite3_finalize(statement) }
            c.statements.removeAll()
            if let db = c.db { sqlite3_close(db) }
            c.db = nil
        }
        lock.withLock { $0 = nil }
    }

    deinit {
        try? close()
    }
}
