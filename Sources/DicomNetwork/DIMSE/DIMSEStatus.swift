/// A DIMSE status (PS3.7 Annex C): success, pending, cancel, warning or failure, by the code's range.
public struct DIMSEStatus: Sendable, Hashable, CustomStringConvertible {
    /// The status code.
    public var code: UInt16

    /// Wraps a code.
    public init(_ code: UInt16) { self.code = code }

    /// 0000 Success.
    public static let success = DIMSEStatus(0x0000)
    /// FF00 Pending: matches or sub-operations are continuing.
    public static let pending = DIMSEStatus(0xFF00)
    /// FF01 Pending: some optional keys were not supported.
    public static let pendingWarning = DIMSEStatus(0xFF01)
    /// FE00 Cancel: the operation was cancelled by C-CANCEL.
    public static let cancel = DIMSEStatus(0xFE00)
    /// B000 Warning: sub-operations complete, one or more failures (C-MOVE/C-GET), or coercion of data elements (C-STORE).
    public static let warningSubOperations = DIMSEStatus(0xB000)
    /// A700 Refused: out of resources (C-STORE, C-FIND).
    public static let outOfResources = DIMSEStatus(0xA700)
    /// A701 Refused: out of resources, unable to calculate number of matches (C-MOVE/C-GET).
    public static let outOfResourcesMatches = DIMSEStatus(0xA701)
    /// A702 Refused: out of resources, unable to perform sub-operations (C-MOVE/C-GET).
    public static let outOfResourcesSubOperations = DIMSEStatus(0xA702)
    /// A801 Refused: move destination unknown.
    public static let moveDestinationUnknown = DIMSEStatus(0xA801)
    /// A900 Error: data set does not match SOP class.
    public static let dataSetDoesNotMatchSOPClass = DIMSEStatus(0xA900)
    /// C000 Error: cannot understand.
    public static let cannotUnderstand = DIMSEStatus(0xC000)
    /// 0122 Refused: SOP class not supported.
    public static let sopClassNotSupported = DIMSEStatus(0x0122)
    /// 0211 Unrecognized operation.
    public static let unrecognizedOperation = DIMSEStatus(0x0211)
    /// 0110 Processing failure.
    public static let processingFailure = DIMSEStatus(0x0110)

    /// FF00 or FF01.
    public var isPending: Bool { code == 0xFF00 || code == 0xFF01 }
    /// 0000.
    public var isSuccess: Bool { code == 0 }
    /// FE00.
    public var isCancel: Bool { code == 0xFE00 }
    /// 0001, 0107, 0116 and Bxxx.
    public var isWarning: Bool { code == 0x0001 || code == 0x0107 || code == 0x0116 || (code & 0xF000) == 0xB000 }
    /// Anything else: Axxx, Cxxx and the 01xx/02xx failures.
    public var isFailure: Bool { !isPending && !isSuccess && !isCancel && !isWarning }

    public var description: String {
        let hex = String(code, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
