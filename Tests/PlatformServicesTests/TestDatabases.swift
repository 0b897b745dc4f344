import Foundation
import Logging
import Testing
@testable import PlatformServices

/// Fresh stores for tests, on either engine. PostgreSQL comes from `MI_TEST_POSTGRES_URL` (the test script starts a
/// cluster) or, when unset, from a cluster this process starts itself with `Scripts/start-test-postgres.sh`.
/// Each store gets its own database (PostgreSQL) or file (SQLite), so tests never see each other's rows.
enum TestDatabases {
    enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// The server URL of the test cluster: `MI_TEST_POSTGRES_URL`, which `Scripts/test.sh` sets after starting a
    /// cluster with `Scripts/start-test-postgres.sh`. Without it the PostgreSQL cases fail (never skip) with a
    /// message saying how to start one.
    static var postgresURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["MI_TEST_POSTGRES_URL"], !url.isEmpty else {
                throw PlatformError(.storageFailure, "MI_TEST_POSTGRES_URL is not set: export MI_TEST_POSTGRES_URL=$(Scripts/start-test-postgres.sh /tmp/mi-pg)")
            }
            return url
        }
    }

    /// Runs `body` with a migrated store on a brand-new database, closing it however `body` ends (SQLite
    /// connections must be closed before they are released).
    static func withStore<T>(_ engine: Engine, _ body: (PlatformStore) async throws -> T) async throws -> T {
        let store = try await makeStore(engine)
        do {
            let result = try await body(store)
            await store.database.close()
            return result
        } catch {
            await store.database.close()
            throw error
        }
    }

    /// A migrated store on a brand-new database; the caller closes it.
    static func makeStore(_ engine: Engine) async throws -> PlatformStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url: String
        switch engine {
        case .sqlite:
            url = "sqlite:" + folder.appendingPathComponent("index.sqlite").path
        case .postgres:
            let server = try postgresURL
            let admin = try await PlatformDatabase.open(url: server, readers: 1)
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            _ = try await admin.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: String(name))").all() }
            await admin.close()
            var components = URLComponents(string: server)!
            components.path = "/" + name
            url = components.string!
        }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try await PlatformDatabase.open(url: url, logger: logger)
        try await database.migrate()
        let store = PlatformStore(database: database, blobs: try FileBlobStore(root: folder.appendingPathComponent("blobs")),
                                  hasher: PasswordHasher(cost: 4), logger: logger)
        try await store.upsertHospital(id: "h1", name: "演示总医院", aliases: ["Demo General Hospital"], departments: ["放射科", "骨科"])
        try await store.upsertHospital(id: "h2", name: "演示东院", aliases: ["Demo East Campus"], departments: ["放射科"])
        return store
    }
}
