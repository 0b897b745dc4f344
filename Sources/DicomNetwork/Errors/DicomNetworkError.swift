/// The one error type of DicomNetwork.
///
/// Compare errors by `code`; `detail` explains the failure for people. Tests assert the code, never the message.
public struct DicomNetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, named after the step that failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The bytes end inside a PDU or one of its items.
        public static let truncatedPDU = Code("truncatedPDU")
        /// A PDU or item is malformed: a bad type, a length that does not fit its container, a missing mandatory item.
        public static let malformedPDU = Code("malformedPDU")
        /// A PDU declares more bytes than the receiver accepts (PS3.8 §9.3.1, Maximum Length).
        public static let oversizedPDU = Code("oversizedPDU")
        /// The first byte is not a PDU type of PS3.8 §9.3.
        public static let unknownPDUType = Code("unknownPDUType")
        /// A PDU arrived that the association's state does not allow (PS3.8 §9.2 state table).
        public static let unexpectedPDU = Code("unexpectedPDU")
        /// The peer rejected the association.
        public static let associationRejected = Code("associationRejected")
        /// The association was aborted by the peer or by us.
        public static let aborted = Code("aborted")
        /// A timer ran out: ARTIM, the idle timeout or a DIMSE response timeout.
        public static let timeout = Code("timeout")
        /// The connection closed before the exchange finished.
        public static let connectionClosed = Code("connectionClosed")
        /// The connection could not be made.
        public static let connectFailed = Code("connectFailed")
        /// The peer's host answered but nothing listens on the port (TCP RST, `ECONNREFUSED`).
        public static let connectionRefused = Code("connectionRefused")
        /// No accepted presentation context fits the message.
        public static let noPresentationContext = Code("noPresentationContext")
        /// A DIMSE command set is malformed or lacks a mandatory element.
        public static let invalidCommand = Code("invalidCommand")
        /// A DIMSE data set is larger than the configured limit.
        public static let oversizedDataSet = Code("oversizedDataSet")
        /// A DIMSE operation ended with a failure status.
        public static let operationFailed = Code("operationFailed")
        /// A file could not be read or written.
        public static let fileIO = Code("fileIO")
        /// A data set could not be encoded or decoded.
        public static let dataSet = Code("dataSet")
    }

    /// What failed.
    public var code: Code
    /// A human explanation.
    public var detail: String
    /// The DIMSE status, for `operationFailed`.
    public var status: UInt16?
    /// The peer's A-ASSOCIATE-RJ, for `associationRejected`: callers can say why (e.g. called AE title not recognized).
    public var rejection: AssociateReject?

    /// Makes an error.
    public init(_ code: Code, _ detail: String = "", status: UInt16? = nil) {
        self.code = code
        self.detail = detail
        self.status = status
    }

    public var description: String { detail.isEmpty ? "DicomNetworkError.\(code)" : "DicomNetworkError.\(code): \(detail)" }

    /// Errors compare by code only.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
