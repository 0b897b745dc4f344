import ArgumentParser
import Foundation
import PlatformServices

/// `mi-cli synthetic-worklist --database URL --studies N [--client-id ID --client-secret S]`: a database full of
/// generated exams for benchmarks and load tests.
struct SyntheticWorklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic-worklist",
        abstract: "Fill a database with generated patients and exams (index rows, no images) for benchmarks.",
        discussion: "With --client-id and --client-secret, also registers a client-credentials client with the integration role, to query the worklist over HTTP."
    )

    @Option(help: "Database URL: sqlite:PATH or postgres://user:pass@host:port/db.") var database: String
    @Option(help: "Studies to generate.") var studies = 100_000
    @Option(help: "Random seed (the same seed gives the same rows).") var seed: UInt64 = 1
    @Option(help: "Hospital id the exams belong to (created when missing).") var hospital = "synthetic"
    @Option(help: "Register this OAuth client id (integration role).") var clientId: String?
    @Option(help: "Its secret.") var clientSecret: String?

    func validate() throws {
        guard (1...10_000_000).contains(studies) else { throw ValidationError("--studies must be 1...10000000") }
        guard (clientId == nil) == (clientSecret == nil) else { throw ValidationError("give --client-id and --client-secret together") }
    }

    func run() throws {
        let database = self.database, studies = self.studies, seed = self.seed, hospital = self.hospital
        let clientId = self.clientId, clientSecret = self.clientSecret
        let seconds: Double = try runImport {
            let db = try await PlatformDatabase.open(url: database)
            do {
                try await db.migrate()
                // Index rows only: the blob store is never written (a throwaway folder satisfies the facade).
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mi-synthetic-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let store = PlatformStore(database: db, blobs: try FileBlobStore(root: scratch))
                let start = Date()
                try await SyntheticWorklist(studies: studies, seed: seed).fill(store, hospitalID: hospital)
                let elapsed = Date().timeIntervalSince(start)
                if let clientId, let clientSecret, try await store.client(clientId) == nil {
                    _ = try await store.registerClient(clientId: clientId, name: "Synthetic worklist client", confidential: true, redirectURIs: [],
                                                       grantTypes: [.clientCredentials], roles: [.integration], secret: clientSecret)
                }
                await db.close()
                return elapsed
            } catch {
                await db.close()
                throw error
            }
        }
        emit(String(format: "wrote %d studies in %.1f s\n", studies, seconds))
    }
}
