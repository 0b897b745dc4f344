import Testing
@testable import DicomCore

@Suite struct PixelDecodingTests {
    @Test func nativeFramesDecodeToTheirBytes() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("CT_small.dcm"))
        let frame = try file.decodedFrame(0)
        #expect(frame.bytes == Array(try #require(file.dataSet[.pixelData]?.bytes)))
        #expect(frame.descriptor.isSigned == (file.dataSet.int(.pixelRepresentation) == 1))
    }

    @Test func colourByPlaneIsInterleaved() throws {
        var ds = DataSet()
        try ds.setInt(1, for: .rows)
        try ds.setInt(2, for: .columns)
        try ds.setInt(3, for: .samplesPerPixel)
        try ds.setInt(8, for: .bitsAllocated)
        try ds.setInt(1, for: .planarConfiguration)
        try ds.setString("RGB", for: .photometricInterpretation)
        ds.set(DataElement(tag: .pixelData, vr: .OB, bytes: [1, 2, 10, 20, 100, 200]))
        let frame = try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).decodedFrame(0)
        #expect(frame.bytes == [1, 10, 100, 2, 20, 200])
        #expect(frame.descriptor.planarConfiguration == 0)
    }

    @Test func syntaxWithoutACodecFailsOnlyWhenPixelsAreAskedFor() throws {
        var file = try DicomFile.read(contentsOf: TestCorpus.path("JPEG2000.dcm"))
        #expect(file.dataSet.int(.rows) != nil)
        file.transferSyntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.999")
        #expect(throws: DicomError(.unsupportedTransferSyntax)) { try file.decodedFrame(0) }
        do {
            _ = try file.decodedFrame(0)
        } catch {
            #expect(error.detail.contains("1.2.840.10008.1.2.4.999"))
        }
    }

    @Test func absurdDimensionsAreRejectedBeforeAllocating() throws {
        var ds = DataSet()
        try ds.setInt(65535, for: .rows)
        try ds.setInt(65535, for: .columns)
        try ds.setInt(3, for: .samplesPerPixel)
        try ds.setInt(64, for: .bitsAllocated)
        try ds.setString("2147483647", for: .numberOfFrames, vr: .IS)
        ds.set(DataElement(tag: .pixelData, vr: .OB, bytes: [0, 0]))
        #expect(throws: DicomError(.invalidPixelData)) { try DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).decodedFrame(0) }
    }
}
