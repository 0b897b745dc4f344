import DicomCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// How a ``DicomServer`` listens and what it accepts.
public struct DicomServerConfiguration: Sendable {
    /// Our AE title.
    public var aeTitle: String
    /// Address to bind.
    public var host: String = "0.0.0.0"
    /// Port to bind; 0 picks a free one (see ``DicomServer/port``).
    public var port: Int
    /// Called AE titles accepted; nil accepts any.
    public var allowedCalledAEs: Set<String>?
    /// Calling AE titles accepted; nil accepts any.
    public var allowedCallingAEs: Set<String>?
    /// At most this many associations at once; more are rejected (transient, local limit exceeded).
    public var maximumAssociations = 64
    /// Maximum Length Received we advertise. Large PDUs mean fewer reads per instance.
    public var maximumLength: UInt32 = 1 << 20
    /// The largest data set accepted; a larger one aborts the association.
    public var maximumDataSetSize = Int(Int32.max)
    /// ARTIM, idle and connect timeouts.
    public var timeouts = AssociationTimeouts()
    /// Transfer syntaxes preferred for non-storage contexts, in order.
    public var preferredTransferSyntaxes = TransferSyntaxUID.uncompressed
    /// Accepts or refuses a requestor's user identity (nil: identity is ignored).
    public var userIdentityCheck: (@Sendable (UserIdentity?) -> Bool)?
    /// C-STORE back end; nil refuses storage classes.
    public var storage: (any StorageHandler)?
    /// With a ``FileStorageHandler`` as `storage`, answer C-STORE inside the channel pipeline: fragments are written
    /// to the file as they arrive and the response leaves from the event loop, with no task hand-over per instance.
    /// The data set is never held in memory whole. The fsyncs then run on the event loop (see `StoreFastPath`),
    /// delaying other connections on that loop, so it is off by default; `mi-cli store-scp` turns it on. Speed: on a
    /// shared 2-core machine, best of runs from storescu 584 against 448 instances/s in one A/B, 436 against 444 in
    /// the next, within noise at load 20.
    public var writesFilesOnEventLoop = false
    /// C-FIND back end; nil refuses FIND classes.
    public var query: (any QueryHandler)?
    /// C-MOVE/C-GET back end; nil refuses MOVE and GET classes.
    public var retrieve: (any RetrieveHandler)?
    /// One line per rejected, aborted or failed association.
    public var log: @Sendable (String) -> Void = { _ in }

    /// A configuration for `aeTitle` on `port`.
    public init(aeTitle: String, port: Int) {
        self.aeTitle = aeTitle
        self.port = port
    }
}

/// A DICOM SCP listener: negotiates associations, answers C-ECHO itself and hands other operations to its handlers.
///
/// ```swift
/// var config = DicomServerConfiguration(aeTitle: "MI", port: 11112)
/// config.storage = FileStorageHandler(directory: "/var/lib/mi/incoming")
/// let server = try await DicomServer.bind(config)
/// try await server.run()          // until the task is cancelled
/// ```
public final class DicomServer: Sendable {
    /// The configuration.
    public let configuration: DicomServerConfiguration
    /// The bound port.
    public let port: Int
    private let channel: NIOAsyncChannel<NIOAsyncChannel<PDU, PDU>, Never>
    private let active = NIOLockedValueBox(0)

    private init(configuration: DicomServerConfiguration, channel: NIOAsyncChannel<NIOAsyncChannel<PDU, PDU>, Never>) {
        self.configuration = configuration
        self.channel = channel
        self.port = channel.channel.localAddress?.port ?? configuration.port
    }

    /// Binds the listening socket. TCP_NODELAY is set on every accepted socket.
    public static func bind(_ configuration: DicomServerConfiguration) async throws -> DicomServer {
        let limit = configuration.maximumLength, timeouts = configuration.timeouts, log = configuration.log
        let fileStorage = configuration.writesFilesOnEventLoop ? configuration.storage as? FileStorageHandler : nil
        let maximumDataSetSize = configuration.maximumDataSetSize
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { child in
                child.eventLoop.makeCompletedFuture {
                    let fastPath = fileStorage.map { StoreFastPath(storage: $0, session: StoreFastPathSession(), maximumDataSetSize: maximumDataSetSize, log: log) }
                    return try child.addDicomHandlers(maximumLength: limit, timeouts: timeouts, log: log, extra: fastPath.map { [$0] } ?? [])
                }
            }
        return DicomServer(configuration: configuration, channel: channel)
    }

