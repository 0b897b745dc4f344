import DicomCore
import Foundation
import NIOCore
import Testing
@testable import DicomNetwork

/// Answers C-FIND with one fixed match and C-GET/C-MOVE with the files in a folder.
struct FolderArchive: QueryHandler, RetrieveHandler {
    let folder: String
    let destinations: [String: Int]

    func find(_ request: FindRequest) async throws -> [DataSet] {
        var match = DataSet()
        try match.setString("ISO_IR 192", for: .specificCharacterSet)
        try match.setString("张^伟", for: .patientName)
        try match.setString("STUDY", for: Tag(0x0008, 0x0052))
        try match.setString("1.2.3.4", for: .studyInstanceUID)
        return [match, match]
    }

    func instances(for request: RetrieveRequest) async throws -> [RetrievableInstance] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".dcm") }.map { name in
            let bytes = [UInt8](FileManager.default.contents(atPath: folder + "/" + name)!)
            let read = DicomFile.readPartial(bytes: bytes, options: .headerOnly)
            let meta = read.file!.fileMetaInformation
            return RetrievableInstance(sopClassUID: meta.uid(.mediaStorageSOPClassUID)!, sopInstanceUID: meta.uid(.mediaStorageSOPInstanceUID)!,
                                       transferSyntax: read.file!.transferSyntax.uid, dataSet: Array(bytes[read.dataSetOffset...]))
        }
    }

    func destination(forAE aeTitle: String) async -> (host: String, port: Int)? {
        destinations[aeTitle].map { ("127.0.0.1", $0) }
    }
}

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "mi-net-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A small CT-like Part 10 file.
func makeInstance(_ uid: String, in folder: String) throws -> String {
    var ds = DataSet()
    try ds.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
    try ds.setString(uid, for: .sopInstanceUID)
    try ds.setString("Test^Patient", for: .patientName)
    try ds.setInts([4], for: .rows)
    try ds.setInts([4], for: .columns)
    ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 7, count: 32)))
    let path = folder + "/in-\(uid).dcm"
    try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
    return path
}

/// ARTIM for tests that are not about ARTIM: long enough that a busy test machine, never the peer, is what a test
/// waits for (a 30 s default once ran out while both cooperative threads of a 2-core machine were busy elsewhere).
let patientARTIM = TimeAmount.seconds(120)

/// A client of a loopback test server, with `patientARTIM`.
func loopbackClient(port: Int, calledAE: String, callingAE: String) -> DicomClient {
    var client = DicomClient(host: "127.0.0.1", port: port, calledAE: calledAE, callingAE: callingAE)
    client.timeouts.artim = patientARTIM
    return client
}

/// Runs `body` with a server started on a free port (ARTIM `patientARTIM` unless `configure` says otherwise);
/// cancels it afterwards.
func withServer<R: Sendable>(_ configure: (inout DicomServerConfiguration) -> Void = { _ in }, _ body: @Sendable (DicomServer) async throws -> R) async throws -> R {
    var config = DicomServerConfiguration(aeTitle: "MI-SCP", port: 0)
    config.timeouts.artim = patientARTIM
    config.host = "127.0.0.1"
    configure(&config)
    let server = try await DicomServer.bind(config)
    let task = Task { try await server.run() }
    defer { task.cancel() }
    let result = try await body(server)
    await server.close()
    return result
}

func rawSocket(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    return fd
}

/// Reads until the peer closes the connection or `limit` seconds pass, on a thread of its own (a blocking read on
/// the cooperative pool would hold up other tests' tasks); returns the bytes and whether the peer closed.
func readUntilClosed(_ fd: Int32, limit: Int) async -> (bytes: [UInt8], closedByPeer: Bool) {
    await withCheckedContinuation { done in
        Thread.detachNewThread {
            var tv = timeval(tv_sec: limit, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var out: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 { out += buf[0..<n]; continue }
                let timedOut = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                done.resume(returning: (out, !timedOut))
                return
            }
        }
    }
}

