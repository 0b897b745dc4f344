import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// The viewer's metadata of enhanced multi-frame images, whose rescale, window, spacing and plane live in functional
/// groups (PS3.3 §C.7.6.16) rather than at the top level.
@Suite struct InstanceMetadataTests {
    static func item(_ build: (inout DataSet) throws -> Void) rethrows -> DataSet {
        var ds = DataSet()
        try build(&ds)
        return ds
    }

    static func sequence(_ tag: DicomCore.Tag, _ items: [DataSet]) -> DataElement {
        DataElement(tag: tag, vr: .SQ, value: .sequence(items))
    }

    /// A 3-frame enhanced CT: orientation and spacing shared, rescale, window and position per frame; a top-level
    /// rescale and window that a reader ignoring the functional groups would wrongly use.
    static func enhancedCT(sameForEveryFrame: Bool = false) throws -> DataSet {
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.2.1", for: .sopClassUID)
        try ds.setString("CT", for: .modality)
        try ds.setInts([8], for: .rows)
        try ds.setInts([8], for: .columns)
        try ds.setInts([16], for: .bitsAllocated)
        try ds.setInts([12], for: .bitsStored)
        try ds.setInts([1], for: .pixelRepresentation)
        try ds.setStrings(["3"], for: .numberOfFrames, vr: .IS)
        try ds.setString("0", for: Tag(0x0028, 0x1052), vr: .DS)      // Rescale Intercept
        try ds.setString("7", for: Tag(0x0028, 0x1053), vr: .DS)      // Rescale Slope
        try ds.setString("1", for: Tag(0x0028, 0x1050), vr: .DS)      // Window Center
        try ds.setString("2", for: Tag(0x0028, 0x1051), vr: .DS)      // Window Width
        let shared = try item {
            $0.set(sequence(Tag(0x0020, 0x9116), [try item { try $0.setStrings(["1", "0", "0", "0", "1", "0"], for: Tag(0x0020, 0x0037), vr: .DS) }]))
            $0.set(sequence(Tag(0x0018, 0x9325), [try item { try $0.setString("120", for: Tag(0x0018, 0x0060), vr: .DS) }]))   // CT X-Ray Details: KVP
            $0.set(sequence(Tag(0x0028, 0x9110), [try item {
                try $0.setStrings(["0.5", "0.6"], for: Tag(0x0028, 0x0030), vr: .DS)
                try $0.setString("1.25", for: Tag(0x0018, 0x0050), vr: .DS)
            }]))
        }
        let perFrame = try (0..<3).map { k in
            let i = sameForEveryFrame ? 0 : k
            return try item {
                $0.set(sequence(Tag(0x0028, 0x9145), [try item {
                    try $0.setString("\(-1024 + i)", for: Tag(0x0028, 0x1052), vr: .DS)
                    try $0.setString("\(1 + i)", for: Tag(0x0028, 0x1053), vr: .DS)
                    try $0.setString("HU", for: Tag(0x0028, 0x1054), vr: .LO)
                }]))
                $0.set(sequence(Tag(0x0028, 0x9132), [try item {
                    try $0.setString("\(40 + 100 * i)", for: Tag(0x0028, 0x1050), vr: .DS)
                    try $0.setString("400", for: Tag(0x0028, 0x1051), vr: .DS)
                }]))
                $0.set(sequence(Tag(0x0020, 0x9113), [try item { try $0.setStrings(["-100", "-120", "\(10 + 2 * i)"], for: Tag(0x0020, 0x0032), vr: .DS) }]))
                // CT Exposure: Exposure in mAs (FD), tube current modulated frame by frame.
                let fd = withUnsafeBytes(of: Double(100 + 10 * i).bitPattern.littleEndian) { Array($0) }
                $0.set(sequence(Tag(0x0018, 0x9321), [item { $0.set(DataElement(tag: Tag(0x0018, 0x9332), vr: .FD, bytes: fd)) }]))
            }
        }
        ds.set(sequence(Tag(0x5200, 0x9229), [shared]))
        ds.set(sequence(Tag(0x5200, 0x9230), perFrame))
        return ds
    }

    @Test func anEnhancedImageShowsFrameOnesValuesAndListsEveryFramesOwn() throws {
        let meta = try #require(InstanceMetadata(try Self.enhancedCT(), transferSyntax: .explicitVRLittleEndian))
        // Frame 1's, from the functional groups, not the top level's 7 and 0.
        #expect(meta.rescaleSlope == 1 && meta.rescaleIntercept == -1024 && meta.rescaleType == "HU")
        #expect(meta.windows.map(\.center) == [40] && meta.pixelSpacing == [0.5, 0.6] && meta.sliceThickness == 1.25)
        #expect(meta.imagePositionPatient == [-100, -120, 10] && meta.imageOrientationPatient == [1, 0, 0, 0, 1, 0])
        #expect(meta.kvp == 120 && meta.exposureMAs == 100)
        let frames = try #require(meta.frames)
        #expect(frames.count == 3)
        for (i, frame) in frames.enumerated() {
            #expect(frame.rescaleSlope == Double(1 + i) && frame.rescaleIntercept == Double(-1024 + i))
            #expect(frame.windows.map(\.center) == [Double(40 + 100 * i)] && frame.windows.map(\.width) == [400])
            #expect(frame.imagePositionPatient == [-100, -120, Double(10 + 2 * i)])
            #expect(frame.kvp == 120 && frame.exposureMAs == Double(100 + 10 * i))
            #expect(frame.pixelSpacing == [0.5, 0.6] && frame.imageOrientationPatient == [1, 0, 0, 0, 1, 0], "shared groups apply to every frame")
        }
        // Stored as JSON in the index and served as is: the frames survive the trip.
        let decoded = try JSONDecoder().decode(InstanceMetadata.self, from: try JSONEncoder().encode(meta))
        #expect(decoded == meta)
    }

    @Test func framesAreLeftOutWhenEveryFrameSeesTheSameValues() throws {
        let meta = try #require(InstanceMetadata(try Self.enhancedCT(sameForEveryFrame: true), transferSyntax: .explicitVRLittleEndian))
        #expect(meta.frames == nil)
        #expect(meta.rescaleIntercept == -1024 && meta.imagePositionPatient == [-100, -120, 10])
        let json = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        #expect(!json.contains("\"frames\""))
    }

    @Test func aClassicImageReadsTheTopLevel() throws {
        var ds = try Self.enhancedCT()
        _ = ds.remove(Tag(0x5200, 0x9229))
        _ = ds.remove(Tag(0x5200, 0x9230))
        let meta = try #require(InstanceMetadata(ds, transferSyntax: .explicitVRLittleEndian))
        #expect(meta.rescaleSlope == 7 && meta.rescaleIntercept == 0 && meta.windows.map(\.center) == [1] && meta.frames == nil)
    }
}
