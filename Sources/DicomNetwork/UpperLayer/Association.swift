import NIOCore

/// A presentation context both sides agreed on.
public struct AcceptedContext: Sendable, Equatable {
    /// Odd id.
    public var id: UInt8
    /// Abstract syntax (SOP Class UID).
    public var abstractSyntax: String
    /// The transfer syntax both sides use on it.
    public var transferSyntax: String
}

/// What an established association agreed: AE titles, contexts, PDU sizes, roles, identity.
public struct AssociationParameters: Sendable {
    /// Calling AE title (the requestor).
    public var callingAE: String
    /// Called AE title (the acceptor).
    public var calledAE: String
    /// Accepted presentation contexts by id.
    public var contexts: [UInt8: AcceptedContext]
    /// The largest P-DATA-TF body the peer accepts (0: no limit).
    public var peerMaximumLength: UInt32
    /// Role selections as accepted.
    public var roleSelections: [RoleSelection]
    /// The requestor's user identity, if it sent one.
    public var userIdentity: UserIdentity?
    /// The peer's Implementation Class UID.
    public var peerImplementationClassUID: String
    /// The peer's Implementation Version Name.
    public var peerImplementationVersionName: String?

    /// The largest PDV value that fits the peer's maximum P-DATA-TF length: a PDV item adds 6 bytes (4 of length,
    /// a context id and a control header).
    var dataFragmentSize: Int {
        let maximum = peerMaximumLength == 0 ? Int(PDU.defaultMaximumLength) : Int(peerMaximumLength)
        return Swift.max(maximum - 6, 1)
    }

    /// The accepted context for `abstractSyntax`, preferring `transferSyntax` when given.
    public func context(for abstractSyntax: String, transferSyntax: String? = nil) -> AcceptedContext? {
        let matching = contexts.values.filter { $0.abstractSyntax == abstractSyntax }.sorted { $0.id < $1.id }
        if let transferSyntax, let exact = matching.first(where: { $0.transferSyntax == transferSyntax }) { return exact }
        return matching.first
    }
}

/// One established (or being established) association: sends and receives DIMSE messages over the Upper Layer.
///
/// Not `Sendable`: an association is a conversation, used by one task at a time, inside
/// ``DicomClient/withAssociation(_:body:)`` or a ``DicomServer`` handler.
public final class Association {
    let channel: Channel
    private var inbound: NIOAsyncChannelInboundStream<PDU>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<PDU>
    private var machine: AssociationStateMachine
    private var assembler: DIMSEAssembler
    private var pendingPDVs: [PDV] = []
    private var pendingIndex = 0
    private var messageID: UInt16 = 0
    /// What was agreed; set once the association is established.
    public internal(set) var parameters: AssociationParameters
    /// The peer released the association (its A-RELEASE-RQ was answered).
    public private(set) var isReleased = false

    /// C-CANCEL-RQs seen by the pipeline, so an SCP busy sending responses notices them.
    let cancelRequests: CancelRequests

    init(channel: Channel, inbound: NIOAsyncChannelInboundStream<PDU>, outbound: NIOAsyncChannelOutboundWriter<PDU>, requestor: Bool, maximumDataSetSize: Int,
         cancelRequests: CancelRequests = CancelRequests()) {
        self.channel = channel
        self.cancelRequests = cancelRequests
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.machine = AssociationStateMachine(requestor: requestor)
        self.assembler = DIMSEAssembler(maximumDataSetSize: maximumDataSetSize)
        self.parameters = AssociationParameters(callingAE: "", calledAE: "", contexts: [:], peerMaximumLength: 0, roleSelections: [], peerImplementationClassUID: "")
    }

    /// The current Upper Layer state.
    public var state: AssociationStateMachine.State { machine.state }

    /// The next Message ID for a request.
    public func nextMessageID() -> UInt16 {
        messageID &+= 1
        if messageID == 0 { messageID = 1 }
        return messageID
    }

    // MARK: PDU level

    func send(_ pdu: PDU) async throws {
        try machine.sending(pdu)
        try await write { try await outbound.write(pdu) }
    }

