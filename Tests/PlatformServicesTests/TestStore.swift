import Foundation
import Logging
@testable import PlatformServices

/// A migrated store on a throwaway SQLite file and blob folder, with one hospital (departments: 放射科), closed and
/// removed after `body`.
func withTestStore(hospital: String, _ body: (PlatformStore) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let database = try await PlatformDatabase.open(url: "sqlite:" + folder.appendingPathComponent("index.sqlite").path)
    try await database.migrate()
    let store = PlatformStore(database: database, blobs: try FileBlobStore(root: folder.appendingPathComponent("blobs")),
                              hasher: PasswordHasher(cost: 4), logger: Logger(label: "test"))
    do {
        try await store.upsertHospital(id: hospital, name: "Test General", departments: ["放射科"])
        try await body(store)
    } catch {
        await database.close()
        throw error
    }
    await database.close()
}
