import Foundation
import SQLKit

extension PlatformStore {
    static let userColumns = """
        id, username, name, phone, hospital_id, department, title, roles, scope, status, must_change_password, created_at,
        password_hash, failed_logins, locked_until, patient_key
        """

    static func decodeUser(_ row: any SQLRow) throws -> UserAccount {
        UserAccount(id: try row.decode(column: "id", as: String.self),
                    username: try row.decode(column: "username", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    phone: try row.decode(column: "phone", as: String.self),
                    hospitalId: try row.decode(column: "hospital_id", as: String?.self),
                    department: try row.decode(column: "department", as: String.self),
                    title: try row.decode(column: "title", as: String.self),
                    roles: (try row.decode(column: "roles", as: String.self)).split(separator: ",").compactMap { Role(rawValue: String($0)) },
                    scope: try row.decode(column: "scope", as: String.self),
                    status: AccountStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .deactivated,
                    mustChangePassword: try row.decode(column: "must_change_password", as: Bool.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    // MARK: Settings

    /// The security policy in force (defaults until an administrator changes it).
    public func securityPolicy() async throws -> SecurityPolicy {
        let value = try await database.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = 'security'").first()?.decode(column: "value", as: String.self)
        }
        guard let value, let policy = try? JSONDecoder().decode(SecurityPolicy.self, from: Data(value.utf8)) else { return SecurityPolicy() }
        return policy
    }

    /// Replaces the security policy.
    public func setSecurityPolicy(_ policy: SecurityPolicy) async throws {
        guard policy.passwordMinLength >= 6, policy.passwordMinClasses >= 1, policy.passwordMinClasses <= 4, policy.lockoutThreshold >= 1,
              policy.lockoutSeconds >= 0, policy.accessTokenSeconds >= 60, policy.refreshTokenSeconds >= policy.accessTokenSeconds,
              policy.shareMaximumSeconds >= 60 else {
            throw PlatformError.invalid("policy", "a setting is out of range")
        }
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO settings (key, value, updated_at) VALUES ('security', \(bind: json), \(bind: now))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """).run()
        }
    }

    // MARK: Users

    /// Creates an active account directly (seeding, administrators).
    @discardableResult
    public func createUser(username: String, password: String, name: String, roles: [Role], scope: AccessScope = .all,
                           hospitalId: String? = nil, department: String = "", title: String = "", phone: String = "",
                           patientKey: String? = nil) async throws -> UserAccount {
        try Self.validate(username: username)
        try await securityPolicy().validate(password: password)
        let hash = await hasher.hash(password)
        let id = UUID().uuidString.lowercased()
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await Self.ensureUsernameFree(username, db: db)
            try await db.raw("""
                INSERT INTO users (id, username, password_hash, name, phone, hospital_id, department, title, roles, scope, status,
                  patient_key, created_at, updated_at)
                VALUES (\(bind: id), \(bind: username), \(bind: hash), \(bind: name), \(bind: phone), \(bind: hospitalId),
                  \(bind: department), \(bind: title), \(bind: roles.map(\.rawValue).joined(separator: ",")), \(bind: scope.stored),
                  'active', \(bind: patientKey), \(bind: now), \(bind: now))
                """).run()
        }
        return try await user(id: id)
    }

    static func validate(username: String) throws(PlatformError) {
        guard (3...32).contains(username.count), username.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D || c == 0x5F
        }) else { throw PlatformError.invalid("username", "username must be 3–32 letters, digits, '.', '-' or '_'") }
    }

    static func ensureUsernameFree(_ username: String, db: any SQLDatabase) async throws {
        let user = try await db.raw("SELECT 1 AS x FROM users WHERE lower(username) = lower(\(bind: username))").first()
        let pending = try await db.raw("SELECT 1 AS x FROM registrations WHERE lower(username) = lower(\(bind: username)) AND status = 'pending'").first()
        if user != nil || pending != nil {
            throw PlatformError(.conflict, "username is taken")
        }
    }

    /// One account by id.
    public func user(id: String) async throws -> UserAccount {
        let row = try await database.read { db in try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)").first() }
        guard let row else { throw PlatformError(.notFound, "no user \(id)") }
        return try Self.decodeUser(row)
    }

    /// The patient key a patient account is linked to.
    public func patientKey(ofUser id: String) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT patient_key FROM users WHERE id = \(bind: id)").first()?.decode(column: "patient_key", as: String?.self)
        }
    }

    /// Accounts matching `query` in username, name or phone (all when empty), by username.
    public func users(matching query: String?, limit: Int = 100, offset: Int = 0) async throws -> Page<UserAccount> {
        var filter: SQLQueryString = "status <> 'closed'"
        if let query, !query.isEmpty {
            let pattern = "%" + Self.escapeLike(query.lowercased()) + "%"
            filter = filter + " AND (lower(username) LIKE \(bind: pattern) ESCAPE '!' OR lower(name) LIKE \(bind: pattern) ESCAPE '!' OR phone LIKE \(bind: pattern) ESCAPE '!')"
        }
        let condition = filter
        return try await database.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM users WHERE " + condition).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE " + condition
                                        + " ORDER BY username LIMIT \(literal: min(max(limit, 1), 500)) OFFSET \(literal: max(offset, 0))").all()
            return Page(items: try rows.map(Self.decodeUser), total: total)
        }
    }

    /// Checks a username and password: the account must exist, be active and not locked. Failed attempts count toward
    /// a temporary lockout. Wrong username and wrong password give the same error.
    public func authenticate(username: String, password: String) async throws -> UserAccount {
        let policy = try await securityPolicy()
        let now = Clock.epochSeconds()
        let row = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE lower(username) = lower(\(bind: username))").first()
        }
        guard let row else {
            // A registration that is not approved yet gets a clear answer, not "wrong password".
            let registration = try await database.read { db in
                try await db.raw("""
                    SELECT status, reason, password_hash FROM registrations WHERE lower(username) = lower(\(bind: username))
                    ORDER BY created_at DESC LIMIT 1
                    """).first()
            }
            if let registration, await hasher.verify(password, hash: try registration.decode(column: "password_hash", as: String.self)) {
                switch try registration.decode(column: "status", as: String.self) {
                case "pending": throw PlatformError.accountNotActive(.pendingApproval, "your registration is waiting for an administrator's approval")
                case "rejected":
                    let reason = try registration.decode(column: "reason", as: String.self)
                    throw PlatformError.accountNotActive(.rejected, "your registration was rejected" + (reason.isEmpty ? "" : ": \(reason)"))
                default: break
                }
            }
            _ = await hasher.verify(password, hash: Self.dummyHash)   // same time as a real check
            throw PlatformError(.unauthenticated, "wrong username or password")
        }
        let account = try Self.decodeUser(row)
        let lockedUntil = try row.decode(column: "locked_until", as: Int64.self)
        if lockedUntil > now {
            throw PlatformError(.tooManyRequests, "too many failed logins; try again in \((lockedUntil - now + 59) / 60) minute(s)")
        }
        guard await hasher.verify(password, hash: try row.decode(column: "password_hash", as: String.self)) else {
            try await database.write { db in
                let failures = try row.decode(column: "failed_logins", as: Int.self) + 1
                if failures >= policy.lockoutThreshold {
                    try await db.raw("UPDATE users SET failed_logins = 0, locked_until = \(bind: now + Int64(policy.lockoutSeconds)) WHERE id = \(bind: account.id)").run()
                } else {
                    try await db.raw("UPDATE users SET failed_logins = \(bind: failures) WHERE id = \(bind: account.id)").run()
                }
            }
            throw PlatformError(.unauthenticated, "wrong username or password")
        }
        switch account.status {
        case .active: break
        case .deactivated: throw PlatformError.accountNotActive(.deactivated, "this account is deactivated; contact your administrator")
        case .closed: throw PlatformError.accountNotActive(.closed, "this account is closed")
        }
        if try row.decode(column: "failed_logins", as: Int.self) != 0 {
            try await database.write { db in try await db.raw("UPDATE users SET failed_logins = 0 WHERE id = \(bind: account.id)").run() }
        }
        return account
    }

    /// A valid bcrypt hash of a random string, to spend the same time on unknown usernames.
    static let dummyHash = "$2b$11$CwTycUXWue0Thq9StjUM0uJ8.IzTjg2jP8rN4vAfq3F0kG5UK0QeS"

    /// Changes the user's own password (the old one must match). Clears a forced change.
    public func changePassword(userId: String, current: String, new: String) async throws {
        let hash = try await database.read { db in
            try await db.raw("SELECT password_hash FROM users WHERE id = \(bind: userId)").first()?.decode(column: "password_hash", as: String.self)
        }
        guard let hash else { throw PlatformError(.notFound, "no such user") }
        guard await hasher.verify(current, hash: hash) else { throw PlatformError.invalid("currentPassword", "the current password is wrong") }
        guard current != new else { throw PlatformError.invalid("newPassword", "the new password must differ from the current one") }
        try await securityPolicy().validate(password: new, parameter: "newPassword")
        let newHash = await hasher.hash(new)
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                UPDATE users SET password_hash = \(bind: newHash), must_change_password = FALSE, updated_at = \(bind: now) WHERE id = \(bind: userId)
                """).run()
        }
    }

    /// Updates the user's own profile fields (name, phone, department, title).
    public func updateProfile(userId: String, name: String?, phone: String?, department: String?, title: String?) async throws -> UserAccount {
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw PlatformError.invalid("name", "name must not be empty") }
        if let phone { try Self.validate(phone: phone) }
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                UPDATE users SET name = COALESCE(\(bind: name), name), phone = COALESCE(\(bind: phone), phone),
                  department = COALESCE(\(bind: department), department), title = COALESCE(\(bind: title), title),
                  updated_at = \(bind: now) WHERE id = \(bind: userId)
                """).run()
        }
        return try await user(id: userId)
    }

    static func validate(phone: String) throws(PlatformError) {
        let digits = phone.hasPrefix("+") ? String(phone.dropFirst()) : phone
        guard (5...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw PlatformError.invalid("phone", "phone must be 5–20 digits")
        }
    }

    // MARK: Administration

    /// Deactivates an account: login refused, every token refused at once (tokens are checked against the account).
    public func deactivateUser(_ id: String) async throws -> UserAccount {
        try await setStatus(id, .deactivated)
    }

    /// Reactivates a deactivated account.
    public func reactivateUser(_ id: String) async throws -> UserAccount {
        let account = try await user(id: id)
        guard account.status != .closed else { throw PlatformError(.conflict, "a closed account cannot be reactivated") }
        return try await setStatus(id, .active)
    }

    /// Closes an account for good: tokens revoked, personal data minimised (name, phone), the audit trail kept.
    public func closeUser(_ id: String) async throws -> UserAccount {
        let now = Clock.epochSeconds()
        _ = try await user(id: id)
        try await database.write { db in
            try await db.raw("""
                UPDATE users SET status = 'closed', name = '', phone = '', password_hash = '!', patient_key = NULL,
                  token_epoch = token_epoch + 1, updated_at = \(bind: now) WHERE id = \(bind: id)
                """).run()
            try await db.raw("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = \(bind: id)").run()
            try await db.raw("DELETE FROM oauth_consents WHERE user_id = \(bind: id)").run()
            try await db.raw("DELETE FROM oauth_consent_tickets WHERE user_id = \(bind: id)").run()
        }
        return try await user(id: id)
    }

    private func setStatus(_ id: String, _ status: AccountStatus) async throws -> UserAccount {
        let now = Clock.epochSeconds()
        _ = try await user(id: id)
        try await database.write { db in
            try await db.raw("UPDATE users SET status = \(bind: status.rawValue), token_epoch = token_epoch + 1, updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            if status != .active {
                try await db.raw("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = \(bind: id)").run()
            }
        }
        return try await user(id: id)
    }

    /// Resets a password to a one-time temporary one that must be changed before anything else; returns it.
    public func resetPassword(_ id: String) async throws -> String {
        let account = try await user(id: id)
        guard account.status != .closed else { throw PlatformError(.conflict, "the account is closed") }
        let temporary = SecureRandom.password()
        let hash = await hasher.hash(temporary)
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                UPDATE users SET password_hash = \(bind: hash), must_change_password = TRUE, failed_logins = 0, locked_until = 0,
                  token_epoch = token_epoch + 1, updated_at = \(bind: now) WHERE id = \(bind: id)
                """).run()
            try await db.raw("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = \(bind: id)").run()
        }
        return temporary
    }

    /// Changes roles and scope.
    public func updateAccess(_ id: String, roles: [Role]?, scope: AccessScope?) async throws -> UserAccount {
        if let roles, roles.isEmpty { throw PlatformError.invalid("roles", "an account needs at least one role") }
        let now = Clock.epochSeconds()
        _ = try await user(id: id)
        try await database.write { db in
            if let roles {
                try await db.raw("UPDATE users SET roles = \(bind: roles.map(\.rawValue).joined(separator: ",")), updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
            if let scope {
                try await db.raw("UPDATE users SET scope = \(bind: scope.stored), updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
        }
        return try await user(id: id)
    }

    /// The account's current token epoch: tokens minted under an older epoch are no longer valid.
    public func tokenEpoch(ofUser id: String) async throws -> Int64? {
        try await database.read { db in
            try await db.raw("SELECT token_epoch FROM users WHERE id = \(bind: id) AND status = 'active'").first()?.decode(column: "token_epoch", as: Int64.self)
        }
    }
}

extension PlatformStore {
    /// Sets a password directly (bootstrap and operator tools), optionally forcing a change at next login.
    public func setPassword(_ id: String, _ password: String, mustChange: Bool) async throws {
        try await securityPolicy().validate(password: password)
        let hash = await hasher.hash(password)
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                UPDATE users SET password_hash = \(bind: hash), must_change_password = \(bind: mustChange), token_epoch = token_epoch + 1,
                  updated_at = \(bind: now) WHERE id = \(bind: id)
                """).run()
        }
    }
}
