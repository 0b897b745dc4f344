import NIOConcurrencyHelpers
import NIOCore

/// What the fast path needs from an established association; set by the server before it sends A-ASSOCIATE-AC.
final class StoreFastPathSession: Sendable {
    struct Agreed: Sendable {
        var contexts: [UInt8: AcceptedContext]
        var callingAE: String
        var calledAE: String
        var peerMaximumLength: UInt32
    }

    private let agreed = NIOLockedValueBox<Agreed?>(nil)

    func establish(_ parameters: AssociationParameters) {
        agreed.withLockedValue {
            $0 = Agreed(contexts: parameters.contexts, callingAE: parameters.callingAE, calledAE: parameters.calledAE,
                        peerMaximumLength: parameters.peerMaximumLength)
        }
    }

    var current: Agreed? { agreed.withLockedValue { $0 } }

    /// The session of the channel's ``StoreFastPath``, or nil when the server did not install one.
    static func of(_ channel: Channel) async throws -> StoreFastPathSession? {
        try await channel.eventLoop.submit {
            try? channel.pipeline.syncOperations.handler(type: StoreFastPath.self).session
        }.get()
    }
}

/// Answers C-STORE for a ``FileStorageHandler`` inside the channel pipeline: each data set fragment is written to
/// the instance's temporary file as its P-DATA-TF arrives, and the C-STORE-RSP is written from the event loop once
/// the file is fsynced and renamed into place (PS3.7 §9.3.1; Success only for a durable file).
///
/// The whole exchange stays on the connection's event loop: no hand-over to a task and back per instance, no data
/// set held in memory, no copy beyond the one the PDU decoder makes. The price is that the fsyncs run on the event
/// loop, so they delay other connections sharing that loop by the time a sync takes; a Storage SCP whose disk syncs
/// slowly and that serves many associations at once should use an asynchronous ``StorageHandler`` instead.
///
/// Any message that is not a C-STORE-RQ on an accepted storage context (C-ECHO, C-FIND, malformed fragments) is
/// passed on unchanged to the ``Association``, which handles it as before; so are all non-P-DATA PDUs.
final class StoreFastPath: ChannelInboundHandler {
    typealias InboundIn = PDU
    typealias InboundOut = PDU
    typealias OutboundOut = PDU

    let storage: FileStorageHandler
    let session: StoreFastPathSession
    let maximumDataSetSize: Int
    let log: @Sendable (String) -> Void

    private enum State {
        /// Between messages; `command` collects a command split over several PDVs.
        case idle(command: [PDV])
        /// Receiving the data set of a C-STORE we answer.
        case storing(command: CommandSet, contextID: UInt8, file: FileStorageHandler.IncomingFile?, failure: String?)
        /// Passing the data set of a message we do not answer on to the association, until its last fragment.
        case passingDataSet
        /// Something unusual came (a fragment out of order, an unknown context): everything goes to the association,
        /// whose checks abort it.
        case bypass
    }
    private var state = State.idle(command: [])

