import Foundation
import SQLKit

extension PlatformStore {
    private static func decodeClient(_ row: any SQLRow) throws -> OAuthClient {
        OAuthClient(clientId: try row.decode(column: "client_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                    confidential: try row.decode(column: "secret_hash", as: String?.self) != nil,
                    redirectURIs: (try row.decode(column: "redirect_uris", as: String.self)).split(separator: " ").map(String.init),
                    grantTypes: (try row.decode(column: "grant_types", as: String.self)).split(separator: " ").compactMap { GrantType(rawValue: String($0)) },
                    roles: (try row.decode(column: "roles", as: String.self)).split(separator: ",").compactMap { Role(rawValue: String($0)) },
                    firstParty: try row.decode(column: "first_party", as: Bool.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    /// Registers a client. For a confidential client, returns its secret (shown once; only a hash is kept).
    public func registerClient(clientId: String, name: String, confidential: Bool, redirectURIs: [String], grantTypes: [GrantType],
                               roles: [Role] = [], firstParty: Bool = true, secret: String? = nil) async throws -> (OAuthClient, String?) {
        guard !clientId.isEmpty, clientId.count <= 64, clientId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw PlatformError.invalid("clientId", "client id must be 1–64 letters, digits, '-', '_' or '.'")
        }
        guard !grantTypes.isEmpty else { throw PlatformError.invalid("grantTypes", "at least one grant type is required") }
        if grantTypes.contains(.clientCredentials), !confidential {
            throw PlatformError.invalid("grantTypes", "client_credentials needs a confidential client")
        }
        if grantTypes.contains(.authorizationCode) {
            guard !redirectURIs.isEmpty, redirectURIs.allSatisfy({ URL(string: $0)?.scheme != nil && !$0.contains("#") && !$0.contains(" ") }) else {
                throw PlatformError.invalid("redirectUris", "authorization_code needs absolute redirect URIs without fragments")
            }
        }
        let plainSecret = confidential ? (secret ?? SecureRandom.token()) : nil
        let hash = plainSecret.map(SecureRandom.digest)
        let now = Clock.epochSeconds()
        try await database.write { db in
            if try await db.raw("SELECT 1 AS x FROM oauth_clients WHERE client_id = \(bind: clientId)").first() != nil {
                throw PlatformError(.conflict, "client id is taken")
            }
            try await db.raw("""
                INSERT INTO oauth_clients (client_id, name, secret_hash, redirect_uris, grant_types, roles, first_party, created_at, updated_at)
                VALUES (\(bind: clientId), \(bind: name), \(bind: hash), \(bind: redirectURIs.joined(separator: " ")),
                  \(bind: grantTypes.map(\.rawValue).joined(separator: " ")), \(bind: roles.map(\.rawValue).joined(separator: ",")),
                  \(bind: firstParty), \(bind: now), \(bind: now))
                """).run()
        }
        return (try await client(clientId)!, plainSecret)
    }

    /// A client by id, or nil.
    public func client(_ clientId: String) async throws -> OAuthClient? {
        try await database.read { db in
            try await db.raw("SELECT * FROM oauth_clients WHERE client_id = \(bind: clientId)").first().map(Self.decodeClient)
        }
    }

    /// Every client.
    public func clients() async throws -> [OAuthClient] {
        try await database.read { db in try await db.raw("SELECT * FROM oauth_clients ORDER BY client_id").all().map(Self.decodeClient) }
    }

    /// Checks a confidential client's secret; nil when the client is unknown, public, or the secret is wrong.
    public func authenticateClient(_ clientId: String, secret: String) async throws -> OAuthClient? {
        let row = try await database.read { db in try await db.raw("SELECT * FROM oauth_clients WHERE client_id = \(bind: clientId)").first() }
        guard let row, let hash = try row.decode(column: "secret_hash", as: String?.self) else { return nil }
        // Compare digests in constant time.
        let given = Array(SecureRandom.digest(secret).utf8), stored = Array(hash.utf8)
        guard given.count == stored.count, zip(given, stored).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return try Self.decodeClient(row)
    }

    /// Replaces a confidential client's secret; returns the new one (the old stops working at once).
    public func rotateClientSecret(_ clientId: String) async throws -> String {
        guard let client = try await client(clientId) else { throw PlatformError(.notFound, "no client \(clientId)") }
        guard client.confidential else { throw PlatformError(.conflict, "a public client has no secret") }
        let secret = SecureRandom.token()
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("UPDATE oauth_clients SET secret_hash = \(bind: SecureRandom.digest(secret)), updated_at = \(bind: now) WHERE client_id = \(bind: clientId)").run()
        }
        return secret
    }
}
