import DicomCore
import NIOCore
import NIOPosix

/// A DICOM SCU for one remote AE: each operation opens an association, does its work and releases it.
///
/// ```swift
/// let pacs = DicomClient(host: "10.0.0.5", port: 104, calledAE: "PACS", callingAE: "MI")
/// try await pacs.echo()
/// let studies = try await pacs.find(.studyRoot, keys: identifier)
/// ```
public struct DicomClient: Sendable {
    /// Remote host.
    public var host: String
    /// Remote port.
    public var port: Int
    /// The remote AE title.
    public var calledAE: String
    /// Our AE title.
    public var callingAE: String
    /// The largest P-DATA-TF body we accept (advertised as Maximum Length Received).
    public var maximumLength: UInt32 = 1 << 20
    /// Connect, ARTIM and idle timeouts.
    public var timeouts = AssociationTimeouts()
    /// User identity to send, if any.
    public var userIdentity: UserIdentity?
    /// Largest data set accepted from the peer (C-GET instances, C-FIND identifiers).
    public var maximumDataSetSize = Int(Int32.max)
    /// One line per notable event.
    public var log: @Sendable (String) -> Void = { _ in }

    /// A client for `calledAE` at `host:port`.
    public init(host: String, port: Int, calledAE: String, callingAE: String = "MI-SCU") {
        self.host = host
        self.port = port
        self.calledAE = calledAE
        self.callingAE = callingAE
    }

    /// Opens an association proposing `contexts`, runs `body`, then releases it (or aborts it if `body` throws).
    public func withAssociation<R: Sendable>(_ contexts: [PresentationContextProposal], roleSelections: [RoleSelection] = [],
                                              body: (Association) async throws -> R) async throws -> R {
        let limit = maximumLength, timeouts = timeouts, log = log, maximumDataSetSize = maximumDataSetSize
        let channel: NIOAsyncChannel<PDU, PDU>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(timeouts.connect)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.addDicomHandlers(maximumLength: limit, timeouts: timeouts, log: log) }
                }
        } catch {
            throw DicomNetworkError(connecting: error, host: host, port: port, timeout: timeouts.connect)
        }
        let request = AssociateRequest(calledAE: calledAE, callingAE: callingAE, presentationContexts: contexts,
                                       userInformation: UserInformation(maximumLength: maximumLength, roleSelections: roleSelections, userIdentity: userIdentity))
        return try await channel.executeThenClose { inbound, outbound in
            let association = Association(channel: channel.channel, inbound: inbound, outbound: outbound, requestor: true, maximumDataSetSize: maximumDataSetSize)
            try await association.request(request)
            do {
                let result = try await body(association)
                try await association.release()
                return result
            } catch {
                await association.abort()
                throw error
            }
        }
    }

    // MARK: C-ECHO

    /// C-ECHO (PS3.7 §9.1.5): verifies the peer answers DIMSE.
    @discardableResult
    public func echo() async throws -> DIMSEStatus {
        try await withAssociation([PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle])]) { a in
            try await a.echo()
        }
    }
}

extension Association {
    /// Sends A-ASSOCIATE-RQ and waits for AC or RJ.
    func request(_ request: AssociateRequest) async throws {
        try await send(.associateRQ(request))
        let pdu = try await receivePDU()
        switch pdu {
        case .associateAC(let ac):
            var contexts: [UInt8: AcceptedContext] = [:]
            for result in ac.presentationContexts where result.result == .acceptance {
                guard let proposal = request.presentationContexts.first(where: { $0.id == result.id }) else { continue }
                contexts[result.id] = AcceptedContext(id: result.id, abstractSyntax: proposal.abstractSyntax, transferSyntax: result.transferSyntax)
            }
            parameters = AssociationParameters(callingAE: request.callingAE, calledAE: request.calledAE, contexts: contexts,
                                               peerMaximumLength: ac.userInformation.maximumLength, roleSelections: ac.userInformation.roleSelections,
                                               userIdentity: request.userInformation.userIdentity,
                                               peerImplementationClassUID: ac.userInformation.implementationClassUID,
                                               peerImplementationVersionName: ac.userInformation.implementationVersionName)
        case .associateRJ(let rj):
            try? await channel.close()
            var error = DicomNetworkError(.associationRejected, "A-ASSOCIATE-RJ: result \(rj.result), source \(rj.source), reason \(rj.reason)")
            error.rejection = rj
            throw error
        default:
            await abort(.unexpectedPDU)
            throw DicomNetworkError(.unexpectedPDU, "PDU type \(pdu.type) in answer to A-ASSOCIATE-RQ")
        }
    }

    /// The final response to a request, skipping (and handing to `pending`) the pending ones.
    func awaitResponse(to messageID: UInt16, pending: (DIMSEMessage) async throws -> Void = { _ in }) async throws -> DIMSEMessage {
        while true {
            guard let message = try await receive() else { throw DicomNetworkError(.connectionClosed, "the peer released before responding") }
            guard message.command.uint16(.messageIDBeingRespondedTo) == messageID else {
                try await pending(message)
                continue
            }
            if message.command.status?.isPending == true {
                try await pending(message)
                continue
            }
            return message
        }
    }

    /// C-ECHO on this association.
    public func echo() async throws -> DIMSEStatus {
        guard let context = parameters.context(for: SOPClass.verification) else {
            throw DicomNetworkError(.noPresentationContext, "Verification was not accepted")
        }
        let id = nextMessageID()
        try await send(DIMSEMessage(contextID: context.id, command: .request(.cEchoRQ, messageID: id, sopClassUID: SOPClass.verification, hasDataSet: false, priority: nil)))
        let response = try await awaitResponse(to: id)
        let status = response.command.status ?? .processingFailure
        guard !status.isFailure else { throw DicomNetworkError(.operationFailed, "C-ECHO answered \(status)", status: status.code) }
        return status
    }

    /// C-STORE of one data set already encoded in `transferSyntax`.
    public func store(sopClassUID: String, sopInstanceUID: String, transferSyntax: String, dataSet: [UInt8],
                      moveOriginator: (ae: String, messageID: UInt16)? = nil) async throws -> DIMSEStatus {
        try await store(sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID, transferSyntax: transferSyntax, dataSet: dataSet[...], moveOriginator: moveOriginator)
    }

    /// C-STORE of a data set that is a slice of larger bytes (a whole file read from disk), sent without copying it out.
    func store(sopClassUID: String, sopInstanceUID: String, transferSyntax: String, dataSet: ArraySlice<UInt8>,
               moveOriginator: (ae: String, messageID: UInt16)? = nil) async throws -> DIMSEStatus {
        guard let context = parameters.context(for: sopClassUID, transferSyntax: transferSyntax), context.transferSyntax == transferSyntax else {
            throw DicomNetworkError(.noPresentationContext, "no accepted context for \(sopClassUID) in \(transferSyntax)")
        }
        let id = nextMessageID()
        var command = CommandSet.request(.cStoreRQ, messageID: id, sopClassUID: sopClassUID, hasDataSet: true)
        command.set(.affectedSOPInstanceUID, sopInstanceUID)
        if let moveOriginator {
            command.set(.moveOriginatorAE, moveOriginator.ae)
            command.set(.moveOriginatorMessageID, moveOriginator.messageID)
        }
        try await send(contextID: context.id, command: command, dataSet: dataSet)
        let response = try await awaitResponse(to: id)
        return response.command.status ?? .processingFailure
    }
}
