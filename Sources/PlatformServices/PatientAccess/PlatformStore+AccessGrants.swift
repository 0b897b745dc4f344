import SQLKit

/// Opaque bearer tokens for callers without an account: patient sessions (after a link's second factor or manual
/// retrieval) and share sessions (after a share was opened, with its access code if it has one). Each is checked
/// against the database on every request, so ending a share or a session takes effect at once on every endpoint.
extension PlatformStore {
    /// How long a share session lasts at most (never past the share's own end).
    public static let shareSessionLifetime: Int64 = 12 * 3600

    /// Issues a patient session for `patientKey` at `hospitalId`.
    func issuePatientSession(patientKey: String, hospitalId: String, studyUID: String, linkId: String?) async throws -> PatientSession {
        let token = SecureRandom.token()
        let now = Clock.epochSeconds()
        let expires = now + PatientSession.lifetime
        try await database.write { db in
            try await Self.pruneGrants(db, now: now)
            try await db.raw("""
                INSERT INTO access_grants (token_hash, kind, patient_key, hospital_id, study_uid, link_id, created_at, expires_at)
                VALUES (\(bind: SecureRandom.digest(token)), 'patient', \(bind: patientKey), \(bind: hospitalId), \(bind: studyUID),
                  \(bind: linkId), \(bind: now), \(bind: expires))
                """).run()
        }
        return PatientSession(accessToken: token, expiresIn: Int(expires - now), expiresAt: APITime.string(expires),
                              studyInstanceUID: studyUID, hospitalId: hospitalId)
    }

    /// Issues a session for an opened share; it ends with the share at the latest.
    func issueShareSession(shareId: String, shareExpiresAt: Int64) async throws -> (token: String, expiresAt: Int64) {
        let token = SecureRandom.token()
        let now = Clock.epochSeconds()
        let expires = min(shareExpiresAt, now + Self.shareSessionLifetime)
        try await database.write { db in
            try await Self.pruneGrants(db, now: now)
            try await db.raw("""
                INSERT INTO access_grants (token_hash, kind, share_id, created_at, expires_at)
                VALUES (\(bind: SecureRandom.digest(token)), 'share', \(bind: shareId), \(bind: now), \(bind: expires))
                """).run()
        }
        return (token, expires)
    }

    /// Ends a patient or share session (the patient signs out).
    public func endSession(token: String) async throws {
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("UPDATE access_grants SET revoked_at = \(bind: now) WHERE token_hash = \(bind: SecureRandom.digest(token))").run()
        }
    }

    /// Sessions that ended more than a day ago are of no use to anyone.
    private static func pruneGrants(_ db: any SQLDatabase, now: Int64) async throws {
        try await db.raw("DELETE FROM access_grants WHERE expires_at < \(bind: now - 86_400)").run()
    }

    /// Who an opaque bearer token stands for: a patient session, a share session, or a share link itself (shares
    /// without an access code). nil when the token is none of ours. A token of an expired or revoked share throws
    /// `gone` (410 at the edge); an ended session throws `unauthenticated`.
    public func principal(forLinkToken token: String) async throws(PlatformError) -> Principal? {
        let digest = SecureRandom.digest(token)
        let now = Clock.epochSeconds()
        let lookup: (grant: (any SQLRow)?, share: (any SQLRow)?)
        do {
            lookup = try await database.read { db in
                if let grant = try await db.raw("SELECT * FROM access_grants WHERE token_hash = \(bind: digest)").first() {
                    return (grant, nil)
                }
                return (nil, try await db.raw("SELECT * FROM shares WHERE token_hash = \(bind: digest)").first())
            }
        } catch {
            throw PlatformError(.storageFailure, "the session could not be checked")
        }
        do {
            if let grant = lookup.grant {
                let kind = try grant.decode(column: "kind", as: String.self)
                let ended = try grant.decode(column: "revoked_at", as: Int64?.self) != nil || (try grant.decode(column: "expires_at", as: Int64.self)) <= now
                if kind == "share" {
                    let shareId = try grant.decode(column: "share_id", as: String?.self) ?? ""
                    guard let share = try await database.read({ db in try await db.raw("SELECT * FROM shares WHERE id = \(bind: shareId)").first() }) else {
                        throw PlatformError(.gone, "this share link has expired")
                    }
                    let principal = try Self.sharePrincipal(share, now: now)
                    guard !ended else { throw PlatformError(.unauthenticated, "the share session ended; open the share link again") }
                    return principal
                }
                guard !ended else { throw PlatformError(.unauthenticated, "the patient session ended; verify again") }
                let key = try grant.decode(column: "patient_key", as: String?.self) ?? ""
                var principal = Principal(userId: nil, name: "patient-session:" + digest.prefix(12), roles: [.patient],
                                          scope: .patient(patientKey: key), clientId: "patient-link", grantedScopes: ["api"])
                principal.link = .patientSession(patientKey: key, linkId: try grant.decode(column: "link_id", as: String?.self))
                return principal
            }
            if let share = lookup.share {
                let principal = try Self.sharePrincipal(share, now: now)
                guard try share.decode(column: "access_code_hash", as: String?.self) == nil else {
                    throw PlatformError(.unauthenticated, "this share needs its access code: open it with the code first")
                }
                return principal
            }
            return nil
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storageFailure, "the session could not be checked")
        }
    }

    /// The read-only principal of an active share; `gone` when it has expired or been revoked.
    private static func sharePrincipal(_ share: any SQLRow, now: Int64) throws -> Principal {
        guard try share.decode(column: "revoked_at", as: Int64?.self) == nil, try share.decode(column: "expires_at", as: Int64.self) > now else {
            throw PlatformError(.gone, "this share link has expired")
        }
        let id = try share.decode(column: "id", as: String.self)
        var principal = Principal(userId: nil, name: "share:\(id)", roles: [], scope: .study(try share.decode(column: "study_uid", as: String.self)),
                                  clientId: "share", grantedScopes: ["api"])
        principal.link = .share(id: id)
        return principal
    }

    /// Carries links, shares and messages over when an order's placeholder study is replaced by the real one
    /// (the images arrived under their own Study Instance UID). Runs inside the ingest transaction.
    static func moveStudyReferences(from placeholder: String, to study: String, in db: any SQLDatabase) async throws {
        for table in ["patient_links", "shares", "consult_messages", "access_grants"] {
            try await db.raw("UPDATE \(unsafeRaw: table) SET study_uid = \(bind: study) WHERE study_uid = \(bind: placeholder)").run()
        }
    }
}
