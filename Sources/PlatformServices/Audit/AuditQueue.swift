import Logging
import SQLKit

/// Audit events written off the request path: queued, then written in batches, one transaction per batch.
///
/// For high-frequency read events (a worklist query), where a synchronous audit write would cost the caller a
/// commit (on PostgreSQL a WAL flush, about 4 ms on the benchmark machine) on every request. A crash can lose the
/// events of the batch in flight; `PlatformStore.flushAudit()` writes what is queued (the server calls it on
/// shutdown).
actor AuditQueue {
    private var pending: [SQLQueryString] = []
    private var writer: Task<Void, Never>?
    private let database: PlatformDatabase
    private let logger: Logger

    init(database: PlatformDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func add(_ statement: SQLQueryString) {
        pending.append(statement)
        if writer == nil { writer = Task { await self.drain() } }
    }

    /// Returns once everything queued so far is written.
    func flush() async {
        while let writer { await writer.value }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            do {
                try await database.write { db in for statement in batch { try await db.raw(statement).run() } }
            } catch {
                logger.error("audit write of \(batch.count) events failed: \(String(reflecting: error))")
            }
        }
        writer = nil
    }
}
