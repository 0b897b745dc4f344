import DicomCore
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import DicomNetwork

@Suite struct QueryMatchingTests {
    @Test func singleValueMatchingIsExactAndPNIgnoresCase() {
        #expect(QueryMatching.matches(key: "CT", vr: .CS, values: ["CT"]))
        #expect(!QueryMatching.matches(key: "CT", vr: .CS, values: ["MR"]))
        #expect(!QueryMatching.matches(key: "ct", vr: .CS, values: ["CT"]))
        #expect(QueryMatching.matches(key: "wang^fang", vr: .PN, values: ["Wang^Fang"]))
        #expect(QueryMatching.matches(key: "CT", vr: .CS, values: ["MR", "CT"]), "any value of a multi-valued attribute")
    }

    @Test func universalMatchingSelectsEvenAbsentValues() {
        #expect(QueryMatching.matches(key: "", vr: .LO, values: []))
        #expect(QueryMatching.matches(key: "*", vr: .PN, values: []))
        #expect(!QueryMatching.matches(key: "A", vr: .LO, values: []))
    }

    @Test func wildcardsStarAndQuestionMark() {
        #expect(QueryMatching.matches(key: "Wa*", vr: .PN, values: ["Wang^Fang"]))
        #expect(QueryMatching.matches(key: "*^F?ng", vr: .PN, values: ["Wang^Fang"]))
        #expect(!QueryMatching.matches(key: "*^F?g", vr: .PN, values: ["Wang^Fang"]))
        #expect(QueryMatching.matches(key: "张*", vr: .PN, values: ["张^伟"]))
        #expect(!QueryMatching.matches(key: "2026*", vr: .DA, values: ["20261130"]), "no wildcards on DA")
        #expect(!QueryMatching.matches(key: "1.2.*", vr: .UI, values: ["1.2.3"]), "no wildcards on UI")
    }

    @Test func dateAndTimeRanges() {
        #expect(QueryMatching.matches(key: "20261101-20261130", vr: .DA, values: ["20261130"]))
        #expect(QueryMatching.matches(key: "20261101-", vr: .DA, values: ["20261130"]))
        #expect(!QueryMatching.matches(key: "-20261129", vr: .DA, values: ["20261130"]))
        #expect(QueryMatching.matches(key: "0900-1200", vr: .TM, values: ["1200.5"]), "the upper bound covers its last unit")
        #expect(!QueryMatching.matches(key: "0900-1159", vr: .TM, values: ["1200"]))
        #expect(QueryMatching.matches(key: "0930", vr: .TM, values: ["093000"]))
    }

    @Test func listOfUIDs() {
        #expect(QueryMatching.matches(key: "1.2.3\\1.2.4", vr: .UI, values: ["1.2.4"]))
        #expect(!QueryMatching.matches(key: "1.2.3\\1.2.4", vr: .UI, values: ["1.2.5"]))
    }
}

/// A two-patient archive: P1 with one CT study of two series (3 images), P2 with one MR study (1 image).
func makeArchive() throws -> String {
    let folder = temporaryFolder()
    let rows: [(String, String, String, String, String, String, String)] = [
        ("P1", "Wang^Fang", "1.9.1", "1.9.1.1", "1.9.1.1.1", "CT", "20261101"),
        ("P1", "Wang^Fang", "1.9.1", "1.9.1.1", "1.9.1.1.2", "CT", "20261101"),
        ("P1", "Wang^Fang", "1.9.1", "1.9.1.2", "1.9.1.2.1", "SR", "20261101"),
        ("P2", "张^伟", "1.9.2", "1.9.2.1", "1.9.2.1.1", "MR", "20261130"),
    ]
    for (patient, name, study, series, sop, modality, date) in rows {
        var ds = DataSet()
        try ds.setString("ISO_IR 192", for: .specificCharacterSet)
        try ds.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try ds.setString(sop, for: .sopInstanceUID)
        try ds.setString(date, for: .studyDate)
        try ds.setString(modality, for: .modality)
        try ds.setString(name, for: .patientName)
        try ds.setString(patient, for: .patientID)
        try ds.setString(study, for: .studyInstanceUID)
        try ds.setString(series, for: .seriesInstanceUID)
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 1, count: 8)))
        try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: folder + "/\(sop).dcm")
    }
    try Data("not dicom".utf8).write(to: URL(fileURLWithPath: folder + "/README"))
    return folder
}

func keys(_ level: String, _ pairs: [(DicomCore.Tag, String)]) throws -> DataSet {
    var ds = DataSet()
    try ds.setString(level, for: Tag(0x0008, 0x0052))
    for (tag, value) in pairs { try ds.setString(value, for: tag) }
    return ds
}