@Suite(.serialized) struct LoopbackTests {
    @Test func echoStoreAndFindBetweenOurSCUAndSCP() async throws {
        let incoming = temporaryFolder(), source = temporaryFolder()
        let files = try (1...3).map { try makeInstance("1.2.826.0.1.\($0)", in: source) }
        try await withServer({ c in
            c.storage = FileStorageHandler(directory: incoming)
            c.query = FolderArchive(folder: incoming, destinations: [:])
        }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let echoed600 = try await client.echo(); #expect(echoed600 == .success)
            let report = try await client.store(files: files, parallel: 2)
            #expect(report.stored == 3 && report.failures.isEmpty)
            for i in 1...3 {
                let written = try DicomFile.read(contentsOf: incoming + "/1.2.826.0.1.\(i).dcm")
                #expect(written.preamble != nil)
                #expect(written.fileMetaInformation.string(.sourceApplicationEntityTitle) == "TEST")
                let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files[i - 1])))
                let stored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: incoming + "/1.2.826.0.1.\(i).dcm")))
                let tail = DicomFile.readPartial(bytes: original).dataSetOffset
                #expect(stored.suffix(original.count - tail) == original[tail...], "data set bytes written as sent")
            }
            var keys = DataSet()
            try keys.setString("STUDY", for: Tag(0x0008, 0x0052))
            try keys.setString("", for: .patientName)
            let matches = try await client.find(.studyRoot, identifier: keys)
            #expect(matches.count == 2)
            #expect(matches.first?.string(.patientName) == "张^伟")
        }
    }

    @Test func getAndMoveRetrieveFromOurSCP() async throws {
        let archive = temporaryFolder(), gotten = temporaryFolder(), moved = temporaryFolder()
        for i in 1...2 { _ = try makeInstance("1.2.826.0.2.\(i)", in: archive) }
        try await withServer({ c in c.storage = FileStorageHandler(directory: moved) }) { destination in
            try await withServer({ c in
                c.retrieve = FolderArchive(folder: archive, destinations: ["DEST": destination.port])
            }) { server in
                let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
                var keys = DataSet()
                try keys.setString("STUDY", for: Tag(0x0008, 0x0052))
                let got = try await client.get(identifier: keys, storage: FileStorageHandler(directory: gotten))
                #expect(got.completed == 2 && got.failed == 0)
                #expect(try FileManager.default.contentsOfDirectory(atPath: gotten).filter { $0.hasSuffix(".dcm") }.count == 2)
                let move = try await client.move(identifier: keys, destination: "DEST")
                #expect(move.completed == 2 && move.status == .success)
                #expect(try FileManager.default.contentsOfDirectory(atPath: moved).filter { $0.hasSuffix(".dcm") }.count == 2)
                await #expect(throws: DicomNetworkError(.operationFailed)) { try await client.move(identifier: keys, destination: "NOWHERE") }
            }
        }
    }

    @Test func unknownCallingAEIsRejected() async throws {
        try await withServer({ c in c.allowedCallingAEs = ["GOOD"] }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "BAD")
            await #expect(throws: DicomNetworkError(.associationRejected)) { try await client.echo() }
            var good = client
            good.callingAE = "GOOD"
            let echoed644 = try await good.echo(); #expect(echoed644 == .success)
        }
    }

    @Test func associationLimitRejectsTheExtraOne() async throws {
        try await withServer({ c in c.maximumAssociations = 1 }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "A")
            try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle])]) { a in
                await #expect(throws: DicomNetworkError(.associationRejected)) { try await client.echo() }
                let echoed807 = try await a.echo(); #expect(echoed807 == .success)
            }
        }
    }

    @Test func hostilePeersGetAbortedAndOthersAreStillServed() async throws {
        try await withServer({ c in c.timeouts = AssociationTimeouts(artim: .seconds(2), idle: .seconds(10)) }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "A")
            // Garbage: an HTTP request is not a PDU; the server closes the connection.
            let garbage = rawSocket(port: server.port)
            _ = "GET / HTTP/1.1\r\n\r\n".withCString { send(garbage, $0, 18, 0) }
            let garbageRead = await readUntilClosed(garbage, limit: 60)
            #expect(garbageRead.closedByPeer && garbageRead.bytes.count <= 10)
            close(garbage)
            // A PDU declaring more bytes than are sent: ARTIM ends it.
            let short = rawSocket(port: server.port)
            let header: [UInt8] = [1, 0, 0, 0, 1, 0, 0, 1, 0, 0]
            _ = send(short, header, header.count, 0)
            // Slowloris: one byte at a time, never a whole PDU.
            let slow = rawSocket(port: server.port)
            _ = send(slow, [UInt8(1)], 1, 0)
            let echoed10 = try await client.echo(); #expect(echoed10 == .success, "served while the hostile connections hang")
            // The read limit is far above ARTIM: a read that ends by timing out means ARTIM never closed the connection.
            #expect(await readUntilClosed(short, limit: 60).closedByPeer, "ARTIM closed the short PDU's connection")
            #expect(await readUntilClosed(slow, limit: 60).closedByPeer, "ARTIM closed the slowloris connection")
            close(short); close(slow)
            // An oversized PDU header is refused at once.
            let big = rawSocket(port: server.port)
            let oversized: [UInt8] = [4, 0, 0x7F, 0xFF, 0xFF, 0xFF]
            _ = send(big, oversized, oversized.count, 0)
            let bigRead = await readUntilClosed(big, limit: 60)
            #expect(bigRead.closedByPeer && bigRead.bytes.count <= 10)
            close(big)
            let echoed600 = try await client.echo(); #expect(echoed600 == .success)
        }
    }
}

