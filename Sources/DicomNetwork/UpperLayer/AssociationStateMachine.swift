/// The association states of PS3.8 §9.2 that a PDU can meet, and the transitions PDUs cause.
///
/// A pure value: the async ``Association`` asks it before sending and after receiving, and aborts the association
/// when it throws `.unexpectedPDU` (the "invalid PDU for this state" rows of PS3.8 Table 9-10, action AA-8).
public struct AssociationStateMachine: Sendable, Equatable {
    /// PS3.8 §9.2 states, named for what they wait for.
    public enum State: Sendable, Equatable {
        /// Sta2: transport connected, waiting for A-ASSOCIATE-RQ (acceptor).
        case awaitingRequest
        /// Sta3: A-ASSOCIATE-RQ received, the local user decides.
        case awaitingLocalDecision
        /// Sta4: requestor with transport connected, about to send A-ASSOCIATE-RQ.
        case awaitingRequestSend
        /// Sta5: A-ASSOCIATE-RQ sent, waiting for AC or RJ.
        case awaitingAccept
        /// Sta6: association established, P-DATA flows.
        case established
        /// Sta7: A-RELEASE-RQ sent, waiting for A-RELEASE-RP (P-DATA may still arrive).
        case awaitingReleaseResponse
        /// Sta8: A-RELEASE-RQ received, the local user answers.
        case awaitingLocalRelease
        /// Sta1/Sta13: released, rejected or aborted; only closing the transport is left.
        case closed
    }

    /// The current state.
    public private(set) var state: State

    /// A requestor (SCU side opening the connection) starts in Sta4, an acceptor in Sta2.
    public init(requestor: Bool) { state = requestor ? .awaitingRequestSend : .awaitingRequest }

    /// Records a received PDU, or throws `.unexpectedPDU` when the state does not allow it.
    public mutating func received(_ pdu: PDU) throws(DicomNetworkError) {
        switch (state, pdu) {
        case (_, .abort): state = .closed
        case (.awaitingRequest, .associateRQ): state = .awaitingLocalDecision
        case (.awaitingAccept, .associateAC): state = .established
        case (.awaitingAccept, .associateRJ): state = .closed
        case (.established, .dataTF), (.awaitingReleaseResponse, .dataTF): break
        case (.established, .releaseRQ): state = .awaitingLocalRelease
        case (.awaitingReleaseResponse, .releaseRP): state = .closed
        // Release collision (PS3.8 §9.2.2, Sta9-12): answer and finish as if the peer had released first.
        case (.awaitingReleaseResponse, .releaseRQ): state = .awaitingLocalRelease
        default:
            throw DicomNetworkError(.unexpectedPDU, "PDU type \(pdu.type) in state \(state)")
        }
    }

    /// Records a PDU about to be sent, or throws `.unexpectedPDU` when the state does not allow sending it.
    public mutating func sending(_ pdu: PDU) throws(DicomNetworkError) {
        switch (state, pdu) {
        case (_, .abort): state = .closed
        case (.awaitingRequestSend, .associateRQ): state = .awaitingAccept
        case (.awaitingLocalDecision, .associateAC): state = .established
        case (.awaitingLocalDecision, .associateRJ): state = .closed
        case (.established, .dataTF), (.awaitingLocalRelease, .dataTF): break
        case (.established, .releaseRQ): state = .awaitingReleaseResponse
        case (.awaitingLocalRelease, .releaseRP): state = .closed
        default:
            throw DicomNetworkError(.unexpectedPDU, "cannot send PDU type \(pdu.type) in state \(state)")
        }
    }
}
