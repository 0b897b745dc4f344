import Crypto
import Foundation
import SQLKit

/// The OAuth 2.0 authorization server: authorization code with PKCE (RFC 6749 §4.1, RFC 7636), refresh tokens with
/// rotation and reuse detection, client credentials (§4.4), revocation (RFC 7009), introspection (RFC 7662), and JWT
/// access tokens (RFC 9068) signed ES256. The HTTP edge parses requests and renders responses; every rule is here.
public struct AuthorizationServer: Sendable {
    /// The issuer identifier (RFC 8414): the server's public base URL.
    public let issuer: String
    public let store: PlatformStore
    public let signer: TokenSigner
    /// Authorization codes live this long (RFC 6749 §4.1.2 recommends at most 10 minutes).
    public var codeLifetime: Int64 = 120
    /// The audience our access tokens carry.
    public static let audience = "mi-api"
    /// Scopes we grant; others are ignored.
    public static let supportedScopes: Set<String> = ["openid", "profile", "offline_access", "api"]

    public init(issuer: String, store: PlatformStore, signer: TokenSigner) {
        self.issuer = issuer
        self.store = store
        self.signer = signer
    }

    // MARK: Authorization endpoint

    /// A validated authorization request, ready for the login page.
    public struct AuthorizationRequest: Sendable, Hashable {
        public var client: OAuthClient
        public var redirectURI: String
        public var codeChallenge: String
        public var scope: String
        public var state: String?
    }

    /// Where an authorization request failed: errors before the redirect URI is trusted are shown to the user;
    /// errors after it go back to the client (RFC 6749 §4.1.2.1).
    public enum AuthorizationFailure: Error, Sendable {
        case showToUser(String)
        case redirect(uri: String, error: String, description: String, state: String?)
    }

    /// Validates `/oauth/authorize` parameters.
    public func validateAuthorization(_ p: [String: String]) async throws(AuthorizationFailure) -> AuthorizationRequest {
        guard let clientID = p["client_id"], let client = try? await store.client(clientID) else {
            throw .showToUser("unknown client")
        }
        guard let redirect = p["redirect_uri"] ?? (client.redirectURIs.count == 1 ? client.redirectURIs[0] : nil),
              client.redirectURIs.contains(redirect) else {
            throw .showToUser("the redirect URI is not registered for this client")
        }
        let state = p["state"]
        func fail(_ error: String, _ description: String) -> AuthorizationFailure {
            .redirect(uri: redirect, error: error, description: description, state: state)
        }
        guard p["response_type"] == "code" else { throw fail("unsupported_response_type", "response_type must be code") }
        guard client.grantTypes.contains(.authorizationCode) else { throw fail("unauthorized_client", "client may not use the code grant") }
        guard let challenge = p["code_challenge"], (43...128).contains(challenge.count) else {
            throw fail("invalid_request", "PKCE code_challenge is required")
        }
        guard (p["code_challenge_method"] ?? "plain") == "S256" else {
            throw fail("invalid_request", "code_challenge_method must be S256")
        }
        return AuthorizationRequest(client: client, redirectURI: redirect, codeChallenge: challenge,
                                    scope: Self.grantedScopes(p["scope"]), state: state)
    }

    static func grantedScopes(_ requested: String?) -> String {
        let scopes = (requested ?? "api").split(separator: " ").map(String.init).filter(supportedScopes.contains)
        var unique: [String] = []
        for scope in scopes + ["api"] where !unique.contains(scope) { unique.append(scope) }
        return unique.joined(separator: " ")
    }

    /// After the user logged in: makes a one-time code and returns the redirect URL with `code` and `state`.
    public func issueCode(for request: AuthorizationRequest, user: UserAccount) async throws -> String {
        let code = SecureRandom.token()
        let expires = Clock.epochSeconds() + codeLifetime
        try await store.database.write { db in
            try await db.raw("""
                INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, expires_at)
                VALUES (\(bind: SecureRandom.digest(code)), \(bind: request.client.clientId), \(bind: user.id), \(bind: request.redirectURI),
                  \(bind: request.codeChallenge), \(bind: request.scope), \(bind: expires))
                """).run()
        }
        return Self.appendQuery(request.redirectURI, ["code": code, "state": request.state])
    }

    /// Adds query parameters to a URL.
    public static func appendQuery(_ uri: String, _ items: [String: String?]) -> String {
        var components = URLComponents(string: uri) ?? URLComponents()
        var query = components.queryItems ?? []
        for (name, value) in items.sorted(by: { $0.key < $1.key }) { if let value { query.append(URLQueryItem(name: name, value: value)) } }
        components.queryItems = query
        // URLComponents leaves '+' alone, which form decoders read as space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? uri
    }

    // MARK: Token endpoint

