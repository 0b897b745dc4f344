import DicomNetwork
import Logging
import PlatformServices
import ServiceLifecycle

/// The Storage SCP as a lifecycle service: instances sent by modalities and PACS go straight into the index.
struct DicomService: Service {
    let server: DicomServer

    static func bind(aeTitle: String, host: String, port: Int, store: PlatformStore, logger: Logger) async throws -> DicomService {
        var configuration = DicomServerConfiguration(aeTitle: aeTitle, port: port)
        configuration.host = host
        configuration.storage = IndexingStorageHandler(store: store, logger: logger)
        configuration.preferredTransferSyntaxes = TransferSyntaxUID.uncompressed
        configuration.log = { logger.debug("\($0)") }
        return DicomService(server: try await DicomServer.bind(configuration))
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            Task { await server.close() }
        }
    }
}
