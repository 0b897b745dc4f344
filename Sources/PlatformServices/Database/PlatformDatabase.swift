import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import SQLKit
import SQLiteKit

/// The platform's database: one SQL layer (SQLKit) over SQLite (embedded default) or PostgreSQL (scale-out).
///
/// Store methods never see the engine; they get an `SQLDatabase` from `read` or `write`. `write` runs its body in a
/// transaction and, on SQLite, serialises writers (SQLite has one writer at a time; readers use their own
/// connections in WAL mode, so the worklist never waits for an ingest).
///
/// ```swift
/// let db = try await PlatformDatabase.open(url: "sqlite:/var/lib/mi/index.sqlite")
/// try await db.migrate()
/// ```
public final class PlatformDatabase: Sendable {
    /// Which engine is behind the SQL layer.
    public enum Engine: String, Sendable { case sqlite, postgres }

    /// The engine in use.
    public let engine: Engine
    private let backend: Backend
    let logger: Logger
    /// Write transactions so far (SQLite refreshes its planner statistics every `optimizeInterval` of them).
    private let writes = ManagedAtomicCounter()
    static let optimizeInterval = 5_000

    private enum Backend: Sendable {
        case sqlite(writer: SQLiteConnection, readers: [SQLiteConnection], gate: AsyncGate, next: RoundRobin)
        case postgres(client: PostgresClient, task: Task<Void, Never>)
    }

    private init(engine: Engine, backend: Backend, logger: Logger) {
        self.engine = engine
        self.backend = backend
        self.logger = logger
    }

    /// Opens a database by URL: `sqlite:PATH` (created if missing) or `postgres://user:pass@host:port/db`.
    public static func open(url: String, readers: Int = 4, logger: Logger = Logger(label: "mi.database")) async throws -> PlatformDatabase {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw PlatformError.invalid("database", "sqlite: URL needs a file path") }
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger).get()
            try await configureSQLite(writer, logger: logger, isWriter: true)
            var readerConnections: [SQLiteConnection] = []
            for _ in 0..<max(1, readers) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger).get()
                try await configureSQLite(reader, logger: logger, isWriter: false)
                readerConnections.append(reader)
            }
            return PlatformDatabase(engine: .sqlite,
                                    backend: .sqlite(writer: writer, readers: readerConnections, gate: AsyncGate(), next: RoundRobin()),
                                    logger: logger)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard let sqlConfiguration = try? SQLPostgresConfiguration(url: url) else {
                throw PlatformError.invalid("database", "cannot read the PostgreSQL URL")
            }
            let core = sqlConfiguration.coreConfiguration
            guard let host = core.host else { throw PlatformError.invalid("database", "PostgreSQL URL needs a host") }
            let tls = try PostgresTLS(url: url)
            // One connection first, so that a wrong password, host or TLS setting is a clear error at once (the pool
            // would keep retrying in the background).
            do {
                let probe = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(),
                    configuration: .init(host: host, port: core.port ?? 5432, username: core.username, password: core.password,
                                         database: core.database, tls: try tls.connection()),
                    id: 0, logger: logger).get()
                try await probe.close()
            } catch {
                throw PlatformError(.storageFailure, "cannot connect to PostgreSQL at \(host): \(String(reflecting: error))")
            }
            var configuration = PostgresClient.Configuration(host: host, port: core.port ?? 5432, username: core.username,
                                                             password: core.password, database: core.database, tls: tls.client)
            configuration.options.maximumConnections = 16
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let task = Task { await client.run() }
            let database = PlatformDatabase(engine: .postgres, backend: .postgres(client: client, task: task), logger: logger)
            // Fail now, with a clear error, rather than on the first request.
            do { _ = try await database.read { try await $0.raw("SELECT 1").all() } } catch {
                task.cancel()
                throw PlatformError(.storageFailure, "cannot connect to PostgreSQL at \(host): \(String(reflecting: error))")
            }
            return database
        }
        throw PlatformError.invalid("database", "database URL must start with sqlite: or postgres://")
    }

    private static func configureSQLite(_ connection: SQLiteConnection, logger: Logger, isWriter: Bool) async throws {
        let sql = connection.sql()
        if isWriter {
            _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
            // The planner needs statistics to choose between the worklist indexes (sqlite.org/lang_analyze.html:
            // "optimize" at open, then now and then on long-lived connections; it analyzes only what changed).
            _ = try await sql.raw("PRAGMA optimize=0x10002").all()
        }
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        try await sql.raw("PRAGMA busy_timeout=10000").run()
        try await sql.raw("PRAGMA foreign_keys=ON").run()
    }

    /// Runs `body` with a connection for reading. Statements may run concurrently with other readers and a writer.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers, _, let next):
            return try await body(readers[next.take(readers.count)].sql())
        case .postgres(let client, _):
            return try await client.withConnection { connection in try await body(connection.sql()) }
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _, let gate, _):
            let optimize = writes.next() % Self.optimizeInterval == Self.optimizeInterval - 1
            // IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way on a busy database.
            return try await gate.withLock {
                let sql = writer.sql()
                let result = try await Self.transaction(sql, begin: "BEGIN IMMEDIATE", body)
                if optimize { _ = try? await sql.raw("PRAGMA optimize").all() }
                return result
            }
        case .postgres(let client, _):
            return try await client.withConnection { connection in try await Self.transaction(connection.sql(), begin: "BEGIN", body) }
        }
    }

    /// Like `write`, but runs `body` again (up to `attempts` times in all) when PostgreSQL reports a conflict with a
    /// concurrent transaction that a fresh attempt resolves: a unique key another transaction inserted meanwhile
    /// (23505), a deadlock (40P01) or a serialization failure (40001). `body` must be safe to repeat. SQLite
    /// serialises writers, so it never conflicts this way.
    public func writeRetryingConflicts<T: Sendable>(attempts: Int = 4,
                                                    _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await write(body)
            } catch where attempt < attempts && Self.isConcurrentConflict(error) {
                attempt += 1
            }
        }
    }

    /// Whether `error` is PostgreSQL's unique violation, deadlock or serialization failure.
    static func isConcurrentConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "23505" || state == "40P01" || state == "40001"
    }

    private static func transaction<T: Sendable>(_ sql: any SQLDatabase, begin: String,
                                                 _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await sql.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Closes every connection.
    public func close() async {
        switch backend {
        case .sqlite(let writer, let readers, _, _):
            for connection in readers { try? await connection.close() }
            try? await writer.close()
        case .postgres(_, let task):
            task.cancel()
            _ = await task.value
        }
    }
}