    /// Handles `/oauth/token`. `authenticatedClient` is the client authenticated by HTTP Basic (confidential) or nil.
    public func token(_ p: [String: String], authenticatedClient: OAuthClient?) async throws(OAuthError) -> TokenResponse {
        do {
            let client = try await resolveClient(p, authenticated: authenticatedClient)
            guard let grant = p["grant_type"] else { throw OAuthError("invalid_request", "grant_type is required") }
            switch GrantType(rawValue: grant) {
            case .authorizationCode?:
                guard client.grantTypes.contains(.authorizationCode) else { throw OAuthError("unauthorized_client", "client may not use this grant") }
                return try await exchangeCode(p, client: client)
            case .refreshToken?:
                guard client.grantTypes.contains(.refreshToken) else { throw OAuthError("unauthorized_client", "client may not use this grant") }
                return try await refresh(p, client: client)
            case .clientCredentials?:
                guard client.grantTypes.contains(.clientCredentials), client.confidential else {
                    throw OAuthError("unauthorized_client", "client may not use this grant")
                }
                return try await issueTokens(userID: nil, subject: client.clientId, client: client, scope: Self.grantedScopes(p["scope"]),
                                             epoch: nil, refreshFamily: nil)
            case nil:
                throw OAuthError("unsupported_grant_type", "grant_type \(grant) is not supported")
            }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError("server_error", "the token could not be issued", status: 500)
        }
    }

    /// A confidential client must authenticate; a public one names itself with `client_id` and has no secret.
    private func resolveClient(_ p: [String: String], authenticated: OAuthClient?) async throws -> OAuthClient {
        if let authenticated {
            if let named = p["client_id"], named != authenticated.clientId { throw OAuthError("invalid_client", "client_id does not match", status: 401) }
            return authenticated
        }
        guard let clientID = p["client_id"], let client = try await store.client(clientID) else {
            throw OAuthError("invalid_client", "client authentication failed", status: 401)
        }
        guard !client.confidential else { throw OAuthError("invalid_client", "confidential clients authenticate with HTTP Basic", status: 401) }
        return client
    }

    private func exchangeCode(_ p: [String: String], client: OAuthClient) async throws -> TokenResponse {
        guard let code = p["code"], let verifier = p["code_verifier"] else {
            throw OAuthError("invalid_request", "code and code_verifier are required")
        }
        let now = Clock.epochSeconds()
        // Mark the code used in the same transaction that reads it: a code works once.
        let row = try await store.database.write { db -> (userID: String, redirect: String, challenge: String, scope: String, expires: Int64, used: Bool, clientID: String)? in
            guard let row = try await db.raw("SELECT * FROM oauth_codes WHERE code_hash = \(bind: SecureRandom.digest(code))").first() else { return nil }
            try await db.raw("UPDATE oauth_codes SET used = TRUE WHERE code_hash = \(bind: SecureRandom.digest(code))").run()
            return (try row.decode(column: "user_id", as: String.self), try row.decode(column: "redirect_uri", as: String.self),
                    try row.decode(column: "code_challenge", as: String.self), try row.decode(column: "scope", as: String.self),
                    try row.decode(column: "expires_at", as: Int64.self), try row.decode(column: "used", as: Bool.self),
                    try row.decode(column: "client_id", as: String.self))
        }
        guard let row, !row.used, row.expires >= now, row.clientID == client.clientId else {
            throw OAuthError("invalid_grant", "the authorization code is invalid, expired or already used")
        }
        guard p["redirect_uri"] == nil || p["redirect_uri"] == row.redirect else { throw OAuthError("invalid_grant", "redirect_uri does not match") }
        let computed = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
        guard (43...128).contains(verifier.count), computed == row.challenge else {
            throw OAuthError("invalid_grant", "PKCE verification failed")
        }
        guard let epoch = try await store.tokenEpoch(ofUser: row.userID) else {
            throw OAuthError("invalid_grant", "the account is not active")
        }
        return try await issueTokens(userID: row.userID, subject: row.userID, client: client, scope: row.scope, epoch: epoch,
                                     refreshFamily: client.grantTypes.contains(.refreshToken) ? UUID().uuidString.lowercased() : nil)
    }

