import Foundation
import Testing
@testable import DicomCore

@Suite struct WritingTests {
    static let uncompressedFiles = TestCorpus.allFiles().filter { path in
        guard let file = try? DicomFile.read(contentsOf: path) else { return false }
        return TransferSyntax.uncompressed.contains(file.transferSyntax)
    }

    /// Writing what was read, in the syntax it was read in, gives back the same bytes for files written canonically.
    @Test(arguments: ["CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "rtplan.dcm", "rtdose.dcm", "liver_1frame.dcm", "reportsi.dcm", "test-SR.dcm", "waveform_ecg.dcm", "chrH31.dcm"])
    func canonicalFilesRoundTripByteForByte(name: String) throws {
        let path = name.hasPrefix("chr") ? TestCorpus.path(name, charset: true) : TestCorpus.path(name)
        let bytes = TestCorpus.bytes(path)
        let file = try DicomFile(bytes: bytes)
        let written = try file.encoded()
        #expect(written.count == bytes.count)
        if let i = zip(written, bytes).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): first difference at byte \(i)")
        }
    }

    /// Every uncompressed corpus file through every uncompressed syntax: every element reads back with the same
    /// value bytes (VRs too, except where implicit VR leaves only the dictionary to say), and writing again gives the same bytes.
    @Test func everyFileRoundTripsThroughEverySyntax() throws {
        #expect(WritingTests.uncompressedFiles.count > 30)
        for path in WritingTests.uncompressedFiles {
            let original = try DicomFile.read(contentsOf: path)
            for syntax in TransferSyntax.uncompressed {
                let bytes = try original.encoded(as: syntax)
                let reread = try DicomFile(bytes: bytes)
                #expect(reread.transferSyntax == syntax)
                #expect(reread.fileMetaInformation.uid(.transferSyntaxUID) == syntax.uid)
                let differences = DataSetComparison.differences(original.dataSet, reread.dataSet, comparingVRs: syntax.isExplicitVR)
                #expect(differences.isEmpty, "\(path) via \(syntax.name): \(differences.prefix(3))")
                #expect(try reread.encoded() == bytes, "\(path) via \(syntax.name) is not stable")
            }
        }
    }

    @Test func groupLengthsAreRecomputedForTheTargetEncoding() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("chrJapMulti.dcm", charset: true))
        #expect(file.dataSet.contains(Tag(0x0019, 0x0000)))
        for syntax in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
            let reread = try DicomFile(bytes: try file.encoded(as: syntax))
            for lengthElement in reread.dataSet.elements where lengthElement.tag.isGroupLength {
                let group = lengthElement.tag.group
                let body = DataSet(reread.dataSet.elements(inGroup: group).filter { !$0.tag.isGroupLength })
                let encodedLength = try DicomFile.encode(body, as: syntax).count
                #expect(reread.dataSet.int(lengthElement.tag) == encodedLength, "group \(group) in \(syntax.name)")
            }
        }
        let meta = try DicomFile(bytes: try file.encoded()).fileMetaInformation
        let metaBody = DataSet(meta.elements.filter { !$0.tag.isGroupLength })
        #expect(meta.int(.fileMetaInformationGroupLength) == (try DicomFile.encode(metaBody, as: .explicitVRLittleEndian)).count)
    }

    @Test func oddLengthValuesArePaddedToEvenLength() throws {
        var ds = DataSet()
        ds.set(DataElement(tag: .patientID, vr: .LO, bytes: Array("ABC".utf8)))
        ds.set(DataElement(tag: .sopInstanceUID, vr: .UI, bytes: Array("1.2.3".utf8)))
        let bytes = try DicomFile.encode(ds, as: .explicitVRLittleEndian)
        #expect(bytes.count % 2 == 0)
        let reread = try DicomFile(bytes: bytes)
        #expect(reread.dataSet[.patientID]?.bytes.map(Array.init) == Array("ABC ".utf8))
        #expect(reread.dataSet[.sopInstanceUID]?.bytes.map(Array.init) == Array("1.2.3".utf8) + [0])
        #expect(reread.dataSet.uid(.sopInstanceUID) == "1.2.3")
    }

    @Test func fileMetaIsFilledFromTheDataSet() throws {
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.7", for: .sopClassUID)
        try ds.setString("1.2.3.4", for: .sopInstanceUID)
        try ds.setString("Wang^Wei", for: .patientName)
        let file = DicomFile(dataSet: ds, transferSyntax: .implicitVRLittleEndian)
        let reread = try DicomFile(bytes: try file.encoded())
        #expect(reread.fileMetaInformation.uid(.mediaStorageSOPClassUID) == "1.2.840.10008.5.1.4.1.1.7")
        #expect(reread.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) == "1.2.3.4")
        #expect(reread.fileMetaInformation.uid(.implementationClassUID) == DicomFile.implementationClassUID)
        #expect(reread.transferSyntax == .implicitVRLittleEndian)
        #expect(reread.dataSet.string(.patientName) == "Wang^Wei")
    }

    @Test func compressedPixelsCannotBeWrittenUncompressedWithoutACodec() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("MR_small_RLE.dcm"))
        #expect(throws: DicomError(.unsupportedTransferSyntax)) { try file.encoded(as: .explicitVRLittleEndian) }
        // The same syntax keeps its fragments.
        let reread = try DicomFile(bytes: try file.encoded())
        guard case .encapsulated(let a)? = reread.dataSet[.pixelData]?.value, case .encapsulated(let b)? = file.dataSet[.pixelData]?.value else {
            Issue.record("Pixel Data lost its encapsulation")
            return
        }
        #expect(a.fragments.map(Array.init) == b.fragments.map(Array.init))
    }

    @Test func sequencesCanBeWrittenWithDefinedOrUndefinedLengths() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("rtplan.dcm"))
        let reference = DicomJSON.encode(file.dataSet)
        for lengths in [WriteOptions.SequenceLengths.defined, .undefined] {
            let bytes = try file.encoded(options: .init(sequenceLengths: lengths))
            let reread = try DicomFile(bytes: bytes)
            #expect(DicomJSON.encode(reread.dataSet) == reference)
            let flags = reread.dataSet.elements.filter { $0.vr == .SQ }.map(\.hasUndefinedLength)
            #expect(flags.allSatisfy { $0 == (lengths == .undefined) })
        }
    }
}

