import Crypto
import Foundation
import JWTKit
import SQLKit

/// The claims of our access tokens: the JWT profile for OAuth 2.0 access tokens (RFC 9068) plus our own.
public struct AccessTokenClaims: JWTPayload, Sendable {
    public var iss: IssuerClaim
    public var sub: SubjectClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    public var client_id: String
    public var scope: String
    /// Our addition: the account's token epoch when issued (deactivation, reset and closing bump it).
    public var ep: Int64?
    /// Our addition: whether the subject is a user (`user`) or the client itself (`client`).
    public var st: String

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired(currentDate: Date(timeIntervalSince1970: TimeInterval(Clock.epochSeconds())))
    }
}

/// Signs and verifies access tokens with an ES256 key kept in the database (so tokens survive a restart and several
/// portal nodes share it), and publishes the public key as a JWK Set.
public actor TokenSigner {
    private let keys = JWTKeyCollection()
    private let kid: String
    private let publicKey: ES256PublicKey

    private init(kid: String, privateKey: ES256PrivateKey) async {
        self.kid = kid
        self.publicKey = privateKey.publicKey
        await keys.add(ecdsa: privateKey, kid: JWKIdentifier(string: kid))
    }

    /// Loads the signing key from the store, making one on first use.
    public static func load(from store: PlatformStore) async throws -> TokenSigner {
        if let row = try await store.database.read({ db in
            try await db.raw("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1").first()
        }) {
            let key = try ES256PrivateKey(pem: try row.decode(column: "private_key", as: String.self))
            return await TokenSigner(kid: try row.decode(column: "kid", as: String.self), privateKey: key)
        }
        let key = ES256PrivateKey()
        let kid = SecureRandom.token(bytes: 12)
        let now = Clock.epochSeconds()
        try await store.database.write { db in
            try await db.raw("INSERT INTO signing_keys (kid, private_key, created_at) VALUES (\(bind: kid), \(bind: key.pemRepresentation), \(bind: now))").run()
        }
        return await TokenSigner(kid: kid, privateKey: key)
    }

    /// Signs claims as a JWT with `typ: at+jwt`.
    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        var header = JWTHeader()
        header.typ = "at+jwt"
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid), header: header)
    }

    /// Verifies signature and expiry; throws on anything else.
    public func verify(_ token: String) async throws -> AccessTokenClaims {
        try await keys.verify(token, as: AccessTokenClaims.self)
    }

    /// The JWK Set with the public key (RFC 7517), for `/.well-known/jwks.json`.
    public func jwks() -> [String: [[String: String]]] {
        let parameters = publicKey.parameters
        return ["keys": [["kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                          "x": parameters?.x ?? "", "y": parameters?.y ?? ""]]]
    }
}