    private func refresh(_ p: [String: String], client: OAuthClient) async throws -> TokenResponse {
        guard let token = p["refresh_token"] else { throw OAuthError("invalid_request", "refresh_token is required") }
        let now = Clock.epochSeconds()
        enum Outcome: Sendable { case invalid, reused, ok(userID: String, family: String, scope: String) }
        let outcome = try await store.database.write { db -> Outcome in
            guard let row = try await db.raw("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: SecureRandom.digest(token))").first(),
                  try row.decode(column: "client_id", as: String.self) == client.clientId else { return .invalid }
            let family = try row.decode(column: "family_id", as: String.self)
            if try row.decode(column: "rotated", as: Bool.self) {
                // A rotated token came back: someone holds a copy. Revoke the whole family (RFC 9700 §4.14.2).
                try await db.raw("UPDATE refresh_tokens SET revoked = TRUE WHERE family_id = \(bind: family)").run()
                return .reused
            }
            guard !(try row.decode(column: "revoked", as: Bool.self)), try row.decode(column: "expires_at", as: Int64.self) >= now else { return .invalid }
            try await db.raw("UPDATE refresh_tokens SET rotated = TRUE WHERE token_hash = \(bind: SecureRandom.digest(token))").run()
            return .ok(userID: try row.decode(column: "user_id", as: String.self), family: family, scope: try row.decode(column: "scope", as: String.self))
        }
        switch outcome {
        case .invalid: throw OAuthError("invalid_grant", "the refresh token is invalid, expired or revoked")
        case .reused: throw OAuthError("invalid_grant", "the refresh token was already used; the session is revoked")
        case .ok(let userID, let family, let scope):
            guard let epoch = try await store.tokenEpoch(ofUser: userID) else { throw OAuthError("invalid_grant", "the account is not active") }
            return try await issueTokens(userID: userID, subject: userID, client: client, scope: scope, epoch: epoch, refreshFamily: family)
        }
    }

    private func issueTokens(userID: String?, subject: String, client: OAuthClient, scope: String, epoch: Int64?,
                             refreshFamily: String?) async throws -> TokenResponse {
        let policy = try await store.securityPolicy()
        let now = Clock.epochSeconds()
        let claims = AccessTokenClaims(
            iss: .init(value: issuer), sub: .init(value: subject), aud: .init(value: Self.audience),
            exp: .init(value: Date(timeIntervalSince1970: TimeInterval(now + Int64(policy.accessTokenSeconds)))),
            iat: .init(value: Date(timeIntervalSince1970: TimeInterval(now))), jti: .init(value: SecureRandom.token(bytes: 16)),
            client_id: client.clientId, scope: scope, ep: epoch, st: userID == nil ? "client" : "user")
        let access = try await signer.sign(claims)
        var refresh: String?
        if let refreshFamily, let userID {
            let token = SecureRandom.token()
            try await store.database.write { db in
                try await db.raw("""
                    INSERT INTO refresh_tokens (token_hash, family_id, user_id, client_id, scope, issued_at, expires_at)
                    VALUES (\(bind: SecureRandom.digest(token)), \(bind: refreshFamily), \(bind: userID), \(bind: client.clientId),
                      \(bind: scope), \(bind: now), \(bind: now + Int64(policy.refreshTokenSeconds)))
                    """).run()
            }
            refresh = token
        }
        return TokenResponse(accessToken: access, expiresIn: policy.accessTokenSeconds, refreshToken: refresh, scope: scope)
    }

    // MARK: Revocation and introspection

    /// RFC 7009: revokes a refresh token (its whole family) or an access token (its `jti`). Unknown tokens are not an
    /// error. A client may only revoke its own tokens.
    public func revoke(token: String, client: OAuthClient) async throws {
        let digest = SecureRandom.digest(token)
        try await store.database.write { db in
            try await db.raw("""
                UPDATE refresh_tokens SET revoked = TRUE WHERE client_id = \(bind: client.clientId) AND family_id IN
                  (SELECT family_id FROM refresh_tokens WHERE token_hash = \(bind: digest))
                """).run()
        }
        if let claims = try? await signer.verify(token), claims.client_id == client.clientId {
            let expires = Int64(claims.exp.value.timeIntervalSince1970)
            try await store.database.write { db in
                try await db.raw("INSERT INTO revoked_tokens (jti, expires_at) VALUES (\(bind: claims.jti.value), \(bind: expires)) ON CONFLICT DO NOTHING").run()
            }
        }
    }

    /// RFC 7662 response.
    public struct Introspection: Sendable, Codable, Hashable {
        public var active: Bool
        public var scope: String?
        public var client_id: String?
        public var username: String?
        public var token_type: String?
        public var exp: Int64?
        public var iat: Int64?
        public var sub: String?
        public var aud: String?
        public var iss: String?
        public var jti: String?
        static let inactive = Introspection(active: false)
    }

