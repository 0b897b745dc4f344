import Foundation
import NIOCore
import Testing
@testable import DicomNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct FramedDataSetTests {
    /// A file of `size` bytes, each `i * 7`, and its open descriptor.
    func openFile(size: Int) throws -> (path: String, fd: Int32) {
        let path = temporaryFolder() + "/data.bin"
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        return (path, fd)
    }

    /// What the PDU encoder writes for the same bytes, fragmented as ``Association/send(_:)`` fragments them.
    func encoderBytes(_ bytes: ArraySlice<UInt8>, contextID: UInt8, fragment: Int) throws -> [UInt8] {
        var out = ByteBuffer()
        Association.fragments(bytes, size: fragment) { slice, last in
            try! PDUEncoder().encode(data: .dataTF([PDV(contextID: contextID, isCommand: false, isLast: last, data: slice)]), out: &out)
        }
        return Array(out.readableBytesView)
    }

    @Test(arguments: [(0, 100, 16), (1000, 20_000, 4090), (132, 8192, 8192), (0, 1, 1), (50, 0, 4090)])
    func framedBytesAreThePDUsTheEncoderWrites(offset: Int, length: Int, fragment: Int) throws {
        let (_, fd) = try openFile(size: offset + length + 3)
        defer { close(fd) }
        let all = (0..<(offset + length + 3)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let framed = try FramedDataSet.read(fd: fd, offset: offset, length: length, contextID: 5, fragment: fragment)
        #expect(framed.contextID == 5)
        #expect(Array(framed.pdus.readableBytesView) == (try encoderBytes(all[offset..<(offset + length)], contextID: 5, fragment: fragment)))
    }

    @Test func aFileShorterThanItsDataSetIsAFileIOError() throws {
        let (_, fd) = try openFile(size: 10_000)
        defer { close(fd) }
        #expect(throws: DicomNetworkError.self) {
            try FramedDataSet.read(fd: fd, offset: 132, length: 20_000, contextID: 1, fragment: 4090)
        }
        do {
            _ = try FramedDataSet.read(fd: fd, offset: 132, length: 20_000, contextID: 1, fragment: 4090)
        } catch {
            #expect(error.code == .fileIO)
        }
    }

    @Test func aFileWhoseMetaNoLongerMatchesTheScanIsSentWhole() throws {
        let folder = temporaryFolder()
        let path = try makeInstance("1.2.826.0.35.1", in: folder)
        var parameters = AssociationParameters(callingAE: "A", calledAE: "B", contexts: [:], peerMaximumLength: 4096, roleSelections: [], peerImplementationClassUID: "1.2")
        parameters.contexts[3] = AcceptedContext(id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.1.2", transferSyntax: TransferSyntaxUID.explicitLittle)
        let matching = StoreCandidate(path: path, sopClassUID: "1.2.840.10008.5.1.4.1.1.2", sopInstanceUID: "1.2.826.0.35.1", transferSyntax: TransferSyntaxUID.explicitLittle)
        guard case .success(.framed(let framed)) = LoadedFile.read(matching, for: parameters).content else {
            Issue.record("a file matching its scan is framed"); return
        }
        #expect(framed.contextID == 3)
        var changed = matching
        changed.sopInstanceUID = "1.2.826.0.35.2"
        guard case .success(.whole) = LoadedFile.read(changed, for: parameters).content else {
            Issue.record("a file that changed since the scan is read whole"); return
        }
    }
}
