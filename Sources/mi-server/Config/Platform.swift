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
    /// On-demand retrieval from the PACS peers (config file and administrators' PACS links).
    let pacs: PACSRetriever?

    /// Opens the database (migrating it), the blob store and the token signer.
    static func open(_ config: ServerConfig, hasher: PasswordHasher = PasswordHasher(), logger: Logger) async throws -> Platform {
        let database = try await PlatformDatabase.open(url: config.database, logger: logger)
        try await database.migrate()
        guard let durability = FileBlobStore.Durability(rawValue: config.storageDurability ?? "flushed") else {
            throw ConfigError("storageDurability must be one of \(FileBlobStore.Durability.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let blobs = try FileBlobStore(root: URL(fileURLWithPath: config.storage), durability: durability)
        let store = PlatformStore(database: database, blobs: blobs, hasher: hasher, logger: logger)
        let signer = try await TokenSigner.load(from: store)
        // Peers from the config file and from the PACS links administrators manage, asked in that order. With our own
        // Storage SCP running, the PACS pushes with C-MOVE; without one, C-GET brings the study back.
        let configured = (config.pacs ?? []).map { PACSPeer(name: $0.name, aeTitle: $0.aeTitle, host: $0.host, port: $0.port) }
        let destination: PACSRetriever.Destination = config.dicom.map { .move(ourAETitle: $0.aeTitle) } ?? .get
        let pacs = PACSRetriever(store: store, peers: {
            configured + ((try? await store.pacsNodes()) ?? []).map(\.peer)
        }, destination: destination, callingAE: config.dicom?.aeTitle ?? "MI_SERVER", logger: logger)
        return Platform(config: config, store: store,
                        authorization: AuthorizationServer(issuer: config.baseURL, store: store, signer: signer),
                        pixels: PixelService(store: store), loginThrottle: LoginThrottle(), pacs: pacs)
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