    /// The number of associations being served.
    public var activeAssociations: Int { active.withLockedValue { $0 } }

    /// Serves connections until the task is cancelled or ``close()`` is called.
    public func run() async throws {
        try await channel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Stops listening; associations in progress finish.
    public func close() async {
        try? await channel.channel.close()
    }

    private func serve(_ connection: NIOAsyncChannel<PDU, PDU>) async {
        let peer = connection.channel.remoteAddress?.description ?? "peer"
        let overLimit = active.withLockedValue { count -> Bool in
            count += 1
            return count > configuration.maximumAssociations
        }
        defer { active.withLockedValue { $0 -= 1 } }
        do {
            let cancels = try await CancelRequests.of(connection.channel)
            let fastPath = try await StoreFastPathSession.of(connection.channel)
            try await connection.executeThenClose { inbound, outbound in
                let association = Association(channel: connection.channel, inbound: inbound, outbound: outbound, requestor: false,
                                              maximumDataSetSize: configuration.maximumDataSetSize, cancelRequests: cancels)
                guard try await accept(association, overLimit: overLimit, peer: peer, fastPath: fastPath) else { return }
                try await dispatch(association)
            }
        } catch {
            configuration.log("association with \(peer) ended: \(error)")
        }
    }

    /// Negotiates: A-ASSOCIATE-AC, or -RJ for malformed AE titles or UIDs, unknown AEs, a wrong application context, a
    /// refused identity or the limit.
    private func accept(_ a: Association, overLimit: Bool, peer: String, fastPath: StoreFastPathSession?) async throws -> Bool {
        let pdu = try await a.receivePDU()
        guard case .associateRQ(let rq) = pdu else { throw DicomNetworkError(.unexpectedPDU, "expected A-ASSOCIATE-RQ") }
        var reject: AssociateReject?
        var why = ""
        if overLimit { reject = .localLimitExceeded }
        else if let problem = rq.validationProblem { reject = problem.reject; why = ": " + problem.reason }
        else if rq.applicationContext != DicomNetwork.applicationContextName { reject = .applicationContextNotSupported }
        else if rq.protocolVersion & 1 == 0 { reject = .protocolVersionNotSupported }
        else if let allowed = configuration.allowedCalledAEs, !allowed.contains(rq.calledAE) { reject = .calledAENotRecognized }
        else if let allowed = configuration.allowedCallingAEs, !allowed.contains(rq.callingAE) { reject = .callingAENotRecognized }
        else if let check = configuration.userIdentityCheck, !check(rq.userInformation.userIdentity) { reject = .noReason }
        if let reject {
            // The titles are printed with control and non-ASCII characters escaped: they are the peer's, not ours.
            configuration.log("rejected association from \(peer) (calling \(rq.callingAE.debugDescription), called \(rq.calledAE.debugDescription)): result \(reject.result) source \(reject.source) reason \(reject.reason)\(why)")
            try await a.send(.associateRJ(reject))
            try? await a.channel.close()
            return false
        }
        var results: [PresentationContextResult] = []
        var contexts: [UInt8: AcceptedContext] = [:]
        for pc in rq.presentationContexts {
            let result = negotiate(pc, requestorIsStorageSCP: rq.userInformation.roleSelections.contains { $0.sopClassUID == pc.abstractSyntax && $0.scp })
            results.append(result)
            if result.result == .acceptance {
                contexts[pc.id] = AcceptedContext(id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: result.transferSyntax)
            }
        }
        var info = UserInformation(maximumLength: configuration.maximumLength)
        info.roleSelections = rq.userInformation.roleSelections
        if let identity = rq.userInformation.userIdentity, identity.positiveResponseRequested, configuration.userIdentityCheck != nil {
            info.userIdentityResponse = []
        }
        a.parameters = AssociationParameters(callingAE: rq.callingAE, calledAE: rq.calledAE, contexts: contexts,
                                             peerMaximumLength: rq.userInformation.maximumLength, roleSelections: rq.userInformation.roleSelections,
                                             userIdentity: rq.userInformation.userIdentity,
                                             peerImplementationClassUID: rq.userInformation.implementationClassUID,
                                             peerImplementationVersionName: rq.userInformation.implementationVersionName)
        // Before the AC leaves: the peer's first P-DATA cannot come earlier, so the pipeline knows the contexts in time.
        fastPath?.establish(a.parameters)
        try await a.send(.associateAC(AssociateAccept(calledAE: rq.calledAE, callingAE: rq.callingAE, presentationContexts: results, userInformation: info)))
        return true
    }

    /// One presentation context: supported abstract syntax, then a transfer syntax we can read.
    ///
    /// Storage classes are accepted with a storage handler, or for C-GET (the requestor takes the SCP role, PS3.7
    /// §D.3.3.4) with a retrieve handler.
    func negotiate(_ pc: PresentationContextProposal, requestorIsStorageSCP: Bool = false) -> PresentationContextResult {
        let uid = pc.abstractSyntax
        let isStorage: Bool
        switch uid {
        case SOPClass.verification: isStorage = false
        case SOPClass.patientRootFind, SOPClass.studyRootFind, SOPClass.modalityWorklistFind:
            guard configuration.query != nil else { return PresentationContextResult(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: "") }
            isStorage = false
        case SOPClass.patientRootMove, SOPClass.studyRootMove, SOPClass.patientRootGet, SOPClass.studyRootGet:
            guard configuration.retrieve != nil else { return PresentationContextResult(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: "") }
            isStorage = false
        default:
            guard configuration.storage != nil || (requestorIsStorageSCP && configuration.retrieve != nil), uid.hasPrefix("1.2.840.10008.5.1.4.") else {
                return PresentationContextResult(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: "")
            }
            isStorage = true
        }
        // Storage keeps the sender's first readable choice, so instances are written as sent; other services take ours.
        let chosen: String?
        if isStorage {
            chosen = pc.transferSyntaxes.first { TransferSyntax(uid: $0).isKnown }
        } else {
            chosen = configuration.preferredTransferSyntaxes.first { pc.transferSyntaxes.contains($0) }
                ?? pc.transferSyntaxes.first { TransferSyntax.uncompressed.map(\.uid).contains($0) }
        }
        guard let chosen else { return PresentationContextResult(id: pc.id, result: .transferSyntaxesNotSupported, transferSyntax: TransferSyntaxUID.implicitLittle) }
        return PresentationContextResult(id: pc.id, result: .acceptance, transferSyntax: chosen)
    }

    /// Answers DIMSE requests until the peer releases.
    private func dispatch(_ a: Association) async throws {
        while let message = try await a.receive() {
            let command = message.command
            switch command.field {
            case .cEchoRQ:
                try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: command, status: .success)))
            case .cStoreRQ:
                try await a.answerStore(message, storage: configuration.storage)
            case .cFindRQ:
                try await answerFind(message, on: a)
            case .cMoveRQ, .cGetRQ:
                try await answerRetrieve(message, on: a)
            case .cCancelRQ:
                break // Nothing is in progress between requests: answers are sent whole before the next read.
            default:
                try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: command, status: .unrecognizedOperation)))
            }
        }
    }

    private func answerFind(_ message: DIMSEMessage, on a: Association) async throws {
        guard let query = configuration.query, let context = a.parameters.contexts[message.contextID], let data = message.dataSet else {
            try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: message.command, status: .cannotUnderstand)))
            return
        }
        let id = message.command.messageID ?? 0
        defer { a.cancelRequests.forget(id) }
        do {
            let identifier = try DataSetCoding.decode(data, transferSyntax: context.transferSyntax)
            let matches = try await query.find(FindRequest(sopClassUID: context.abstractSyntax, identifier: identifier, callingAE: a.parameters.callingAE))
            for match in matches {
                // C-CANCEL-RQ (PS3.7 §9.3.2.3) is seen by the pipeline while we send; stop at the next match.
                await Task.yield()
                if a.cancelRequests.contains(id) {
                    try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: message.command, status: .cancel)))
                    return
                }
                let bytes = try DataSetCoding.encode(match, transferSyntax: context.transferSyntax)
                try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: message.command, status: .pending, hasDataSet: true), dataSet: bytes))
            }
            try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: message.command, status: .success)))
        } catch let error as DicomNetworkError where error.code == .dataSet || error.status != nil {
            configuration.log("C-FIND from \(a.parameters.callingAE): \(error)")
            try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: message.command, status: DIMSEStatus(error.status ?? 0xC001))))
        }
    }

    private func answerRetrieve(_ message: DIMSEMessage, on a: Association) async throws {
        let command = message.command
        guard let retrieve = configuration.retrieve, let context = a.parameters.contexts[message.contextID], let data = message.dataSet else {
            try await a.send(DIMSEMessage(contextID: message.contextID, command: .response(to: command, status: .cannotUnderstand)))
            return
        }
        let isMove = command.field == .cMoveRQ
        func respond(_ status: DIMSEStatus, remaining: Int, completed: Int, failed: Int, warning: Int) async throws {
            var c = CommandSet.response(to: command, status: status)
            if status.isPending || status.isCancel { c.set(.remainingSubOperations, UInt16(clamping: remaining)) }
            c.set(.completedSubOperations, UInt16(clamping: completed))
            c.set(.failedSubOperations, UInt16(clamping: failed))
            c.set(.warningSubOperations, UInt16(clamping: warning))
            try await a.send(DIMSEMessage(contextID: message.contextID, command: c))
        }
        let instances: [RetrievableInstance]
        var destination: (host: String, port: Int)?
        do {
            let identifier = try DataSetCoding.decode(data, transferSyntax: context.transferSyntax)
            let moveDestination = command.string(.moveDestination)
            if isMove {
                destination = await retrieve.destination(forAE: moveDestination ?? "")
                guard destination != nil else {
                    configuration.log("C-MOVE from \(a.parameters.callingAE) to unknown destination \(moveDestination ?? "")")
                    try await respond(.moveDestinationUnknown, remaining: 0, completed: 0, failed: 0, warning: 0)
                    return
                }
            }
            instances = try await retrieve.instances(for: RetrieveRequest(sopClassUID: context.abstractSyntax, identifier: identifier,
                                                                          callingAE: a.parameters.callingAE, moveDestination: moveDestination))
        } catch {
            configuration.log("C-\(isMove ? "MOVE" : "GET") from \(a.parameters.callingAE): \(error)")
            let status = (error as? DicomNetworkError)?.status.map(DIMSEStatus.init) ?? .outOfResourcesMatches
            try await respond(status, remaining: 0, completed: 0, failed: 0, warning: 0)
            return
        }
        let id = command.messageID ?? 0
        defer { a.cancelRequests.forget(id) }
        var completed = 0, failed = 0, warning = 0
        var cancelledAt: Int?
        func tally(_ status: DIMSEStatus) {
            if status.isSuccess { completed += 1 } else if status.isWarning { warning += 1 } else { failed += 1 }
        }
        if let destination, let moveDestination = command.string(.moveDestination) {
            var client = DicomClient(host: destination.host, port: destination.port, calledAE: moveDestination, callingAE: a.parameters.calledAE)
            client.timeouts = configuration.timeouts
            var proposals: [PresentationContextProposal] = []
            for i in instances where !proposals.contains(where: { $0.abstractSyntax == i.sopClassUID && $0.transferSyntaxes == [i.transferSyntax] }) {
                proposals.append(PresentationContextProposal(id: UInt8(proposals.count * 2 + 1), abstractSyntax: i.sopClassUID, transferSyntaxes: [i.transferSyntax]))
            }
            do {
                try await client.withAssociation(Array(proposals.prefix(128))) { sub in
                    for (n, i) in instances.enumerated() {
                        if a.cancelRequests.contains(id) { cancelledAt = n; break }
                        let status = (try? await sub.store(sopClassUID: i.sopClassUID, sopInstanceUID: i.sopInstanceUID, transferSyntax: i.transferSyntax,
                                                           dataSet: i.dataSet, moveOriginator: (a.parameters.callingAE, command.messageID ?? 0))) ?? .processingFailure
                        tally(status)
                        try await respond(.pending, remaining: instances.count - n - 1, completed: completed, failed: failed, warning: warning)
                    }
                }
            } catch {
                configuration.log("C-MOVE sub-association to \(moveDestination): \(error)")
                failed = instances.count - completed - warning
            }
        } else {
            for (n, i) in instances.enumerated() {
                if a.cancelRequests.contains(id) { cancelledAt = n; break }
                let status = (try? await a.store(sopClassUID: i.sopClassUID, sopInstanceUID: i.sopInstanceUID, transferSyntax: i.transferSyntax, dataSet: i.dataSet)) ?? .processingFailure
                tally(status)
                try await respond(.pending, remaining: instances.count - n - 1, completed: completed, failed: failed, warning: warning)
            }
        }
        if let cancelledAt {
            // PS3.4 §C.4.2.3.1: a cancelled retrieve reports what is left as remaining.
            try await respond(.cancel, remaining: instances.count - cancelledAt, completed: completed, failed: failed, warning: warning)
            return
        }
        try await respond(failed + warning == 0 ? .success : .warningSubOperations, remaining: 0, completed: completed, failed: failed, warning: warning)
    }
}
