import Foundation
import Logging
import PlatformServices

/// First start of `serve` on an empty database: a default hospital, the web app's public OAuth client and an
/// administrator with a one-time password that must be changed at first login (printed once, never stored in clear).
enum Bootstrap {
    struct Result: Sendable {
        var adminPassword: String?
    }

    static func run(_ platform: Platform, logger: Logger) async throws -> Result {
        let store = platform.store
        if try await store.hospitals().isEmpty {
            try await store.upsertHospital(id: "default", name: "Default Hospital", departments: ["放射科"])
        }
        if try await store.client("mi-web") == nil {
            let base = platform.config.baseURL
            _ = try await store.registerClient(clientId: "mi-web", name: "医学影像平台 Web", confidential: false,
                                               redirectURIs: [base + "/app/callback"], grantTypes: [.authorizationCode, .refreshToken])
        }
        guard try await store.users(matching: nil, limit: 1).total == 0 else { return Result() }
        let password = SecureRandom.password()
        let admin = try await store.createUser(username: "admin", password: password, name: "Administrator", roles: [.administrator])
        try await store.setPassword(admin.id, password, mustChange: true)
        logger.notice("created the first administrator")
        return Result(adminPassword: password)
    }
}
