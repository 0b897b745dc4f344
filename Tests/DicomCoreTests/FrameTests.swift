import Testing
@testable import DicomCore

@Suite struct FrameTests {
    @Test func nativeMultiFrameSplitsIntoEqualFrames() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("rtdose.dcm"))
        let ds = file.dataSet
        #expect(ds.numberOfFrames == 15)
        let length = try #require(ds.nativeFrameLength)
        let all = try #require(ds[.pixelData]?.bytes)
        for i in 0..<15 {
            let frame = try ds.frameBytes(at: i)
            #expect(frame.count == length)
            #expect(Array(frame) == Array(all[(all.startIndex + i * length)..<(all.startIndex + (i + 1) * length)]))
        }
        #expect(throws: DicomError(.frameOutOfRange)) { try ds.frameBytes(at: 15) }
    }

    @Test func encapsulatedFramesComeFromTheExtendedOffsetTable() throws {
        // Two frames of three fragments: EOT says frame 2 starts at the third fragment.
        let fragments: [[UInt8]] = [[1, 2], [3, 4], [5, 6]]
        var ds = DataSet()
        try ds.setInt(2, for: .numberOfFrames, vr: .IS)
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(EncapsulatedPixelData(fragments: fragments.map { $0[...] })), hasUndefinedLength: true))
        var eot: [UInt8] = []
        for offset: UInt64 in [0, 20] { withUnsafeBytes(of: offset.littleEndian) { eot += $0 } }
        ds.set(DataElement(tag: .extendedOffsetTable, vr: .OV, bytes: eot))
        #expect(Array(try ds.frameBytes(at: 0)) == [1, 2, 3, 4])
        #expect(Array(try ds.frameBytes(at: 1)) == [5, 6])
    }

    @Test func basicOffsetTableLocatesFrames() throws {
        let pixels = EncapsulatedPixelData(basicOffsetTable: [0, 10], fragments: [[1, 2], [0xFF, 0xD8], [9]].map { $0[...] })
        let frames = try pixels.frameFragments(numberOfFrames: 2)
        #expect(frames.map { $0.count } == [1, 2])
    }

    @Test func missingOffsetTableFallsBackToCodestreamMarkers() throws {
        let pixels = EncapsulatedPixelData(fragments: [[0xFF, 0xD8, 1], [2], [0xFF, 0xD8, 3]].map { $0[...] })
        let frames = try pixels.frameFragments(numberOfFrames: 2)
        #expect(frames.map { $0.count } == [2, 1])
        #expect(throws: DicomError(.invalidPixelData)) { try pixels.frameFragments(numberOfFrames: 5) }
    }

    @Test func oneBitFramesThatStartMidByteAreRealigned() throws {
        var ds = DataSet()
        try ds.setInt(3, for: .rows)
        try ds.setInt(3, for: .columns)
        try ds.setInt(1, for: .bitsAllocated)
        try ds.setInt(2, for: .numberOfFrames, vr: .IS)
        // Frame 1: nine bits all set; frame 2: bits 9..17, only its first pixel set.
        ds.set(DataElement(tag: .pixelData, vr: .OB, bytes: [0xFF, 0x03, 0x00]))
        #expect(ds.nativeFrameLength == nil)
        #expect(Array(try ds.frameBytes(at: 0)) == [0xFF, 0x01])
        #expect(Array(try ds.frameBytes(at: 1)) == [0x01, 0x00])
    }
}