    /// RFC 7662: whether a token is active and what it carries. Only confidential clients may ask.
    public func introspect(token: String) async throws -> Introspection {
        if let principal = try? await authenticate(bearer: token), let claims = try? await signer.verify(token) {
            return Introspection(active: true, scope: claims.scope, client_id: claims.client_id, username: principal.name,
                                 token_type: "Bearer", exp: Int64(claims.exp.value.timeIntervalSince1970),
                                 iat: Int64(claims.iat.value.timeIntervalSince1970), sub: claims.sub.value, aud: Self.audience,
                                 iss: issuer, jti: claims.jti.value)
        }
        let now = Clock.epochSeconds()
        let row = try await store.database.read { db in
            try await db.raw("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: SecureRandom.digest(token))").first()
        }
        if let row, !(try row.decode(column: "revoked", as: Bool.self)), !(try row.decode(column: "rotated", as: Bool.self)),
           try row.decode(column: "expires_at", as: Int64.self) >= now {
            let userID = try row.decode(column: "user_id", as: String.self)
            guard try await store.tokenEpoch(ofUser: userID) != nil else { return .inactive }
            return Introspection(active: true, scope: try row.decode(column: "scope", as: String.self),
                                 client_id: try row.decode(column: "client_id", as: String.self),
                                 username: try? await store.user(id: userID).username, token_type: "refresh_token",
                                 exp: try row.decode(column: "expires_at", as: Int64.self), iat: try row.decode(column: "issued_at", as: Int64.self),
                                 sub: userID, aud: nil, iss: issuer, jti: nil)
        }
        return .inactive
    }

    // MARK: Resource server

    /// Checks a bearer access token and returns who it stands for. The account is read fresh: a deactivated, closed
    /// or reset account's tokens stop working at once; so do revoked tokens.
    ///
    /// Tokens without dots are not JWTs: they are the opaque tokens of patient sessions, share sessions and share
    /// links (`PlatformStore.principal(forLinkToken:)`), checked against the database each time; one of an expired
    /// or revoked share throws `gone`.
    public func authenticate(bearer token: String) async throws(PlatformError) -> Principal {
        if !token.contains(".") {
            guard token.count <= 128, let principal = try await store.principal(forLinkToken: token) else {
                throw PlatformError(.unauthenticated, "the access token is invalid or expired")
            }
            return principal
        }
        guard let claims = try? await signer.verify(token), claims.iss.value == issuer, claims.aud.value.contains(Self.audience) else {
            throw PlatformError(.unauthenticated, "the access token is invalid or expired")
        }
        let revoked = (try? await store.database.read { db in
            try await db.raw("SELECT 1 AS x FROM revoked_tokens WHERE jti = \(bind: claims.jti.value)").first() != nil
        }) ?? true
        guard !revoked else { throw PlatformError(.unauthenticated, "the access token was revoked") }
        let scopes = Set(claims.scope.split(separator: " ").map(String.init))
        if claims.st == "client" {
            guard let client = try? await store.client(claims.client_id), client.grantTypes.contains(.clientCredentials) else {
                throw PlatformError(.unauthenticated, "the client no longer exists")
            }
            return Principal(userId: nil, name: client.clientId, roles: Set(client.roles), scope: .all, clientId: client.clientId, grantedScopes: scopes)
        }
        guard let account = try? await store.user(id: claims.sub.value), account.status == .active,
              let epoch = try? await store.tokenEpoch(ofUser: account.id), epoch == claims.ep else {
            throw PlatformError(.unauthenticated, "the account is no longer active or its sessions were ended")
        }
        var scope = account.accessScope
        if account.roles.contains(.patient), !account.roles.contains(.doctor), !account.roles.contains(.administrator) {
            scope = (try? await store.patientKey(ofUser: account.id)).flatMap { $0 }.map { AccessScope.patient(patientKey: $0) } ?? .study("")
        }
        var principal = Principal(userId: account.id, name: account.username, roles: Set(account.roles), scope: scope,
                                  clientId: claims.client_id, grantedScopes: scopes)
        principal.mustChangePassword = account.mustChangePassword
        return principal
    }

    /// RFC 8414 metadata.
    public func metadata() -> [String: AnyCodableValue] {
        [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/oauth/authorize"),
            "token_endpoint": .string(issuer + "/oauth/token"),
            "revocation_endpoint": .string(issuer + "/oauth/revoke"),
            "introspection_endpoint": .string(issuer + "/oauth/introspect"),
            "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
            "response_types_supported": .strings(["code"]),
            "grant_types_supported": .strings(GrantType.allCases.map(\.rawValue)),
            "code_challenge_methods_supported": .strings(["S256"]),
            "token_endpoint_auth_methods_supported": .strings(["client_secret_basic", "none"]),
            "revocation_endpoint_auth_methods_supported": .strings(["client_secret_basic", "none"]),
            "introspection_endpoint_auth_methods_supported": .strings(["client_secret_basic"]),
            "scopes_supported": .strings(supportedScopesList),
            "token_endpoint_auth_signing_alg_values_supported": .strings(["ES256"]),
        ]
    }

    private var supportedScopesList: [String] { Self.supportedScopes.sorted() }
}

/// A JSON value for small documents assembled in code (metadata).
public enum AnyCodableValue: Sendable, Hashable, Encodable {
    case string(String)
    case strings([String])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .strings(let s): try container.encode(s)
        }
    }
}
