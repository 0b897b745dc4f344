import Foundation
import Logging

extension PlatformStore {
    /// Opens a store for a tool that works on the database directly (`mi-cli import --database`): opens and migrates
    /// the database, opens the storage folder, and checks that a hospital exists (every study belongs to one).
    ///
    /// ```swift
    /// let store = try await PlatformStore.open(database: "sqlite:/var/lib/mi/index.sqlite", storage: "/var/lib/mi/storage")
    /// ```
    public static func open(database url: String, storage: String, logger: Logger = Logger(label: "mi.store")) async throws -> PlatformStore {
        let database = try await PlatformDatabase.open(url: url, logger: logger)
        do {
            try await database.migrate()
            let store = PlatformStore(database: database, blobs: try FileBlobStore(root: URL(fileURLWithPath: storage)), logger: logger)
            guard try await !store.hospitals().isEmpty else {
                throw PlatformError(.invalidArgument, "the database \(redacted(url)) has no hospital yet, and every study belongs to one: create one first (upsertHospital)")
            }
            return store
        } catch {
            await database.close()
            throw error
        }
    }

    /// A database URL without its password, for messages and journal names.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