@Suite struct FolderQueryRetrieveHandlerTests {
    @Test func findAtEveryLevelOfBothModels() async throws {
        let archive = FolderQueryRetrieveHandler(directory: try makeArchive())
        #expect(archive.count == 4 && archive.skipped.count == 1)
        func find(_ model: String, _ level: String, _ pairs: [(DicomCore.Tag, String)]) async throws -> [DataSet] {
            try await archive.find(FindRequest(sopClassUID: model, identifier: try keys(level, pairs), callingAE: "T"))
        }
        let patients = try await find(SOPClass.patientRootFind, "PATIENT", [(.patientID, ""), (.patientName, ""), (Tag(0x0020, 0x1200), "")])
        #expect(patients.map { $0.string(.patientID) } == ["P1", "P2"])
        #expect(patients[1].string(.patientName) == "张^伟")
        #expect(patients[0].string(Tag(0x0020, 0x1200)) == "1")
        let studies = try await find(SOPClass.studyRootFind, "STUDY", [(.studyInstanceUID, ""), (.studyDate, "20261115-"), (Tag(0x0008, 0x0061), "")])
        #expect(studies.map { $0.string(.studyInstanceUID) } == ["1.9.2"])
        #expect(studies[0].strings(Tag(0x0008, 0x0061)) == ["MR"])
        let byModality = try await find(SOPClass.studyRootFind, "STUDY", [(.studyInstanceUID, ""), (Tag(0x0008, 0x0061), "SR"), (Tag(0x0020, 0x1208), "")])
        #expect(byModality.map { $0.string(.studyInstanceUID) } == ["1.9.1"])
        #expect(byModality[0].string(Tag(0x0020, 0x1208)) == "3")
        let series = try await find(SOPClass.studyRootFind, "SERIES", [(.studyInstanceUID, "1.9.1"), (.seriesInstanceUID, ""), (.modality, "")])
        #expect(series.map { $0.string(.modality) } == ["CT", "SR"])
        let images = try await find(SOPClass.patientRootFind, "IMAGE", [(.patientID, "P1"), (.sopInstanceUID, "1.9.1.1.2\\1.9.1.2.1\\1.9.2.1.1")])
        #expect(images.map { $0.string(.sopInstanceUID) } == ["1.9.1.1.2", "1.9.1.2.1"])
        let wild = try await find(SOPClass.studyRootFind, "STUDY", [(.patientName, "wang*")])
        #expect(wild.count == 1 && wild[0].string(.studyInstanceUID) == "1.9.1", "unique key returned though not asked")
        await #expect(throws: DicomNetworkError(.operationFailed)) { try await find(SOPClass.studyRootFind, "PATIENT", []) }
    }

    @Test func retrieveSelectsInstancesOfTheMatchedEntities() async throws {
        let archive = FolderQueryRetrieveHandler(directory: try makeArchive())
        let got = try await archive.instances(for: RetrieveRequest(sopClassUID: SOPClass.studyRootGet, identifier: try keys("SERIES", [(.seriesInstanceUID, "1.9.1.1")]),
                                                                 callingAE: "T", moveDestination: nil))
        #expect(got.map(\.sopInstanceUID) == ["1.9.1.1.1", "1.9.1.1.2"])
        #expect(got[0].transferSyntax == TransferSyntaxUID.explicitLittle)
        let data = try DataSetCoding.decode(got[0].dataSet, transferSyntax: got[0].transferSyntax)
        #expect(data.string(.sopInstanceUID) == "1.9.1.1.1" && data.contains(.pixelData))
    }
}

/// Answers C-FIND with many large matches (some 20 MB in all, far beyond the loopback socket buffers), so the SCP is
/// still sending, held back by the reader, when the C-CANCEL arrives — however fast the machine.
struct ManyMatches: QueryHandler {
    func find(_ request: FindRequest) async throws -> [DataSet] {
        var match = DataSet()
        try match.setString("STUDY", for: Tag(0x0008, 0x0052))
        try match.setString("1.2.3", for: .studyInstanceUID)
        try match.setString(String(repeating: "x", count: 4000), for: Tag(0x0008, 0x0081), vr: .ST)
        return Array(repeating: match, count: 5000)
    }
}

/// Keeps instances slowly, so a C-MOVE is still running when the test aborts it.
struct SlowStorage: StorageHandler {
    let inner: FileStorageHandler
    func store(_ request: StoreRequest) async -> DIMSEStatus {
        try? await Task.sleep(for: .milliseconds(150))
        return await inner.store(request)
    }
}

