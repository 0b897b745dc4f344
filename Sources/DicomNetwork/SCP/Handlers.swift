import DicomCore

/// A C-STORE request as the SCP received it: the data set bytes are untouched, in the negotiated transfer syntax.
public struct StoreRequest: Sendable {
    /// Affected SOP Class UID.
    public var sopClassUID: String
    /// Affected SOP Instance UID.
    public var sopInstanceUID: String
    /// The transfer syntax of `dataSet`.
    public var transferSyntax: String
    /// The data set bytes as received.
    public var dataSet: [UInt8]
    /// The requestor's AE title.
    public var callingAE: String
    /// The AE title the requestor called.
    public var calledAE: String

    /// Makes a request.
    public init(sopClassUID: String, sopInstanceUID: String, transferSyntax: String, dataSet: [UInt8], callingAE: String, calledAE: String) {
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntax = transferSyntax
        self.dataSet = dataSet
        self.callingAE = callingAE
        self.calledAE = calledAE
    }
}

/// Keeps received instances. Answer ``DIMSEStatus/success`` only for an instance that is durably kept.
public protocol StorageHandler: Sendable {
    /// Stores one instance and returns the C-STORE status: success, a warning, or a failure (A7xx, A9xx, Cxxx).
    func store(_ request: StoreRequest) async -> DIMSEStatus
}

/// A C-FIND request as the SCP received it.
public struct FindRequest: Sendable {
    /// The information model (Patient Root, Study Root, Modality Worklist FIND SOP class).
    public var sopClassUID: String
    /// The identifier: keys to match and return.
    public var identifier: DataSet
    /// The requestor's AE title.
    public var callingAE: String
}

/// Answers C-FIND.
public protocol QueryHandler: Sendable {
    /// The matches, each an identifier with the requested keys filled.
    func find(_ request: FindRequest) async throws -> [DataSet]
}

/// A C-MOVE or C-GET request as the SCP received it.
public struct RetrieveRequest: Sendable {
    /// The information model (MOVE or GET SOP class).
    public var sopClassUID: String
    /// The identifier naming what to retrieve.
    public var identifier: DataSet
    /// The requestor's AE title.
    public var callingAE: String
    /// C-MOVE destination AE title; nil for C-GET.
    public var moveDestination: String?
}

/// One instance to send as a C-STORE sub-operation.
public struct RetrievableInstance: Sendable {
    /// SOP Class UID.
    public var sopClassUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// The transfer syntax of `dataSet`.
    public var transferSyntax: String
    /// The data set bytes.
    public var dataSet: [UInt8]

    /// Makes an instance.
    public init(sopClassUID: String, sopInstanceUID: String, transferSyntax: String, dataSet: [UInt8]) {
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntax = transferSyntax
        self.dataSet = dataSet
    }
}

/// Answers C-MOVE and C-GET.
public protocol RetrieveHandler: Sendable {
    /// The instances the identifier selects.
    func instances(for request: RetrieveRequest) async throws -> [RetrievableInstance]
    /// Where a C-MOVE destination AE listens; nil answers A801 (move destination unknown).
    func destination(forAE aeTitle: String) async -> (host: String, port: Int)?
}
