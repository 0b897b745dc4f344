import Crypto
import Foundation
import SQLKit

extension PlatformStore {
    /// Who owns the shares a principal makes: a doctor's account, or the patient (whether signed in with an account or
    /// through a patient link, so both see the same list). Share recipients, administrators and integrations do not
    /// share.
    static func shareOwner(_ principal: Principal) throws(PlatformError) -> String {
        if case .share = principal.link { throw PlatformError(.forbidden, "a shared exam cannot be shared again") }
        if principal.has(.doctor), let id = principal.userId { return "user:\(id)" }
        if principal.has(.patient), case .patient(let key) = principal.scope { return "patient:\(key)" }
        throw PlatformError(.forbidden, "only patients and doctors share exams")
    }

    private func decodeShare(_ row: any SQLRow, key: SymmetricKey?) throws -> Share {
        let expires = try row.decode(column: "expires_at", as: Int64.self)
        let sealed = try row.decode(column: "token_sealed", as: String.self)
        return Share(id: try row.decode(column: "id", as: String.self), studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                     token: key.flatMap { ShareTokenSeal.open(sealed, key: $0) } ?? "",
                     createdAt: APITime.string(try row.decode(column: "created_at", as: Int64.self)), expiresAt: APITime.string(expires),
                     expiresAtEpoch: expires, requiresAccessCode: try row.decode(column: "access_code_hash", as: String?.self) != nil,
                     viewCount: try row.decode(column: "view_count", as: Int.self),
                     lastViewedAt: APITime.string(try row.decode(column: "last_viewed_at", as: Int64?.self)),
                     revoked: try row.decode(column: "revoked_at", as: Int64?.self) != nil)
    }

