import Foundation
import SQLKit

/// Consent for clients that are not ours (`OAuthClient.firstParty == false`): after the user signs in, the
/// authorization endpoint asks whether the client may act for them with the requested scopes. The answer is kept per
/// user and client, so the question comes again only when a client asks for more. First-party clients (the web app,
/// our mobile apps) never ask.
extension AuthorizationServer {
    /// How long the consent page's answer may take.
    public static let consentTicketLifetime: Int64 = 600

    /// Whether `user` must still be asked before `request.client` gets a code.
    public func needsConsent(_ request: AuthorizationRequest, user: UserAccount) async throws -> Bool {
        guard !request.client.firstParty else { return false }
        let granted = try await store.database.read { db in
            try await db.raw("""
                SELECT scope FROM oauth_consents WHERE user_id = \(bind: user.id) AND client_id = \(bind: request.client.clientId)
                """).first()?.decode(column: "scope", as: String.self)
        }
        guard let granted else { return true }
        return !Set(request.scope.split(separator: " ")).isSubset(of: Set(granted.split(separator: " ")))
    }

    /// Remembers that `user` signed in for `request` and must now answer the consent page; returns the one-time
    /// ticket the page posts back.
    public func beginConsent(_ request: AuthorizationRequest, user: UserAccount) async throws -> String {
        let ticket = SecureRandom.token()
        let now = Clock.epochSeconds()
        try await store.database.write { db in
            try await db.raw("DELETE FROM oauth_consent_tickets WHERE expires_at < \(bind: now)").run()
            try await db.raw("""
                INSERT INTO oauth_consent_tickets (ticket_hash, user_id, client_id, redirect_uri, code_challenge, scope, expires_at)
                VALUES (\(bind: SecureRandom.digest(ticket)), \(bind: user.id), \(bind: request.client.clientId), \(bind: request.redirectURI),
                  \(bind: request.codeChallenge), \(bind: request.scope), \(bind: now + Self.consentTicketLifetime))
                """).run()
        }
        return ticket
    }

    /// The user's answer on the consent page. The ticket works once and only for the request it was made for.
    /// Allowed: the consent is kept and the redirect carries a code. Denied: the redirect carries `access_denied`
    /// (RFC 6749 §4.1.2.1). A bad or expired ticket is `unauthenticated` (the user signs in again).
    public func completeConsent(ticket: String, for request: AuthorizationRequest, allow: Bool) async throws -> (redirect: String, user: UserAccount) {
        let now = Clock.epochSeconds()
        let userID = try await store.database.write { db -> String? in
            guard let row = try await db.raw("SELECT * FROM oauth_consent_tickets WHERE ticket_hash = \(bind: SecureRandom.digest(ticket))").first()
            else { return nil }
            try await db.raw("DELETE FROM oauth_consent_tickets WHERE ticket_hash = \(bind: SecureRandom.digest(ticket))").run()
            guard try row.decode(column: "expires_at", as: Int64.self) >= now,
                  try row.decode(column: "client_id", as: String.self) == request.client.clientId,
                  try row.decode(column: "redirect_uri", as: String.self) == request.redirectURI,
                  try row.decode(column: "code_challenge", as: String.self) == request.codeChallenge,
                  try row.decode(column: "scope", as: String.self) == request.scope else { return nil }
            let userID = try row.decode(column: "user_id", as: String.self)
            if allow {
                try await db.raw("DELETE FROM oauth_consents WHERE user_id = \(bind: userID) AND client_id = \(bind: request.client.clientId)").run()
                try await db.raw("""
                    INSERT INTO oauth_consents (user_id, client_id, scope, granted_at)
                    VALUES (\(bind: userID), \(bind: request.client.clientId), \(bind: request.scope), \(bind: now))
                    """).run()
            }
            return userID
        }
        guard let userID, let user = try? await store.user(id: userID), user.status == .active else {
            throw PlatformError(.unauthenticated, "the sign-in has expired; sign in again")
        }
        guard allow else {
            return (Self.appendQuery(request.redirectURI, ["error": "access_denied", "error_description": "the user did not allow access",
                                                           "state": request.state]), user)
        }
        return (try await issueCode(for: request, user: user), user)
    }
}
