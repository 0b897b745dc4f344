import DicomCore
import DicomNetwork
import Foundation
import Logging
import Synchronization

/// A PACS the platform may query and retrieve from.
public struct PACSPeer: Sendable, Hashable, Codable {
    public var name: String
    public var aeTitle: String
    public var host: String
    public var port: Int
    public init(name: String, aeTitle: String, host: String, port: Int) {
        self.name = name
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
    }
}

/// Fetches studies that are not local from the hospital's PACS on demand: C-FIND at study level on each peer, then
/// C-MOVE to our own Storage SCP (whose handler indexes what arrives) or, when we run no SCP, C-GET on the same
/// association. One retrieval per study at a time; callers poll the study until it is there.
public final class PACSRetriever: Sendable {
    /// Where retrieved instances go: our AE title for C-MOVE, or a handler for C-GET.
    public enum Destination: Sendable {
        case move(ourAETitle: String)
        case get
    }

    /// How a retrieval request ended.
    public enum Outcome: Sendable, Hashable {
        /// Started now, or already running.
        case retrieving
        /// No peer knows the study.
        case notFound
        /// No peer is configured.
        case noPeers
    }

    let store: PlatformStore
    let peers: @Sendable () async -> [PACSPeer]
    let destination: Destination
    let callingAE: String
    let logger: Logger
    private let inFlight = Mutex<Set<String>>([])

    public init(store: PlatformStore, peers: @escaping @Sendable () async -> [PACSPeer], destination: Destination, callingAE: String,
                logger: Logger = Logger(label: "mi.pacs")) {
        self.store = store
        self.peers = peers
        self.destination = destination
        self.callingAE = callingAE
        self.logger = logger
    }

    /// Whether a retrieval of `studyUID` is running.
    public func isRetrieving(_ studyUID: String) -> Bool { inFlight.withLock { $0.contains(studyUID) } }

    /// Looks the study up on the peers; when one has it, starts retrieving it in the background.
    public func requestStudy(_ studyUID: String) async -> Outcome {
        if isRetrieving(studyUID) { return .retrieving }
        let peers = await self.peers()
        guard !peers.isEmpty else { return .noPeers }
        for peer in peers {
            let client = DicomClient(host: peer.host, port: peer.port, calledAE: peer.aeTitle, callingAE: callingAE)
            var identifier = DataSet()
            do {
                try identifier.setString("STUDY", for: Tag(0x0008, 0x0052))
                try identifier.setString(studyUID, for: .studyInstanceUID)
                try identifier.setString("", for: Tag(0x0020, 0x1208))   // Number of Study Related Instances
                let matches = try await client.find(.studyRoot, identifier: identifier)
                guard !matches.isEmpty else { continue }
            } catch {
                logger.warning("C-FIND on \(peer.name) (\(peer.aeTitle)@\(peer.host):\(peer.port)) failed: \(error)")
                continue
            }
            let started = inFlight.withLock { $0.insert(studyUID).inserted }
            guard started else { return .retrieving }
            let store = self.store, destination = self.destination, logger = self.logger
            Task.detached { [self] in
                defer { _ = self.inFlight.withLock { $0.remove(studyUID) } }
                do {
                    let result: RetrieveResult
                    switch destination {
                    case .move(let ourAE):
                        result = try await client.move(.studyRoot, identifier: identifier, destination: ourAE)
                    case .get:
                        result = try await client.get(.studyRoot, identifier: identifier, storage: IndexingStorageHandler(store: store, logger: logger))
                    }
                    logger.info("retrieved study \(studyUID) from \(peer.name): \(result.completed) completed, \(result.failed) failed")
                } catch {
                    logger.error("retrieving study \(studyUID) from \(peer.name) failed: \(error)")
                }
            }
            return .retrieving
        }
        return .notFound
    }
}