    /// Shares an exam the principal can see, until `expiresIn` seconds from now or `expiresAt`: at least a minute
    /// ahead, at most `SecurityPolicy.shareMaximumSeconds`. An access code is 4–6 digits, kept as a bcrypt hash.
    public func createShare(_ request: ShareRequest, by principal: Principal) async throws -> Share {
        let owner = try Self.shareOwner(principal)
        _ = try await study(request.studyInstanceUID, scope: principal.scope)
        let policy = try await securityPolicy()
        let now = Clock.epochSeconds()
        let end: Int64, parameter: String
        switch (request.expiresIn, request.expiresAt) {
        case (let seconds?, nil): (end, parameter) = (now + seconds, "expiresIn")
        case (nil, let at?): (end, parameter) = (at, "expiresAt")
        default: throw PlatformError.invalid("expiresIn", "give either expiresIn (seconds) or expiresAt")
        }
        guard end >= now + Share.minimumSeconds else { throw PlatformError.invalid(parameter, "the share must end at least a minute from now") }
        guard end <= now + Int64(policy.shareMaximumSeconds) else {
            throw PlatformError.invalid(parameter, "a share can last at most \(Self.describe(seconds: policy.shareMaximumSeconds))")
        }
        var codeHash: String?
        if let code = request.accessCode, !code.isEmpty {
            guard (4...6).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw PlatformError.invalid("accessCode", "the access code must be 4–6 digits")
            }
            codeHash = await hasher.hash(code)
        }
        let token = SecureRandom.token()
        let key = try await ShareTokenSeal.key(self)
        let sealed = try ShareTokenSeal.seal(token, key: key)
        let id = UUID().uuidString.lowercased()
        let finalHash = codeHash
        try await database.write { db in
            try await db.raw("""
                INSERT INTO shares (id, token_hash, token_sealed, study_uid, owner, created_by, access_code_hash, created_at, expires_at)
                VALUES (\(bind: id), \(bind: SecureRandom.digest(token)), \(bind: sealed), \(bind: request.studyInstanceUID), \(bind: owner),
                  \(bind: principal.name), \(bind: finalHash), \(bind: now), \(bind: end))
                """).run()
        }
        return Share(id: id, studyInstanceUID: request.studyInstanceUID, token: token, createdAt: APITime.string(now),
                     expiresAt: APITime.string(end), expiresAtEpoch: end, requiresAccessCode: codeHash != nil, viewCount: 0,
                     lastViewedAt: nil, revoked: false)
    }

    static func describe(seconds: Int) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400) days" : (seconds % 3600 == 0 ? "\(seconds / 3600) hours" : "\(seconds) seconds")
    }

    /// The principal's active shares, newest first: expired and revoked ones are not listed.
    public func shares(ownedBy principal: Principal) async throws -> [Share] {
        let owner = try Self.shareOwner(principal)
        let now = Clock.epochSeconds()
        let rows = try await database.read { db in
            try await db.raw("""
                SELECT * FROM shares WHERE owner = \(bind: owner) AND revoked_at IS NULL AND expires_at > \(bind: now)
                ORDER BY created_at DESC, id
                """).all()
        }
        let key = try await ShareTokenSeal.key(self)
        return try rows.map { try decodeShare($0, key: key) }
    }

    /// Revokes one of the principal's shares at once: its link, and every session opened through it, stop working.
    /// `notFound` when the share is not theirs.
    @discardableResult
    public func revokeShare(id: String, by principal: Principal) async throws -> Share {
        let owner = try Self.shareOwner(principal)
        let now = Clock.epochSeconds()
        let row = try await database.write { db -> (any SQLRow)? in
            guard try await db.raw("SELECT 1 AS x FROM shares WHERE id = \(bind: id) AND owner = \(bind: owner)").first() != nil else { return nil }
            try await db.raw("UPDATE shares SET revoked_at = COALESCE(revoked_at, \(bind: now)) WHERE id = \(bind: id)").run()
            try await db.raw("UPDATE access_grants SET revoked_at = \(bind: now) WHERE share_id = \(bind: id) AND revoked_at IS NULL").run()
            return try await db.raw("SELECT * FROM shares WHERE id = \(bind: id)").first()
        }
        guard let row else { throw PlatformError(.notFound, "no share \(id)") }
        return try decodeShare(row, key: nil)
    }

    /// Where a share link stands, without counting a view (the public page asks this before serving the app).
    public func shareLinkState(token: String) async throws -> ShareLinkState {
        let row = try await database.read { db in
            try await db.raw("SELECT revoked_at, expires_at, access_code_hash FROM shares WHERE token_hash = \(bind: SecureRandom.digest(token))").first()
        }
        guard let row, try row.decode(column: "revoked_at", as: Int64?.self) == nil,
              try row.decode(column: "expires_at", as: Int64.self) > Clock.epochSeconds() else { return .gone }
        return .active(requiresAccessCode: try row.decode(column: "access_code_hash", as: String?.self) != nil)
    }

    /// Opens a share for its recipient: `notFound` for a token never issued, `gone` once expired or revoked. A share
    /// with an access code needs it (`unauthenticated` without, `forbidden` when wrong, `tooManyRequests` while
    /// throttled: per share and per client address). Each opening counts a view and starts a share session.
    public func openShare(token: String, accessCode: String?, clientKey: String) async throws -> OpenedShare {
        let row = try await database.read { db in
            try await db.raw("SELECT * FROM shares WHERE token_hash = \(bind: SecureRandom.digest(token))").first()
        }
        guard let row else { throw PlatformError(.notFound, "no such share link") }
        let share = try decodeShare(row, key: nil)
        let now = Clock.epochSeconds()
        guard !share.revoked, share.expiresAtEpoch > now else { throw PlatformError(.gone, "this share link has expired") }
        if let codeHash = try row.decode(column: "access_code_hash", as: String?.self) {
            guard let accessCode, !accessCode.isEmpty else {
                throw PlatformError(.unauthenticated, "this share needs its access code", parameter: "accessCode")
            }
            let shareKey = "share-code:\(share.id)", clientThrottleKey = "share-code-client:\(clientKey)"
            try await ensureNotThrottled(shareKey)
            try await ensureNotThrottled(clientThrottleKey)
            guard try row.decode(column: "failed_codes", as: Int.self) < Share.maximumCodeFailures else {
                throw PlatformError(.tooManyRequests, "too many wrong access codes for this share; ask for a new link")
            }
            guard accessCode.count <= 16, await hasher.verify(accessCode, hash: codeHash) else {
                try await database.write { db in
                    try await db.raw("UPDATE shares SET failed_codes = failed_codes + 1 WHERE id = \(bind: share.id)").run()
                }
                try await recordFailedAttempt(shareKey, limit: .shareAccessCode)
                try await recordFailedAttempt(clientThrottleKey, limit: .shareAccessCodeClient)
                throw PlatformError(.forbidden, "the access code is wrong", parameter: "accessCode")
            }
        }
        try await database.write { db in
            try await db.raw("UPDATE shares SET view_count = view_count + 1, last_viewed_at = \(bind: now) WHERE id = \(bind: share.id)").run()
        }
        let session = try await issueShareSession(shareId: share.id, shareExpiresAt: share.expiresAtEpoch)
        return OpenedShare(shareId: share.id, expiresAt: share.expiresAt, exam: try await patientExamView(share.studyInstanceUID),
                           accessToken: session.token, expiresIn: Int(session.expiresAt - now))
    }

    /// One share by id, for its owner (view counts after opening).
    public func share(id: String, ownedBy principal: Principal) async throws -> Share {
        let owner = try Self.shareOwner(principal)
        let row = try await database.read { db in
            try await db.raw("SELECT * FROM shares WHERE id = \(bind: id) AND owner = \(bind: owner)").first()
        }
        guard let row else { throw PlatformError(.notFound, "no share \(id)") }
        return try decodeShare(row, key: try await ShareTokenSeal.key(self))
    }
}
