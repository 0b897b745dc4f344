import Foundation
import Logging
import PlatformServices

/// Everything a running server holds: the store, the authorization server and the pixel service. Built once at
/// start from the config; routes get it and nothing else.
struct Platform: Sendable {
    let config: ServerConfig
    let store: PlatformStore
    let authorization: AuthorizationServer
    let pixels: PixelService
    let loginThrottle: LoginThrottle

    /// Opens the database (migrating it), the blob store and the token signer.
    static func open(_ config: ServerConfig, hasher: PasswordHasher = PasswordHasher(), logger: Logger) async throws -> Platform {
        let database = try await PlatformDatabase.open(url: config.database, logger: logger)
        try await database.migrate()
        guard let durability = FileBlobStore.Durability(rawValue: config.storageDurability ?? "filesystem") else {
            throw ConfigError("storageDurability must be one of \(FileBlobStore.Durability.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let blobs = try FileBlobStore(root: URL(fileURLWithPath: config.storage), durability: durability)
        let store = PlatformStore(database: database, blobs: blobs, hasher: hasher, logger: logger)
        let signer = try await TokenSigner.load(from: store)
        return Platform(config: config, store: store,
                        authorization: AuthorizationServer(issuer: config.baseURL, store: store, signer: signer),
                        pixels: PixelService(store: store), loginThrottle: LoginThrottle())
    }
}

/// Per-address login throttling in memory, in front of the per-account lockout in the store: an address that
/// fails too often waits, whichever usernames it tries.
actor LoginThrottle {
    private var failures: [String: [Int64]] = [:]
    let limit: Int
    let window: Int64

    init(limit: Int = 20, window: Int64 = 600) {
        self.limit = limit
        self.window = window
    }

    /// Whether `address` may try now.
    func allows(_ address: String) -> Bool {
        let now = Clock.epochSeconds()
        let recent = (failures[address] ?? []).filter { $0 > now - window }
        failures[address] = recent.isEmpty ? nil : recent
        return recent.count < limit
    }

    func recordFailure(_ address: String) {
        failures[address, default: []].append(Clock.epochSeconds())
        if failures.count > 100_000 { failures.removeAll() }   // bounded memory under a spray of addresses
    }
}
