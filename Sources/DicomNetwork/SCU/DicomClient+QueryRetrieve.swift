import DicomCore

/// A query/retrieve information model (PS3.4 Annex C, K).
public enum InformationModel: Sendable {
    /// Patient Root.
    case patientRoot
    /// Study Root (the default of most tools).
    case studyRoot
    /// Modality Worklist (C-FIND only).
    case modalityWorklist

    /// The FIND SOP class.
    public var find: String {
        switch self {
        case .patientRoot: SOPClass.patientRootFind
        case .studyRoot: SOPClass.studyRootFind
        case .modalityWorklist: SOPClass.modalityWorklistFind
        }
    }
    /// The MOVE SOP class.
    public var move: String { self == .patientRoot ? SOPClass.patientRootMove : SOPClass.studyRootMove }
    /// The GET SOP class.
    public var get: String { self == .patientRoot ? SOPClass.patientRootGet : SOPClass.studyRootGet }
}

/// The final state of a C-MOVE or C-GET.
public struct RetrieveResult: Sendable {
    /// The final status.
    public var status: DIMSEStatus
    /// Sub-operations completed.
    public var completed: Int
    /// Sub-operations failed.
    public var failed: Int
    /// Sub-operations with warnings.
    public var warning: Int
    /// Sub-operations remaining (pending responses only).
    public var remaining: Int = 0

    /// Sub-operations finished so far.
    public var done: Int { completed + failed + warning }
}

extension DicomClient {
    /// C-FIND: the matches for `identifier` (which should hold Query/Retrieve Level for Q/R models).
    ///
    /// Cancelling the task sends C-CANCEL-RQ and returns the matches received before the peer's final response.
    public func find(_ model: InformationModel = .studyRoot, identifier: DataSet) async throws -> [DataSet] {
        try await withAssociation([PresentationContextProposal(id: 1, abstractSyntax: model.find, transferSyntaxes: TransferSyntaxUID.uncompressed)]) { a in
            try await a.find(model, identifier: identifier)
        }
    }

    /// C-MOVE: asks the peer to send what `identifier` selects to the AE `destination`.
    public func move(_ model: InformationModel = .studyRoot, identifier: DataSet, destination: String,
                     progress: (@Sendable (RetrieveResult) -> Void)? = nil) async throws -> RetrieveResult {
        try await withAssociation([PresentationContextProposal(id: 1, abstractSyntax: model.move, transferSyntaxes: TransferSyntaxUID.uncompressed)]) { a in
            try await a.retrieve(.cMoveRQ, sopClass: model.move, identifier: identifier, destination: destination, storage: nil, progress: progress)
        }
    }

    /// C-GET: the peer sends what `identifier` selects back on this association (PS3.4 §C.4.3), each instance to `storage`.
    ///
    /// Proposes `storageClasses` with SCP role selection (PS3.7 §D.3.3.4) in the file-preserving `transferSyntaxes`.
    public func get(_ model: InformationModel = .studyRoot, identifier: DataSet, storage: any StorageHandler,
                    storageClasses: [String] = SOPClass.commonStorage,
                    transferSyntaxes: [String] = TransferSyntaxUID.uncompressed,
                    progress: (@Sendable (RetrieveResult) -> Void)? = nil) async throws -> RetrieveResult {
        var proposals = [PresentationContextProposal(id: 1, abstractSyntax: model.get, transferSyntaxes: TransferSyntaxUID.uncompressed)]
        var id: UInt8 = 3
        for uid in storageClasses.prefix(127) {
            proposals.append(PresentationContextProposal(id: id, abstractSyntax: uid, transferSyntaxes: transferSyntaxes))
            id &+= 2
        }
        let roles = storageClasses.prefix(127).map { RoleSelection(sopClassUID: $0, scu: false, scp: true) }
        return try await withAssociation(proposals, roleSelections: roles) { a in
            try await a.retrieve(.cGetRQ, sopClass: model.get, identifier: identifier, destination: nil, storage: storage, progress: progress)
        }
    }
}