@Suite(.serialized) struct FaultTests {
    @Test(arguments: [false, true]) func peerVanishingMidTransferLeavesNoFile(storingOnEventLoop: Bool) async throws {
        let incoming = temporaryFolder()
        try await withServer({ c in
            c.storage = FileStorageHandler(directory: incoming)
            c.writesFilesOnEventLoop = storingOnEventLoop
        }) { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            let ct = "1.2.840.10008.5.1.4.1.1.2"
            // The error is ours whichever side notices first: a send racing the close is mapped to connectionClosed.
            await #expect(throws: DicomNetworkError.self) {
                try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: ct, transferSyntaxes: [TransferSyntaxUID.explicitLittle])]) { a in
                    var command = CommandSet.request(.cStoreRQ, messageID: 1, sopClassUID: ct, hasDataSet: true)
                    command.set(.affectedSOPInstanceUID, "1.2.826.0.9.1")
                    try await a.send(.dataTF([PDV(contextID: 1, isCommand: true, isLast: true, data: command.encoded()[...])]))
                    try await a.send(.dataTF([PDV(contextID: 1, isCommand: false, isLast: false, data: [UInt8](repeating: 0, count: 1000)[...])]))
                    throw DicomNetworkError(.aborted, "the test walks away")
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            let left = try FileManager.default.contentsOfDirectory(atPath: incoming)
            #expect(left.isEmpty, "no partial instance: \(left)")
        }
    }

    @Test func unexpectedPDUOnAnEstablishedAssociationAborts() async throws {
        try await withServer { server in
            let client = loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "TEST")
            await #expect(throws: DicomNetworkError.self) {
                try await client.withAssociation([PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle])]) { a in
                    // A second A-ASSOCIATE-RQ on an established association is invalid in Sta6: the SCP aborts.
                    try await a.outboundForTests(.associateRQ(PDUTests.request))
                    _ = try await a.receive()
                }
            }
            let status = try await client.echo()
            #expect(status == .success)
        }
    }
}
