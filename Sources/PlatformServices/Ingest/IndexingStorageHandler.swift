import DicomNetwork
import Logging

/// The Storage SCP's handler for the platform: each received instance becomes a Part 10 object in the blob store and
/// a row in the index before the C-STORE response says success (so nothing acknowledged is lost when the server
/// crashes; surviving a power loss as well takes the blob store's `flushed` durability).
public struct IndexingStorageHandler: StorageHandler {
    public let store: PlatformStore
    let logger: Logger

    public init(store: PlatformStore, logger: Logger = Logger(label: "mi.storescp")) {
        self.store = store
        self.logger = logger
    }

    public func store(_ request: StoreRequest) async -> DIMSEStatus {
        do {
            let header = try FileStorageHandler.fileHeader(for: request)
            let actor = "dimse:\(request.callingAE)"
            let outcome = try await store.ingest(bytes: header + request.dataSet, source: actor, audit: IngestAudit(actor: actor))
            if outcome.sopInstanceUID != request.sopInstanceUID {
                logger.warning("C-STORE \(request.sopInstanceUID) carries SOP Instance UID \(outcome.sopInstanceUID)")
            }
            return .success
        } catch let error as PlatformError where error.code == .invalidDicom {
            logger.warning("C-STORE \(request.sopInstanceUID) from \(request.callingAE) refused: \(error.message)")
            return .cannotUnderstand
        } catch {
            logger.error("C-STORE \(request.sopInstanceUID) from \(request.callingAE) failed: \(String(reflecting: error))")
            return .outOfResources
        }
    }
}