extension Association {
    /// C-FIND on this association.
    public func find(_ model: InformationModel, identifier: DataSet) async throws -> [DataSet] {
        guard let context = parameters.context(for: model.find) else { throw DicomNetworkError(.noPresentationContext, "\(model.find) was not accepted") }
        let id = nextMessageID()
        let query = try DataSetCoding.encode(identifier, transferSyntax: context.transferSyntax)
        try await send(DIMSEMessage(contextID: context.id, command: .request(.cFindRQ, messageID: id, sopClassUID: model.find, hasDataSet: true), dataSet: query))
        var matches: [DataSet] = []
        var cancelled = false
        let final = try await awaitResponse(to: id) { message in
            if let data = message.dataSet, message.command.status?.isPending == true {
                matches.append(try DataSetCoding.decode(data, transferSyntax: context.transferSyntax))
            }
            if Task.isCancelled && !cancelled {
                cancelled = true
                try await send(DIMSEMessage(contextID: context.id, command: .request(.cCancelRQ, messageID: id, sopClassUID: "", hasDataSet: false)))
            }
        }
        let status = final.command.status ?? .processingFailure
        if status.isFailure { throw DicomNetworkError(.operationFailed, "C-FIND answered \(status)", status: status.code) }
        return matches
    }

    /// C-MOVE or C-GET on this association; C-STORE requests arriving meanwhile (C-GET) go to `storage`.
    func retrieve(_ field: CommandSet.Field, sopClass: String, identifier: DataSet, destination: String?, storage: (any StorageHandler)?,
                  progress: (@Sendable (RetrieveResult) -> Void)?) async throws -> RetrieveResult {
        guard let context = parameters.context(for: sopClass) else { throw DicomNetworkError(.noPresentationContext, "\(sopClass) was not accepted") }
        let id = nextMessageID()
        var command = CommandSet.request(field, messageID: id, sopClassUID: sopClass, hasDataSet: true)
        if let destination { command.set(.moveDestination, destination) }
        try await send(DIMSEMessage(contextID: context.id, command: command, dataSet: try DataSetCoding.encode(identifier, transferSyntax: context.transferSyntax)))
        var cancelled = false
        let final = try await awaitResponse(to: id) { message in
            if message.command.field == .cStoreRQ {
                try await self.answerStore(message, storage: storage)
            } else if message.command.field == field.responseField {
                progress?(Association.result(message.command))
            }
            if Task.isCancelled && !cancelled {
                cancelled = true
                try await send(DIMSEMessage(contextID: context.id, command: .request(.cCancelRQ, messageID: id, sopClassUID: "", hasDataSet: false)))
            }
        }
        let result = Association.result(final.command)
        if result.status.isFailure { throw DicomNetworkError(.operationFailed, "\(field) answered \(result.status)", status: result.status.code) }
        return result
    }

    static func result(_ c: CommandSet) -> RetrieveResult {
        RetrieveResult(status: c.status ?? .processingFailure, completed: Int(c.uint16(.completedSubOperations) ?? 0),
                       failed: Int(c.uint16(.failedSubOperations) ?? 0), warning: Int(c.uint16(.warningSubOperations) ?? 0),
                       remaining: Int(c.uint16(.remainingSubOperations) ?? 0))
    }

    /// Answers a C-STORE-RQ with the handler's status (or A700 without a handler / C000 without a data set).
    func answerStore(_ message: DIMSEMessage, storage: (any StorageHandler)?) async throws {
        let command = message.command
        var status = DIMSEStatus.cannotUnderstand
        if let storage, let data = message.dataSet, let context = parameters.contexts[message.contextID],
           let sopClass = command.string(.affectedSOPClassUID), let sopInstance = command.string(.affectedSOPInstanceUID) {
            status = await storage.store(StoreRequest(sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: context.transferSyntax,
                                                      dataSet: data, callingAE: parameters.callingAE, calledAE: parameters.calledAE))
        } else if storage == nil {
            status = .outOfResources
        }
        try await send(DIMSEMessage(contextID: message.contextID, command: .response(to: command, status: status)))
    }
}

extension CommandSet.Field {
    /// The response field for a request field.
    var responseField: CommandSet.Field? { CommandSet.Field(rawValue: rawValue | 0x8000) }
}