/// A FIFO async lock: one holder at a time, waiters resumed in order.
actor AsyncGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

/// A lock-free counter that hands out indices in turn.
final class RoundRobin: Sendable {
    private let counter = ManagedAtomicCounter()
    func take(_ count: Int) -> Int { counter.next() % count }
}

/// TLS to PostgreSQL as libpq's `sslmode` spells it in the database URL (`?sslmode=…`, also `tlsmode`): `disable`;
/// `allow` or `prefer` (the default: encrypted when the server offers it); `require` (encrypted, the certificate not
/// checked); `verify-ca` (the chain checked against the system's roots or `sslrootcert=FILE`); `verify-full` (the
/// chain and the host name).
struct PostgresTLS {
    enum Mode { case disable, prefer, require }
    let mode: Mode
    let configuration: TLSConfiguration

    init(url: String) throws {
        let items = URLComponents(string: url)?.queryItems ?? []
        func value(_ names: [String]) -> String? { items.last { names.contains($0.name.lowercased()) }?.value }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = value(["sslrootcert"]), !root.isEmpty { tls.trustRoots = .file(root) }
        switch (value(["sslmode", "tlsmode"]) ?? "prefer").lowercased() {
        case "disable": mode = .disable
        case "allow", "prefer": mode = .prefer; tls.certificateVerification = .none
        case "require": mode = .require; tls.certificateVerification = .none
        case "verify-ca": mode = .require; tls.certificateVerification = .noHostnameVerification
        case "verify-full": mode = .require
        case let other:
            throw PlatformError.invalid("database", "sslmode \(other) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        configuration = tls
    }

    /// For the connection pool.
    var client: PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(configuration)
        case .require: return .require(configuration)
        }
    }

    /// For a single connection.
    func connection() throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: configuration))
        case .require: return .require(try NIOSSLContext(configuration: configuration))
        }
    }
}