    init(storage: FileStorageHandler, session: StoreFastPathSession, maximumDataSetSize: Int, log: @escaping @Sendable (String) -> Void) {
        self.storage = storage
        self.session = session
        self.maximumDataSetSize = maximumDataSetSize
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .dataTF(let pdvs) = unwrapInboundIn(data), let agreed = session.current else {
            abandon()
            context.fireChannelRead(data)
            return
        }
        var forward: [PDV] = []
        for pdv in pdvs {
            switch state {
            case .bypass:
                forward.append(pdv)
            case .passingDataSet:
                forward.append(pdv)
                if pdv.isCommand { state = .bypass } else if pdv.isLast { state = .idle(command: []) }
            case .idle(var command):
                guard pdv.isCommand, agreed.contexts[pdv.contextID] != nil, command.allSatisfy({ $0.contextID == pdv.contextID }) else {
                    forward += command + [pdv]
                    state = .bypass
                    continue
                }
                command.append(pdv)
                guard pdv.isLast else { state = .idle(command: command); continue }
                let bytes = command.count == 1 ? Array(pdv.data) : command.reduce(into: [UInt8]()) { $0 += $1.data }
                guard let parsed = try? CommandSet(parsing: bytes) else {
                    forward += command
                    state = .bypass
                    continue
                }
                guard parsed.field == .cStoreRQ, parsed.hasDataSet,
                      let accepted = agreed.contexts[pdv.contextID], accepted.abstractSyntax.hasPrefix("1.2.840.10008.5.1.4."),
                      let sopClass = parsed.string(.affectedSOPClassUID), let sopInstance = parsed.string(.affectedSOPInstanceUID) else {
                    forward += command
                    state = parsed.hasDataSet ? .passingDataSet : .idle(command: [])
                    continue
                }
                let request = StoreRequest(sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: accepted.transferSyntax,
                                           dataSet: [], callingAE: agreed.callingAE, calledAE: agreed.calledAE)
                do {
                    state = .storing(command: parsed, contextID: pdv.contextID,
                                     file: try FileStorageHandler.IncomingFile(directory: storage.directory, request: request), failure: nil)
                } catch {
                    state = .storing(command: parsed, contextID: pdv.contextID, file: nil, failure: "\(error)")
                }
            case .storing(let command, let contextID, let file, var failure):
                let oversized = !pdv.isCommand && (file?.dataSetBytes ?? 0) + pdv.data.count > maximumDataSetSize
                guard !pdv.isCommand, pdv.contextID == contextID, !oversized else {
                    // PS3.8 Annex E: a data set's fragments all come on its context, before the next command.
                    file?.discard()
                    state = .bypass
                    log("C-STORE from \(agreed.callingAE): " + (oversized ? "data set exceeds \(maximumDataSetSize) bytes" : "fragment out of order inside a data set") + "; aborting")
                    context.writeAndFlush(wrapOutboundOut(.abort(.invalidParameter)), promise: nil)
                    context.close(promise: nil)
                    return
                }
                if failure == nil, let file {
                    do { try file.append(pdv.data) } catch { failure = "\(error)" }
                }
                guard pdv.isLast else { state = .storing(command: command, contextID: contextID, file: file, failure: failure); continue }
                state = .idle(command: [])
                var status = DIMSEStatus.success
                if failure == nil, let file {
                    do {
                        let path = try file.commit()
                        storage.onStored?(path)
                    } catch { failure = "\(error)" }
                }
                if let failure {
                    file?.discard()
                    storage.log("C-STORE of \(command.string(.affectedSOPInstanceUID) ?? "?") from \(agreed.callingAE) not kept: \(failure)")
                    status = .outOfResources
                }
                respond(context: context, to: command, contextID: contextID, status: status, peerMaximumLength: agreed.peerMaximumLength)
            }
        }
        if !forward.isEmpty { context.fireChannelRead(wrapInboundOut(.dataTF(forward))) }
    }

    private func respond(context: ChannelHandlerContext, to command: CommandSet, contextID: UInt8, status: DIMSEStatus, peerMaximumLength: UInt32) {
        let bytes = CommandSet.response(to: command, status: status).encoded()
        let maximum = peerMaximumLength == 0 ? Int(PDU.defaultMaximumLength) : Int(peerMaximumLength)
        var pdus: [PDU] = []
        Association.fragments(bytes[...], size: Swift.max(maximum - 6, 1)) { slice, last in
            pdus.append(.dataTF([PDV(contextID: contextID, isCommand: true, isLast: last, data: slice)]))
        }
        for pdu in pdus { context.write(wrapOutboundOut(pdu), promise: nil) }
        context.flush()
    }

    /// A non-P-DATA PDU (release, abort) ends whatever was in progress; a partial instance is removed.
    private func abandon() {
        if case .storing(_, _, let file, _) = state { file?.discard() }
        state = .idle(command: [])
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandon()
    }
}
