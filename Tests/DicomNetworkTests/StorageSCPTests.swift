import DicomCore
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import DicomNetwork

/// A Part 10 file whose data set is `size` bytes of pixel data, so it spans many PDUs at a small PDU limit.
func makeLargeInstance(_ uid: String, in folder: String, pixelBytes size: Int) throws -> String {
    var ds = DataSet()
    try ds.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
    try ds.setString(uid, for: .sopInstanceUID)
    try ds.setString("Large^Patient", for: .patientName)
    ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
    let path = folder + "/in-\(uid).dcm"
    try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
}

@Suite(.serialized) struct StorageSCPTests {
    /// The files each storage path writes for the same instances: the pipeline fast path and the association's task.
    func storedFiles(onEventLoop: Bool, sources: [String], maximumLength: UInt32) async throws -> [String: [UInt8]] {
        let incoming = temporaryFolder()
        let stored = NIOLockedValueBox<[String]>([])
        try await withServer({ c in
            c.storage = FileStorageHandler(directory: incoming, onStored: { path in stored.withLockedValue { $0.append(path) } })
            c.writesFilesOnEventLoop = onEventLoop
            c.maximumLength = maximumLength
        }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let report = try await client.store(files: sources)
            #expect(report.stored == sources.count && report.failures.isEmpty)
        }
        #expect(stored.withLockedValue { $0.count } == sources.count, "onStored called once per instance")
        var result: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: incoming) {
            result[name] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: incoming + "/" + name)))
        }
        return result
    }

    @Test func bothStoragePathsWriteTheSameFilesFromFragmentedDataSets() async throws {
        let source = temporaryFolder()
        let files = try (1...3).map { try makeLargeInstance("1.2.826.0.30.\($0)", in: source, pixelBytes: 50_000 + $0) }
        // 4 KiB PDUs: each data set arrives in a dozen P-DATA-TFs, some ending mid-element.
        let fast = try await storedFiles(onEventLoop: true, sources: files, maximumLength: 4096)
        let slow = try await storedFiles(onEventLoop: false, sources: files, maximumLength: 4096)
        #expect(fast.keys.sorted() == (1...3).map { "1.2.826.0.30.\($0).dcm" }, "only the final files, no temporary ones")
        #expect(fast == slow, "the pipeline writes byte for byte what the task path writes")
        for (i, path) in files.enumerated() {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let tail = DicomFile.readPartial(bytes: original).dataSetOffset
            let written = try #require(fast["1.2.826.0.30.\(i + 1).dcm"])
            #expect(written.suffix(original.count - tail) == original[tail...], "data set bytes written as sent")
            let file = try DicomFile(bytes: written)
            #expect(file.fileMetaInformation.string(.sourceApplicationEntityTitle) == "TEST")
            #expect(file.dataSet.uid(.sopInstanceUID) == "1.2.826.0.30.\(i + 1)")
        }
    }

    @Test func echoAndFindBetweenStoresOnOneAssociationAreStillAnswered() async throws {
        let incoming = temporaryFolder(), source = temporaryFolder()
        let first = try makeInstance("1.2.826.0.31.1", in: source), second = try makeInstance("1.2.826.0.31.2", in: source)
        try await withServer({ c in
            c.storage = FileStorageHandler(directory: incoming)
            c.writesFilesOnEventLoop = true
            c.query = FolderArchive(folder: incoming, destinations: [:])
        }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let ct = "1.2.840.10008.5.1.4.1.1.2"
            try await client.withAssociation([
                PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle]),
                PresentationContextProposal(id: 3, abstractSyntax: ct, transferSyntaxes: [TransferSyntaxUID.explicitLittle]),
                PresentationContextProposal(id: 5, abstractSyntax: SOPClass.studyRootFind, transferSyntaxes: [TransferSyntaxUID.explicitLittle]),
            ]) { a in
                for path in [first, second] {
                    let candidate = StoreCandidate(path: path, sopClassUID: ct, sopInstanceUID: path == first ? "1.2.826.0.31.1" : "1.2.826.0.31.2",
                                                   transferSyntax: TransferSyntaxUID.explicitLittle)
                    let stored = try await a.store(file: candidate); #expect(stored == .success)
                    let echoed = try await a.echo(); #expect(echoed == .success)
                }
            }
            var keys = DataSet()
            try keys.setString("STUDY", for: Tag(0x0008, 0x0052))
            try keys.setString("", for: .patientName)
            let matches = try await client.find(.studyRoot, identifier: keys)
            #expect(!matches.isEmpty, "C-FIND on a new association after the stores is answered")
        }
        #expect(FileManager.default.fileExists(atPath: incoming + "/1.2.826.0.31.1.dcm") && FileManager.default.fileExists(atPath: incoming + "/1.2.826.0.31.2.dcm"))
    }

    @Test func aFileWithoutFileMetaIsStoredUnderTheUIDsOfItsDataSet() async throws {
        let incoming = temporaryFolder(), source = temporaryFolder()
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try ds.setString("1.2.826.0.33.1", for: .sopInstanceUID)
        try ds.setString("Bare^Patient", for: .patientName)
        let bare = source + "/bare.dcm"
        // A bare data set (no preamble, no File Meta Information): its identity is only in the data set.
        try Data(DicomFile.encode(ds, as: .implicitVRLittleEndian)).write(to: URL(fileURLWithPath: bare))
        let withMeta = try makeInstance("1.2.826.0.33.2", in: source)
        try await withServer({ c in c.storage = FileStorageHandler(directory: incoming) }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let report = try await client.store(files: [bare, withMeta])
            #expect(report.stored == 2 && report.failures.isEmpty)
        }
        let stored = try DicomFile.read(contentsOf: incoming + "/1.2.826.0.33.1.dcm")
        #expect(stored.dataSet.string(.patientName) == "Bare^Patient")
        #expect(FileManager.default.fileExists(atPath: incoming + "/1.2.826.0.33.2.dcm"))
    }

    @Test func fileMetaOnlyReadStopsAtTheDataSetAndGivesItsOffset() throws {
        let path = try makeLargeInstance("1.2.826.0.34.1", in: temporaryFolder(), pixelBytes: 20_000)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let meta = DicomFile.readPartial(bytes: bytes, options: .fileMetaOnly)
        let full = DicomFile.readPartial(bytes: bytes)
        #expect(meta.error == nil)
        #expect(meta.dataSetOffset == full.dataSetOffset)
        #expect(meta.file?.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) == "1.2.826.0.34.1")
        #expect(meta.file?.dataSet.isEmpty == true, "no data set element is parsed")
    }

    @Test(arguments: [true, false]) func anInstanceThatCannotBeWrittenIsAnsweredOutOfResources(onEventLoop: Bool) async throws {
        let notAFolder = temporaryFolder() + "/file"
        FileManager.default.createFile(atPath: notAFolder, contents: Data([1]))
        let source = temporaryFolder()
        let file = try makeInstance("1.2.826.0.32.1", in: source)
        let log = NIOLockedValueBox<[String]>([])
        try await withServer({ c in
            c.storage = FileStorageHandler(directory: notAFolder, log: { line in log.withLockedValue { $0.append(line) } })
            c.writesFilesOnEventLoop = onEventLoop
        }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let report = try await client.store(files: [file])
            #expect(report.stored == 0 && report.failures.count == 1)
            let echoed = try await client.echo(); #expect(echoed == .success, "the SCP keeps serving")
        }
        #expect(log.withLockedValue { $0.contains { $0.contains("1.2.826.0.32.1") && $0.contains("not kept") } })
    }
}