@Suite struct ChineseNameTests {
    /// 张伟 in each character set a Chinese hospital uses: the bytes on disk, and the name read back.
    @Test(arguments: [
        ("GB18030", [0xD5, 0xC5, 0xCE, 0xB0] as [UInt8]),
        ("GBK", [0xD5, 0xC5, 0xCE, 0xB0]),
        ("ISO_IR 192", [0xE5, 0xBC, 0xA0, 0xE4, 0xBC, 0x9F]),
    ])
    func chineseNamesAreWrittenAndReadInTheirCharacterSet(term: String, bytes: [UInt8]) throws {
        var ds = DataSet()
        try ds.setString(term, for: .specificCharacterSet, vr: .CS)
        try ds.setString("张伟", for: .patientName, vr: .PN)
        #expect(ds[.patientName]?.bytes.map(Array.init) == bytes)
        for syntax in TransferSyntax.uncompressed {
            let file = DicomFile(dataSet: ds, transferSyntax: syntax)
            let reread = try DicomFile(bytes: try file.encoded())
            #expect(reread.dataSet.personName(.patientName)?.alphabetic.familyName == "张伟", "\(term) via \(syntax.name)")
        }
    }

    @Test func ideographicGroupUsesISO2022IR58() throws {
        var ds = DataSet()
        try ds.setStrings(["", "ISO 2022 IR 58"], for: .specificCharacterSet, vr: .CS)
        try ds.setString("Zhang^Wei=张^伟=", for: .patientName, vr: .PN)
        let reread = try DicomFile(bytes: try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).encoded())
        let name = try #require(reread.dataSet.personName(.patientName))
        #expect(name.alphabetic.familyName == "Zhang")
        #expect(name.ideographic.familyName == "张" && name.ideographic.givenName == "伟")
        #expect(reread.dataSet[.patientName]?.bytes?.contains(0x1B) == true)
    }

    @Test func undeclaredGBKBytesReadAsChinese() throws {
        var ds = DataSet()
        ds.set(DataElement(tag: .patientName, vr: .PN, bytes: [0xD5, 0xC5, 0xCE, 0xB0]))
        #expect(ds.string(.patientName) == "张伟")
        ds.set(DataElement(tag: .patientName, vr: .PN, bytes: [0xE5, 0xBC, 0xA0, 0xE4, 0xBC, 0x9F]))
        #expect(ds.string(.patientName) == "张伟")
    }

    @Test func unencodableNameIsATypedError() throws {
        var ds = DataSet()
        try ds.setString("ISO_IR 100", for: .specificCharacterSet, vr: .CS)
        #expect(throws: DicomError(.unencodableString)) { try ds.setString("张伟", for: .patientName, vr: .PN) }
    }
}
