import Foundation
import Testing
@testable import DicomCore

@Suite struct ReadingTests {
    @Test func explicitLittleEndianFileReadsPatientAndImageAttributes() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("CT_small.dcm"))
        #expect(file.transferSyntax == .explicitVRLittleEndian)
        #expect(file.preamble?.count == 128)
        #expect(file.dataSet.string(.patientName) == "CompressedSamples^CT1")
        #expect(file.dataSet.personName(.patientName)?.alphabetic.givenName == "CT1")
        #expect(file.dataSet.int(.rows) == 128)
        #expect(file.dataSet.int(.bitsAllocated) == 16)
        #expect(file.dataSet.date(.studyDate) == DicomDate(year: 2004, month: 1, day: 19))
        #expect(file.dataSet.strings(.imageType) == ["ORIGINAL", "PRIMARY", "AXIAL"])
        #expect(file.dataSet.doubles(Tag(0x0020, 0x0032)).count == 3)   // Image Position (Patient), DS
        #expect(file.fileMetaInformation.uid(.transferSyntaxUID) == TransferSyntax.explicitVRLittleEndian.uid)
    }

    @Test func everyUncompressedSyntaxOfTheSameImageReadsAlike() throws {
        var reference = try DicomFile.read(contentsOf: TestCorpus.path("MR_small.dcm"))
        reference.dataSet.remove(Tag(0xFFFC, 0xFFFC))   // Data Set Trailing Padding, only in this copy
        for name in ["MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm"] {
            var other = try DicomFile.read(contentsOf: TestCorpus.path(name))
            other.dataSet.remove(Tag(0xFFFC, 0xFFFC))
            #expect(DicomJSON.encode(other.dataSet, options: .init(inlineBinaryLimit: 0)) == DicomJSON.encode(reference.dataSet, options: .init(inlineBinaryLimit: 0)), "\(name)")
            #expect(other.dataSet[.pixelData]?.bytes == reference.dataSet[.pixelData]?.bytes, "\(name): pixels must be little endian in memory")
        }
    }

    @Test func bigEndianPixelsAndNumbersAreSwappedToLittleEndian() throws {
        let le = try DicomFile.read(contentsOf: TestCorpus.path("liver_1frame.dcm"))
        let be = try DicomFile.read(contentsOf: TestCorpus.path("liver_expb_1frame.dcm"))
        #expect(be.transferSyntax == .explicitVRBigEndian)
        #expect(be.dataSet.int(.rows) == le.dataSet.int(.rows))
        #expect(be.dataSet[.pixelData]?.bytes == le.dataSet[.pixelData]?.bytes)
    }

    @Test func deflatedDataSetInflates() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("image_dfl.dcm"))
        #expect(file.transferSyntax == .deflatedExplicitVRLittleEndian)
        #expect(file.dataSet.int(.rows) != nil)
        #expect(file.dataSet[.pixelData]?.valueLength ?? 0 > 0)
    }

    @Test func bareDataSetsWithoutFileMetaAreRecognised() throws {
        let le = try DicomFile.read(contentsOf: TestCorpus.path("ExplVR_LitEndNoMeta.dcm"))
        #expect(le.preamble == nil && le.fileMetaInformation.isEmpty)
        #expect(le.transferSyntax == .explicitVRLittleEndian)
        let be = try DicomFile.read(contentsOf: TestCorpus.path("ExplVR_BigEndNoMeta.dcm"))
        #expect(be.transferSyntax == .explicitVRBigEndian)
        #expect(be.dataSet.int(.rows) == le.dataSet.int(.rows))
    }

    @Test func missingTransferSyntaxIsInferredFromTheDataSet() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("meta_missing_tsyntax.dcm"))
        #expect(file.fileMetaInformation.uid(.transferSyntaxUID) == nil)
        #expect(file.transferSyntax == .implicitVRLittleEndian)
        let outer = try #require(file.dataSet.sequence(Tag(0x0001, 0x0001))?.first)
        #expect(outer.sequence(Tag(0x0001, 0x0001))?.count == 1)
    }

    @Test func headerOnlyReadStopsBeforePixelData() throws {
        let path = TestCorpus.path("CT_small.dcm")
        let header = try DicomFile.read(contentsOf: path, options: .headerOnly)
        let full = try DicomFile.read(contentsOf: path)
        #expect(header.dataSet[.pixelData] == nil)
        #expect(full.dataSet[.pixelData] != nil)
        #expect(header.dataSet.count == full.dataSet.elements.filter { $0.tag < .pixelData }.count)
    }

    @Test func encapsulatedPixelDataIsExposedAsFrames() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("SC_rgb_rle_2frame.dcm"))
        guard case .encapsulated(let pixels)? = file.dataSet[.pixelData]?.value else {
            Issue.record("Pixel Data is not encapsulated")
            return
        }
        let frames = try pixels.frameFragments(numberOfFrames: file.dataSet.int(.numberOfFrames) ?? 1)
        #expect(frames.count == 2)
        #expect(try pixels.frame(1, numberOfFrames: 2).count == frames[1].reduce(0) { $0 + $1.count })
        #expect(throws: DicomError(.frameOutOfRange)) { try pixels.frame(2, numberOfFrames: 2) }
    }

    @Test func unknownLengthUNIsReadAsSequence() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("UN_sequence.dcm"))
        let sequences = file.dataSet.elements.filter { $0.vr == .SQ }
        #expect(!sequences.isEmpty)
    }

    @Test func privateCreatorsReserveTheirBlocks() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("CT_small.dcm"))
        #expect(file.dataSet.privateCreator(of: Tag(0x0009, 0x1001)) == "GEMS_IDEN_01")
        #expect(file.dataSet.privateTag(creator: "GEMS_IDEN_01", group: 0x0009, elementOffset: 0x01) == Tag(0x0009, 0x1001))
        #expect(file.dataSet.privateTag(creator: "NOBODY", group: 0x0009, elementOffset: 0x01) == nil)
    }

    @Test func itemsInheritTheCharacterSetOfTheirDataSet() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("chrSQEncoding.dcm", charset: true))
        let item = try #require(file.dataSet.sequence(Tag(0x0032, 0x1064))?.first)
        #expect(item.characterSet.terms == file.dataSet.characterSet.terms || item.contains(.specificCharacterSet))
    }
}