@Suite struct AssociateRequestValidationTests {
    @Test func wellFormedRequestsPass() {
        #expect(PDUTests.request.validationProblem == nil)
    }

    @Test func controlAndNonASCIIBytesInAETitlesAreRejected() {
        for bad in ["EVIL\u{1B}[2J", "TAB\tAE", "NUL\u{0}AE", "ÄRZTE", "BACK\\SLASH", String(repeating: "A", count: 17)] {
            var rq = PDUTests.request
            rq.callingAE = bad
            #expect(rq.validationProblem?.reject == .callingAENotRecognized, "calling \(bad.debugDescription)")
            rq = PDUTests.request
            rq.calledAE = bad
            #expect(rq.validationProblem?.reject == .calledAENotRecognized, "called \(bad.debugDescription)")
        }
    }

    @Test func uidsWithAnythingButDigitsAndPeriodsAreRejected() {
        for bad in ["1.2.840.10008.1.1\u{7}", "1.2.840.10008.1.1 extra", "1.2.é", String(repeating: "1", count: 65)] {
            var rq = PDUTests.request
            rq.presentationContexts[0].abstractSyntax = bad
            #expect(rq.validationProblem?.reject == .noReason, "abstract syntax \(bad.debugDescription)")
            rq = PDUTests.request
            rq.presentationContexts[1].transferSyntaxes.append(bad)
            #expect(rq.validationProblem != nil, "transfer syntax \(bad.debugDescription)")
            rq = PDUTests.request
            rq.applicationContext = bad
            #expect(rq.validationProblem?.reject == .applicationContextNotSupported)
            rq = PDUTests.request
            rq.userInformation.implementationClassUID = bad
            #expect(rq.validationProblem != nil, "implementation class UID \(bad.debugDescription)")
        }
    }

    @Test func theSCPRejectsAControlByteInTheCallingAEAndLogsIt() async throws {
        let log = NIOLockedValueBox<[String]>([])
        try await withServer({ c in c.log = { line in log.withLockedValue { $0.append(line) } } }) { server in
            let evil = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "EVIL\u{1B}")
            let error = await #expect(throws: DicomNetworkError.self) { try await evil.echo() }
            #expect(error?.code == .associationRejected && error?.rejection == .callingAENotRecognized)
            let good = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "GOOD")
            let echoed = try await good.echo(); #expect(echoed == .success)
        }
        #expect(log.withLockedValue { $0.contains { $0.contains("rejected association") && $0.contains("\\u{1B}") } })
    }

    @Test func theSCPRejectsANonASCIIAbstractSyntax() async throws {
        try await withServer { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let error = await #expect(throws: DicomNetworkError.self) {
                try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: "1.2.840.10008.1.1\u{FF}", transferSyntaxes: [TransferSyntaxUID.implicitLittle])]) { _ in }
            }
            #expect(error?.code == .associationRejected && error?.rejection == .noReason)
        }
    }
}
