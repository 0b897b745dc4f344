import DicomCore
import Testing
@testable import ImagingKit

/// Enhanced multi-frame images keep rescale, window, spacing and geometry in functional groups (PS3.3 §C.7.6.16):
/// a synthetic enhanced CT, written and read back with DicomCore, whose frames differ in each of them.
@Suite struct EnhancedMultiFrameTests {
    /// Per frame: rescale intercept and slope, window centre and width, pixel spacing (row, column), position z.
    static let frames: [(intercept: Double, slope: Double, center: Double, width: Double, spacing: (Double, Double), z: Double)] = [
        (-1024, 1, 40, 400, (0.5, 0.5), 10),
        (-1000, 2, -600, 1500, (0.7, 0.6), 12.5),
        (-3000, 0.5, 400, 1800, (0.9, 0.8), 15),
    ]
    static let stored: Int16 = 1100
    static let size = 4

    static func sequence(_ tag: DicomCore.Tag, _ items: [DataSet]) -> DataElement {
        DataElement(tag: tag, vr: .SQ, value: .sequence(items))
    }

    static func item(_ build: (inout DataSet) throws -> Void) throws -> DataSet {
        var ds = DataSet()
        try build(&ds)
        return ds
    }

    /// Three 4×4 frames of one stored value; rescale, window, spacing and position in per-frame groups; orientation
    /// in the shared groups. `sharedSpacing` moves Pixel Measures to the shared groups (one spacing for all frames).
    static func enhancedCT(sharedSpacing: Bool = false) throws -> DicomFile {
        // The phantom's top level (12 bits stored, signed; Rescale Intercept −1024; Pixel Spacing 0.5) is what a reader that
        // ignores the functional groups would use for every frame.
        var ds = try Support.ctPhantom(size: size) { _, _ in 0 }
        try ds.setStrings([String(frames.count)], for: .numberOfFrames, vr: .IS)
        // A top-level window a shared-only reader would use for every frame.
        try ds.setString("0", for: .windowCenter, vr: .DS)
        try ds.setString("100", for: .windowWidth, vr: .DS)
        let orientation = try item { try $0.setStrings(["1", "0", "0", "0", "1", "0"], for: .imageOrientationPatient, vr: .DS) }
        var shared = DataSet()
        shared.set(sequence(.planeOrientationSequence, [orientation]))
        if sharedSpacing {
            shared.set(sequence(.pixelMeasuresSequence, [try item { try $0.setStrings(["0.25", "0.35"], for: .pixelSpacing, vr: .DS) }]))
        }
        var perFrame: [DataSet] = []
        for f in frames {
            var group = DataSet()
            group.set(sequence(.pixelValueTransformationSequence, [try item {
                try $0.setString("\(f.intercept)", for: .rescaleIntercept, vr: .DS)
                try $0.setString("\(f.slope)", for: .rescaleSlope, vr: .DS)
                try $0.setString("HU", for: .rescaleType, vr: .LO)
            }]))
            group.set(sequence(.frameVOILUTSequence, [try item {
                try $0.setString("\(f.center)", for: .windowCenter, vr: .DS)
                try $0.setString("\(f.width)", for: .windowWidth, vr: .DS)
            }]))
            if !sharedSpacing {
                group.set(sequence(.pixelMeasuresSequence, [try item { try $0.setStrings(["\(f.spacing.0)", "\(f.spacing.1)"], for: .pixelSpacing, vr: .DS) }]))
            }
            group.set(sequence(.planePositionSequence, [try item { try $0.setStrings(["-100", "-120", "\(f.z)"], for: .imagePositionPatient, vr: .DS) }]))
            perFrame.append(group)
        }
        ds.set(sequence(.sharedFunctionalGroupsSequence, [shared]))
        ds.set(sequence(.perFrameFunctionalGroupsSequence, perFrame))
        let word = UInt16(bitPattern: stored)
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: Array(repeating: [UInt8(word & 0xFF), UInt8(word >> 8)], count: size * size * frames.count).flatMap { $0 }))
        return try Support.roundTrip(ds)
    }

    @Test func eachFrameGetsItsOwnRescaleAndWindow() throws {
        let file = try Self.enhancedCT()
        for (k, f) in Self.frames.enumerated() {
            let pipeline = try RenderPipeline(file.dataSet, frame: k)
            #expect(pipeline.modality == .rescale(slope: f.slope, intercept: f.intercept), "frame \(k + 1)")
            #expect(pipeline.voi == .window(Window(center: f.center, width: f.width)), "frame \(k + 1)")
        }
    }

    @Test func probeAndRenderUseTheFramesHounsfieldUnitsAndWindow() throws {
        let file = try Self.enhancedCT()
        var grays: [UInt8] = []
        for (k, f) in Self.frames.enumerated() {
            let attributes = file.dataSet.frameAttributes(k)
            let stored = try StoredFrame(file: file, frame: k)
            let pipeline = try RenderPipeline(attributes)
            let hu = f.slope * Double(Self.stored) + f.intercept
            let values = pipeline.modalityValues(stored)
            #expect(Measurements.value(at: 1, 2, in: values, unit: ModalityUnit.of(attributes)) == PixelValue(value: hu, unit: "HU"), "frame \(k + 1)")
            let gray = Support.linear(hu, c: f.center, w: f.width)
            #expect(try pipeline.render(stored).samples == Array(repeating: gray, count: Self.size * Self.size), "frame \(k + 1)")
            #expect(try pipeline.render(decoded: file.decodedFrame(k)).samples.first == gray, "frame \(k + 1)")
            grays.append(gray)
        }
        // The frames were built to look different: a reader of one set of values for all frames cannot pass.
        #expect(Set(grays).count == Self.frames.count)
    }

    @Test func eachFrameGetsItsOwnSpacingAndPosition() throws {
        let file = try Self.enhancedCT()
        for (k, f) in Self.frames.enumerated() {
            let spacing = PixelSpacing(file.dataSet, frame: k)
            #expect(spacing == PixelSpacing(row: f.spacing.0, column: f.spacing.1, source: .pixelSpacing), "frame \(k + 1)")
            let geometry = try #require(PatientGeometry(file.dataSet, frame: k))
            #expect(geometry.position == SIMD3(-100, -120, f.z))
            #expect(geometry.rowDirection == SIMD3(1, 0, 0) && geometry.columnDirection == SIMD3(0, 1, 0))
            #expect(geometry.patientPoint(PixelPoint(x: 2, y: 1)) == SIMD3(-100 + 2 * f.spacing.1, -120 + f.spacing.0, f.z))
            let length = Measurements.length(from: PixelPoint(x: 0, y: 0), to: PixelPoint(x: 0, y: 3), spacing: spacing)
            #expect(abs(length.value - 3 * f.spacing.0) < 1e-12 && length.unit == "mm")
        }
    }

    @Test func sharedGroupsApplyToEveryFrame() throws {
        let file = try Self.enhancedCT(sharedSpacing: true)
        for k in Self.frames.indices {
            #expect(PixelSpacing(file.dataSet, frame: k) == PixelSpacing(row: 0.25, column: 0.35, source: .pixelSpacing))
        }
        // A frame index without a per-frame item gets the shared groups and the top level only.
        let beyond = file.dataSet.frameAttributes(Self.frames.count)
        #expect(PixelSpacing(beyond) == PixelSpacing(row: 0.25, column: 0.35, source: .pixelSpacing))
        #expect(try RenderPipeline(beyond).voi == .window(Window(center: 0, width: 100)))
        #expect(PatientGeometry(beyond) == nil)
    }

    @Test func aFrameMacroReplacesTheTopLevelAttributesItStandsFor() throws {
        var ds = try Self.enhancedCT().dataSet
        try ds.setStrings(["10", "20"], for: .windowCenter, vr: .DS)
        try ds.setStrings(["100", "200"], for: .windowWidth, vr: .DS)
        try ds.setString("SIGMOID", for: .voiLUTFunction, vr: .CS)
        // Frame 1's Frame VOI LUT has one window and no function: no second window, no sigmoid left over.
        #expect(VOITransform.available(in: ds.frameAttributes(0)) == [.window(Window(center: 40, width: 400))])
    }

    @Test func dataSetsWithoutFunctionalGroupsReadTheTopLevel() throws {
        let ds = try Support.ctPhantom(size: 4, spacing: (0.6, 0.4)) { _, _ in 0 }
        #expect(!ds.hasFunctionalGroups)
        #expect(PixelSpacing(ds, frame: 0) == PixelSpacing(ds))
        #expect(try RenderPipeline(ds, frame: 5).modality == .rescale(slope: 1, intercept: -1024))
    }

    @Test func enhancedMRFramesGetTheirOwnEchoTimeAndTheSharedRepetitionTime() throws {
        var ds = try Support.ctPhantom(size: Self.size) { _, _ in 0 }
        try ds.setString("MR", for: .modality)
        try ds.setStrings(["2"], for: .numberOfFrames, vr: .IS)
        var shared = DataSet()
        shared.set(Self.sequence(Tag(0x0018, 0x9112), [try Self.item { try $0.setString("4000", for: Tag(0x0018, 0x0080), vr: .DS) }]))
        let echoes = [12.5, 95.0]
        let perFrame = try echoes.map { te in
            var group = DataSet()
            let fd = withUnsafeBytes(of: te.bitPattern.littleEndian) { Array($0) }
            group.set(Self.sequence(Tag(0x0018, 0x9114), [try Self.item { $0.set(DataElement(tag: Tag(0x0018, 0x9082), vr: .FD, bytes: fd)) }]))
            return group
        }
        ds.set(Self.sequence(.sharedFunctionalGroupsSequence, [shared]))
        ds.set(Self.sequence(.perFrameFunctionalGroupsSequence, perFrame))
        let file = try Support.roundTrip(ds)
        for (k, te) in echoes.enumerated() {
            let frame = file.dataSet.frameAttributes(k)
            #expect(AcquisitionParameters(frame) == AcquisitionParameters(repetitionTime: 4000, echoTime: te))
            #expect(CornerOverlay(frame).bottomLeft.filter { ["tr", "te"].contains($0.key) }.map(\.value) == ["TR 4000", "TE \(CornerOverlay.number(te))"])
        }
    }
}