@Suite(.serialized) struct CancelAndAbortTests {
    @Test func cCancelStopsTheSCPSendingFindResults() async throws {
        try await withServer({ c in c.query = ManyMatches() }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let model = InformationModel.studyRoot
            let (pending, final) = try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: model.find, transferSyntaxes: [TransferSyntaxUID.explicitLittle])]) { a in
                let query = try DataSetCoding.encode(try keys("STUDY", [(.studyInstanceUID, "")]), transferSyntax: TransferSyntaxUID.explicitLittle)
                try await a.send(DIMSEMessage(contextID: 1, command: .request(.cFindRQ, messageID: 7, sopClassUID: model.find, hasDataSet: true), dataSet: query))
                try await a.send(DIMSEMessage(contextID: 1, command: .request(.cCancelRQ, messageID: 7, sopClassUID: "", hasDataSet: false)))
                // Not reading for a moment: the SCP fills the loopback buffers (20 MB of answers cannot fit) and waits
                // on the socket, mid-stream for certain, with the C-CANCEL-RQ already in its pipeline. A reader
                // faster than the SCP would otherwise let it hand every answer to the socket before it reads the
                // cancel, which is a race, not the behaviour under test.
                try await Task.sleep(for: .milliseconds(300))
                var pending = 0
                while let m = try await a.receive() {
                    let status = m.command.status ?? .processingFailure
                    guard status.isPending else { return (pending, status) }
                    pending += 1
                }
                return (pending, DIMSEStatus.processingFailure)
            }
            #expect(final == .cancel)
            #expect(pending < 5000, "stopped early: \(pending) pending responses")
            let echoed = try await client.echo(); #expect(echoed == .success, "still served")
        }
    }

    @Test func aAbortInTheMiddleOfCMoveStopsTheSubOperations() async throws {
        let source = temporaryFolder(), moved = temporaryFolder()
        for i in 1...10 { _ = try makeInstance("1.2.826.0.7.\(i)", in: source) }
        let log = NIOLockedValueBox<[String]>([])
        try await withServer({ c in c.storage = SlowStorage(inner: FileStorageHandler(directory: moved)) }) { destination in
            try await withServer({ c in
                let archive = FolderQueryRetrieveHandler(directory: source, destinations: ["DEST": ("127.0.0.1", destination.port)])
                c.query = archive
                c.retrieve = archive
                c.log = { line in log.withLockedValue { $0.append(line) } }
            }) { server in
                let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
                let model = InformationModel.studyRoot
                await #expect(throws: DicomNetworkError.self) {
                    try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: model.move, transferSyntaxes: [TransferSyntaxUID.explicitLittle])]) { a in
                        var command = CommandSet.request(.cMoveRQ, messageID: 1, sopClassUID: model.move, hasDataSet: true)
                        command.set(.moveDestination, "DEST")
                        let query = try DataSetCoding.encode(try keys("IMAGE", [(.sopInstanceUID, "")]), transferSyntax: TransferSyntaxUID.explicitLittle)
                        try await a.send(DIMSEMessage(contextID: 1, command: command, dataSet: query))
                        let first = try await a.receive()
                        #expect(first?.command.status == .pending)
                        await a.abort()
                        throw DicomNetworkError(.aborted, "the test aborted mid-move")
                    }
                }
                // The SCP notices at its next response, ends the sub-association and keeps serving. (Waited for
                // rather than slept on: a loaded machine may take longer than usual, and the check is about the end.)
                let deadline = ContinuousClock.now + .seconds(20)
                while destination.activeAssociations != 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                #expect(destination.activeAssociations == 0, "the sub-association was closed")
                let stored = try FileManager.default.contentsOfDirectory(atPath: moved).filter { $0.hasSuffix(".dcm") }.count
                #expect(stored >= 1 && stored < 10, "moved \(stored) of 10 before the abort took effect")
                let echoed = try await client.echo(); #expect(echoed == .success)
                try await Task.sleep(for: .milliseconds(1000))
                #expect(try FileManager.default.contentsOfDirectory(atPath: moved).filter { $0.hasSuffix(".dcm") }.count == stored, "nothing more arrives")
                #expect(log.withLockedValue { $0.contains { $0.contains("ended") || $0.contains("sub-association") } })
            }
        }
    }

    @Test func cancelledCMoveAnswersCancelWithRemaining() async throws {
        let source = temporaryFolder(), moved = temporaryFolder()
        for i in 1...10 { _ = try makeInstance("1.2.826.0.8.\(i)", in: source) }
        try await withServer({ c in c.storage = SlowStorage(inner: FileStorageHandler(directory: moved)) }) { destination in
            try await withServer({ c in
                c.retrieve = FolderQueryRetrieveHandler(directory: source, destinations: ["DEST": ("127.0.0.1", destination.port)])
            }) { server in
                let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
                let model = InformationModel.studyRoot
                let final = try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: model.move, transferSyntaxes: [TransferSyntaxUID.explicitLittle])]) { a in
                    var command = CommandSet.request(.cMoveRQ, messageID: 3, sopClassUID: model.move, hasDataSet: true)
                    command.set(.moveDestination, "DEST")
                    try await a.send(DIMSEMessage(contextID: 1, command: command, dataSet: try DataSetCoding.encode(try keys("STUDY", []), transferSyntax: TransferSyntaxUID.explicitLittle)))
                    var sentCancel = false
                    while let m = try await a.receive() {
                        guard m.command.status?.isPending == true else { return Association.result(m.command) }
                        if !sentCancel {
                            sentCancel = true
                            try await a.send(DIMSEMessage(contextID: 1, command: .request(.cCancelRQ, messageID: 3, sopClassUID: "", hasDataSet: false)))
                        }
                    }
                    return Association.result(CommandSet())
                }
                #expect(final.status == .cancel)
                #expect(final.completed >= 1 && final.remaining >= 1 && final.completed + final.remaining == 10)
            }
        }
    }
}