    /// Runs a write on the outbound writer, turning NIO's errors (a channel closed under us, a reset, a finished
    /// writer) into ``DicomNetworkError/Code-swift.struct/connectionClosed`` so callers see one error type. Task
    /// cancellation stays a `CancellationError`.
    private func write(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as DicomNetworkError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw DicomNetworkError(.connectionClosed, "cannot send: \(error)")
        }
    }

    /// The next PDU, checked against the state machine. An invalid one aborts the association and throws.
    func receivePDU() async throws -> PDU {
        let pdu: PDU?
        do {
            pdu = try await inbound.next()
        } catch let error as DicomNetworkError {
            await abort(error.code == .oversizedPDU || error.code == .malformedPDU || error.code == .unknownPDUType ? .invalidParameter : .notSpecified)
            throw error
        } catch {
            throw DicomNetworkError(.connectionClosed, "\(error)")
        }
        guard let pdu else { throw DicomNetworkError(.connectionClosed, "the peer closed the connection") }
        do {
            try machine.received(pdu)
        } catch {
            await abort(.unexpectedPDU)
            throw error
        }
        if case .abort(let reason) = pdu {
            channel.close(promise: nil)
            throw DicomNetworkError(.aborted, "A-ABORT from the peer (source \(reason.source), reason \(reason.reason))")
        }
        return pdu
    }

    /// Writes a PDU without consulting the state machine, so tests can play a misbehaving peer.
    func outboundForTests(_ pdu: PDU) async throws {
        try await write { try await outbound.write(pdu) }
    }

    /// Sends A-ABORT and closes the connection. Never throws.
    public func abort(_ reason: AbortReason = .serviceUser) async {
        if machine.state != .closed {
            try? machine.sending(.abort(reason))
            try? await outbound.write(.abort(reason))
        }
        try? await channel.close()
    }

    // MARK: DIMSE level

    /// Sends a DIMSE message, fragmented into PDVs that fit the peer's maximum length (PS3.8 §9.3.5, Annex E).
    public func send(_ message: DIMSEMessage) async throws {
        try await send(contextID: message.contextID, command: message.command, dataSet: message.dataSet?[...])
    }

    /// Sends a command and a data set given as a slice (of a file's bytes, say), fragmented as ``send(_:)`` does.
    func send(contextID: UInt8, command commandSet: CommandSet, dataSet: ArraySlice<UInt8>?) async throws {
        let message = (contextID: contextID, command: commandSet, dataSet: dataSet)
        guard parameters.contexts[message.contextID] != nil else {
            throw DicomNetworkError(.noPresentationContext, "context \(message.contextID) was not accepted")
        }
        let fragment = parameters.dataFragmentSize
        var pdus: [PDU] = []
        let command = message.command.encoded()
        Association.fragments(command[...], size: fragment) { slice, last in
            pdus.append(.dataTF([PDV(contextID: message.contextID, isCommand: true, isLast: last, data: slice)]))
        }
        if let data = message.dataSet {
            Association.fragments(data, size: fragment) { slice, last in
                pdus.append(.dataTF([PDV(contextID: message.contextID, isCommand: false, isLast: last, data: slice)]))
            }
        }
        for pdu in pdus { try machine.sending(pdu) }
        try await write { try await outbound.write(contentsOf: pdus) }
    }

    /// Sends a command and a data set already framed as P-DATA-TF PDUs for this association's fragment size.
    ///
    /// The bytes go into the pipeline below the PDU encoder, on the channel's event loop. Call it only with no
    /// earlier write still waiting in the async writer (in a synchronous exchange, after the previous response).
    func send(command commandSet: CommandSet, framedDataSet framed: FramedDataSet) async throws {
        guard parameters.contexts[framed.contextID] != nil else {
            throw DicomNetworkError(.noPresentationContext, "context \(framed.contextID) was not accepted")
        }
        var pdus: [PDU] = []
        Association.fragments(commandSet.encoded()[...], size: parameters.dataFragmentSize) { slice, last in
            pdus.append(.dataTF([PDV(contextID: framed.contextID, isCommand: true, isLast: last, data: slice)]))
        }
        pdus.append(.dataTF([]))
        for pdu in pdus { try machine.sending(pdu) }
        var encoded = channel.allocator.buffer(capacity: 256)
        let encoder = PDUEncoder()
        for pdu in pdus.dropLast() { try encoder.encode(data: pdu, out: &encoded) }
        let channel = self.channel, command = encoded, data = framed.pdus
        try await write {
            try await channel.eventLoop.flatSubmit {
                do {
                    let context = try channel.pipeline.syncOperations.context(handlerType: MessageToByteHandler<PDUEncoder>.self)
                    let written = channel.eventLoop.makePromise(of: Void.self)
                    context.write(NIOAny(command), promise: nil)
                    context.writeAndFlush(NIOAny(data), promise: written)
                    return written.futureResult
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }.get()
        }
    }

    static func fragments(_ bytes: ArraySlice<UInt8>, size: Int, _ body: (ArraySlice<UInt8>, Bool) -> Void) {
        var start = bytes.startIndex
        repeat {
            let end = Swift.min(start + size, bytes.endIndex)
            body(bytes[start..<end], end == bytes.endIndex)
            start = end
        } while start < bytes.endIndex
    }

    /// The next DIMSE message, or nil when the peer released the association (its A-RELEASE-RQ has been answered).
    public func receive() async throws -> DIMSEMessage? {
        while true {
            while pendingIndex < pendingPDVs.count {
                let pdv = pendingPDVs[pendingIndex]
                pendingIndex += 1
                guard parameters.contexts[pdv.contextID] != nil else {
                    await abort(.invalidParameter)
                    throw DicomNetworkError(.noPresentationContext, "PDV on presentation context \(pdv.contextID), which was not accepted")
                }
                do {
                    if let message = try assembler.add(pdv) { return message }
                } catch {
                    await abort(.invalidParameter)
                    throw error
                }
            }
            let pdu = try await receivePDU()
            switch pdu {
            case .dataTF(let pdvs):
                pendingPDVs = pdvs
                pendingIndex = 0
            case .releaseRQ:
                try await send(.releaseRP)
                isReleased = true
                try? await channel.close()
                return nil
            default:
                await abort(.unexpectedPDU)
                throw DicomNetworkError(.unexpectedPDU, "PDU type \(pdu.type) on an established association")
            }
        }
    }

    /// Releases the association: A-RELEASE-RQ, wait for A-RELEASE-RP, close (PS3.8 §7.2).
    public func release() async throws {
        guard machine.state == .established else { return }
        try await send(.releaseRQ)
        while true {
            let pdu = try await receivePDU()
            if case .releaseRP = pdu { break }
            if case .releaseRQ = pdu {
                // Release collision: answer and finish.
                try await send(.releaseRP)
                break
            }
            // P-DATA still in flight (late responses) is dropped.
        }
        isReleased = true
        try? await channel.close()
    }
}