@Suite struct HeaderReadTests {
    /// A header longer than the first chunk the reader takes, cut exactly at an element boundary, is still read whole.
    @Test func headerLongerThanTheFirstChunkIsReadWhole() throws {
        var ds = DataSet()
        try ds.setString("1.2.3", for: .sopInstanceUID)
        // 40 private elements of 2 KiB each: 80 KiB of header before Pixel Data.
        try ds.setString("LONG HEADER", for: Tag(0x0009, 0x0010), vr: .LO)
        for i in 0..<40 {
            ds.set(DataElement(tag: Tag(0x0009, 0x1000 + UInt16(i)), vr: .OB, bytes: [UInt8](repeating: UInt8(i), count: 2048)))
        }
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 7, count: 4096)))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("long-header-\(UUID().uuidString).dcm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
        let header = try DicomFile.read(contentsOf: path, upTo: .pixelData)
        #expect(header.dataSet.count == ds.count - 1)
        #expect(header.dataSet[.pixelData] == nil)
        #expect(header.dataSet[Tag(0x0009, 0x1027)]?.bytes?.first == 39)
    }
}

@Suite struct BigEndianPixelTests {
    /// 32-bit samples in big-endian OW Pixel Data are swapped per sample, so the dose grid equals its little-endian twin.
    @Test func thirtyTwoBitBigEndianPixelsEqualTheirLittleEndianTwin() throws {
        let le = try DicomFile.read(contentsOf: TestCorpus.path("rtdose_1frame.dcm"))
        let be = try DicomFile.read(contentsOf: TestCorpus.path("rtdose_expb_1frame.dcm"))
        #expect(be.dataSet.int(.bitsAllocated) == 32)
        #expect(be.dataSet[.pixelData]?.bytes.map(Array.init) == le.dataSet[.pixelData]?.bytes.map(Array.init))
        let rewritten = try DicomFile(bytes: try le.encoded(as: .explicitVRBigEndian))
        #expect(rewritten.dataSet[.pixelData]?.bytes.map(Array.init) == le.dataSet[.pixelData]?.bytes.map(Array.init))
    }
}
