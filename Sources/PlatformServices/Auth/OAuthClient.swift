/// OAuth grant types the server supports (RFC 6749 §4). No password grant.
public enum GrantType: String, Sendable, Hashable, Codable, CaseIterable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"
}

/// A registered OAuth client: the web app (public, PKCE), mobile apps, or an integration (confidential).
public struct OAuthClient: Sendable, Hashable, Codable {
    public var clientId: String
    public var name: String
    /// Confidential clients have a secret (authenticated with HTTP Basic, `client_secret_basic`).
    public var confidential: Bool
    /// Exact-match redirect URIs (RFC 6749 §3.1.2.3); empty for client-credentials-only clients.
    public var redirectURIs: [String]
    public var grantTypes: [GrantType]
    /// Roles a client acting for itself holds (client credentials), e.g. `integration`.
    public var roles: [Role]
    /// First-party clients skip the consent page.
    public var firstParty: Bool
    public var createdAt: Int64
}

/// What `/oauth/token` returns (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Hashable, Codable {
    public var accessToken: String
    public var tokenType: String = "Bearer"
    public var expiresIn: Int
    public var refreshToken: String?
    public var scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token", scope
    }
}

/// An OAuth protocol error (RFC 6749 §5.2): `error` code and description, and the HTTP status it maps to.
public struct OAuthError: Error, Sendable, Hashable {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`,
    /// `invalid_scope`, `access_denied`, `unsupported_response_type`, `invalid_token`.
    public var error: String
    public var description: String
    /// 400, or 401 for `invalid_client` / `invalid_token`.
    public var status: Int

    public init(_ error: String, _ description: String, status: Int = 400) {
        self.error = error
        self.description = description
        self.status = status
    }
}
