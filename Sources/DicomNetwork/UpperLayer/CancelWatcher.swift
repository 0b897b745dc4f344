import NIOConcurrencyHelpers
import NIOCore

/// The Message IDs a peer has sent C-CANCEL-RQ for, shared between the pipeline and the association's task.
///
/// An SCP answering C-FIND, C-MOVE or C-GET is busy writing responses and does not read the next DIMSE message
/// until it is done; the ``CancelWatcher`` in the pipeline records a C-CANCEL-RQ as soon as its PDU arrives, and the
/// answering loop checks here between responses (PS3.7 §9.1.2.1.3: the SCP stops and answers Cancel, FE00).
public final class CancelRequests: Sendable {
    private let ids = NIOLockedValueBox(Set<UInt16>())

    /// An empty set.
    public init() {}

    /// Whether C-CANCEL-RQ arrived for `messageID`.
    public func contains(_ messageID: UInt16) -> Bool { ids.withLockedValue { $0.contains(messageID) } }

    func insert(_ messageID: UInt16) { ids.withLockedValue { _ = $0.insert(messageID) } }

    /// Drops `messageID` once its operation has finished, so a later request reusing the id starts clean.
    func forget(_ messageID: UInt16) { ids.withLockedValue { _ = $0.remove(messageID) } }

    /// The set the channel's ``CancelWatcher`` fills.
    static func of(_ channel: Channel) async throws -> CancelRequests {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: CancelWatcher.self).requests
        }.get()
    }
}

/// Watches inbound P-DATA-TF for a C-CANCEL-RQ command and records its Message ID Being Responded To.
///
/// A C-CANCEL-RQ command set is small (under 100 bytes), so it arrives as one last-fragment command PDV; larger
/// command PDVs are not parsed. The PDU still flows on to the association, which drops it.
final class CancelWatcher: ChannelInboundHandler {
    typealias InboundIn = PDU
    typealias InboundOut = PDU

    let requests = CancelRequests()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .dataTF(let pdvs) = unwrapInboundIn(data) {
            for pdv in pdvs where pdv.isCommand && pdv.isLast && pdv.data.count < 256 {
                if let command = try? CommandSet(parsing: Array(pdv.data)), command.field == .cCancelRQ,
                   let id = command.uint16(.messageIDBeingRespondedTo) {
                    requests.insert(id)
                }
            }
        }
        context.fireChannelRead(data)
    }
}
