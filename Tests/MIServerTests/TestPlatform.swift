import Foundation
import Logging
@testable import PlatformServices
@testable import mi_server

/// A platform on a throwaway SQLite file and storage folder (fast bcrypt), closed and removed after `body`.
func withTestPlatform<T>(_ body: (Platform) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-server-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var config = ServerConfig()
    config.database = "sqlite:" + folder.appendingPathComponent("index.sqlite").path
    config.storage = folder.appendingPathComponent("storage").path
    let platform = try await Platform.open(config, hasher: PasswordHasher(cost: 4), logger: Logger(label: "test"))
    do {
        let result = try await body(platform)
        await platform.store.database.close()
        return result
    } catch {
        await platform.store.database.close()
        throw error
    }
}

/// An access token for `user` as the authorization server would issue it after a login through `mi-web`.
func accessToken(for user: UserAccount, on platform: Platform) async throws -> String {
    let now = Date()
    let epoch = try await platform.store.tokenEpoch(ofUser: user.id)
    let claims = AccessTokenClaims(iss: .init(value: platform.authorization.issuer), sub: .init(value: user.id),
                                   aud: .init(value: AuthorizationServer.audience), exp: .init(value: now.addingTimeInterval(600)),
                                   iat: .init(value: now), jti: .init(value: UUID().uuidString), client_id: "mi-web", scope: "api",
                                   ep: epoch, st: "user")
    return try await platform.authorization.signer.sign(claims)
}
