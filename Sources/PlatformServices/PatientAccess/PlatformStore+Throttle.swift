import SQLKit

extension PlatformStore {
    /// Throws `tooManyRequests` while `key` is locked out; the message says how long to wait.
    public func ensureNotThrottled(_ key: String) async throws {
        let now = Clock.epochSeconds()
        let lockedUntil = try await database.read { db in
            try await db.raw("SELECT locked_until FROM attempt_throttle WHERE key = \(bind: key)").first()?.decode(column: "locked_until", as: Int64.self)
        }
        if let lockedUntil, lockedUntil > now {
            throw PlatformError(.tooManyRequests, "too many attempts; try again in \((lockedUntil - now + 59) / 60) minute(s)")
        }
    }

    /// Counts a failure for `key`; returns true when this failure started a lockout.
    @discardableResult
    public func recordFailedAttempt(_ key: String, limit: AttemptLimit) async throws -> Bool {
        let now = Clock.epochSeconds()
        return try await database.write { db in
            // Keys idle for a day, and not locked, are forgotten: the table stays as small as the recent attacks.
            try await db.raw("DELETE FROM attempt_throttle WHERE window_start < \(bind: now - 86_400) AND locked_until < \(bind: now)").run()
            let row = try await db.raw("SELECT failures, window_start FROM attempt_throttle WHERE key = \(bind: key)").first()
            var failures = 1
            var windowStart = now
            if let row {
                let start = try row.decode(column: "window_start", as: Int64.self)
                if start > now - limit.window {
                    failures = try row.decode(column: "failures", as: Int.self) + 1
                    windowStart = start
                }
            }
            let locks = failures >= limit.failures
            let lockedUntil = locks ? now + limit.lockout : 0
            if locks { failures = 0; windowStart = now }
            try await db.raw("""
                INSERT INTO attempt_throttle (key, failures, window_start, locked_until)
                VALUES (\(bind: key), \(bind: failures), \(bind: windowStart), \(bind: lockedUntil))
                ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
                  locked_until = CASE WHEN excluded.locked_until > attempt_throttle.locked_until
                                      THEN excluded.locked_until ELSE attempt_throttle.locked_until END
                """).run()
            return locks
        }
    }

    /// Forgets the failures of `key` (after a success where that is safe: the right second factor for a link).
    public func clearFailedAttempts(_ key: String) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM attempt_throttle WHERE key = \(bind: key)").run()
        }
    }
}
