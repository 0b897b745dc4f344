import DicomCore
import ImagingKit

/// Image attributes the viewer needs, extracted once at ingest from the header.
public struct InstanceMetadata: Sendable, Hashable, Codable {
    /// A VOI window from the file.
    public struct WindowPreset: Sendable, Hashable, Codable {
        public var center: Double
        public var width: Double
        public var explanation: String
    }
    public var rows: Int
    public var columns: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var pixelRepresentation: Int
    public var samplesPerPixel: Int
    /// As stored; the frame API converts YBR to RGB, so clients treat YBR_* as RGB.
    public var photometricInterpretation: String
    public var numberOfFrames: Int
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
    public var rescaleType: String
    public var windows: [WindowPreset]
    /// Row spacing, column spacing in mm (0028,0030).
    public var pixelSpacing: [Double]?
    /// (0018,1164), for projection radiographs.
    public var imagerPixelSpacing: [Double]?
    public var sliceThickness: Double?
    public var sliceLocation: Double?
    public var imagePositionPatient: [Double]?
    public var imageOrientationPatient: [Double]?
    public var modality: String
    /// The pixels went through lossy compression at some point (0028,2110 or a lossy transfer syntax).
    public var lossy: Bool
    public var transferSyntaxUID: String
    public var frameTime: Double?
    /// Peak kilovoltage (0018,0060), for the corners.
    public var kvp: Double?
    /// Exposure in mAs (from 0018,9332, 0018,1153 or 0018,1152), for the corners.
    public var exposureMAs: Double?
    /// Repetition Time (0018,0080), ms.
    public var repetitionTime: Double?
    /// Echo Time (0018,0081 or the MR Echo group's Effective Echo Time), ms.
    public var echoTime: Double?
    /// Frame by frame, for an enhanced multi-frame image whose functional groups (PS3.3 §C.7.6.16) differ between
    /// frames: each frame's rescale, windows, spacing and plane, which replace the instance-level values (those are
    /// frame 1's). Nil when every frame sees the same values.
    public var frames: [FrameMetadata]?

    /// The attributes an enhanced multi-frame image may give each frame in its functional groups: Pixel Measures,
    /// Plane Position and Orientation (Patient), Pixel Value Transformation, Frame VOI LUT, and the acquisition
    /// parameters of the corners (CT X-Ray Details, CT Exposure, MR Timing and Related Parameters, MR Echo).
    public struct FrameMetadata: Sendable, Hashable, Codable {
        public var rescaleSlope: Double
        public var rescaleIntercept: Double
        public var rescaleType: String
        public var windows: [WindowPreset]
        public var pixelSpacing: [Double]?
        public var sliceThickness: Double?
        public var imagePositionPatient: [Double]?
        public var imageOrientationPatient: [Double]?
        public var kvp: Double?
        public var exposureMAs: Double?
        public var repetitionTime: Double?
        public var echoTime: Double?

        /// Reads the attributes at the top level of `d` (for an enhanced image, of ``DicomCore/DataSet/frameAttributes(_:)``).
        init(_ d: DataSet) {
            rescaleSlope = d.double(Tag(0x0028, 0x1053)) ?? 1
            rescaleIntercept = d.double(Tag(0x0028, 0x1052)) ?? 0
            rescaleType = d.string(Tag(0x0028, 0x1054)) ?? (d.string(.modality) == "CT" ? "HU" : "")
            let centers = d.doubles(Tag(0x0028, 0x1050)), widths = d.doubles(Tag(0x0028, 0x1051))
            let explanations = d.strings(Tag(0x0028, 0x1055))
            windows = zip(centers, widths).enumerated().compactMap { index, pair in
                pair.1 > 0 ? WindowPreset(center: pair.0, width: pair.1, explanation: index < explanations.count ? explanations[index] : "") : nil
            }
            let spacing = d.doubles(Tag(0x0028, 0x0030))
            pixelSpacing = spacing.count == 2 ? spacing : nil
            sliceThickness = d.double(Tag(0x0018, 0x0050))
            let position = d.doubles(Tag(0x0020, 0x0032))
            imagePositionPatient = position.count == 3 ? position : nil
            let orientation = d.doubles(Tag(0x0020, 0x0037))
            imageOrientationPatient = orientation.count == 6 ? orientation : nil
            let acquisition = AcquisitionParameters(d)
            kvp = acquisition.kvp
            exposureMAs = acquisition.exposureMAs
            repetitionTime = acquisition.repetitionTime
            echoTime = acquisition.echoTime
        }
    }

    /// Reads the attributes from a data set; nil when it has no pixel description.
    public init?(_ d: DataSet, transferSyntax: TransferSyntax) {
        guard let rows = d.int(.rows), let columns = d.int(.columns), rows > 0, columns > 0 else { return nil }
        self.rows = rows
        self.columns = columns
        bitsAllocated = d.int(.bitsAllocated) ?? 16
        bitsStored = d.int(.bitsStored) ?? bitsAllocated
        pixelRepresentation = d.int(.pixelRepresentation) ?? 0
        samplesPerPixel = d.int(.samplesPerPixel) ?? 1
        photometricInterpretation = d.string(.photometricInterpretation) ?? "MONOCHROME2"
        numberOfFrames = max(1, d.int(.numberOfFrames) ?? 1)
        // An enhanced image keeps these in functional groups: the instance shows frame 1's, `frames` every frame's.
        let first = FrameMetadata(d.frameAttributes(0))
        rescaleSlope = first.rescaleSlope
        rescaleIntercept = first.rescaleIntercept
        rescaleType = first.rescaleType
        windows = first.windows
        pixelSpacing = first.pixelSpacing
        let imager = d.doubles(Tag(0x0018, 0x1164))
        imagerPixelSpacing = imager.count == 2 ? imager : nil
        sliceThickness = first.sliceThickness
        sliceLocation = d.double(Tag(0x0020, 0x1041))
        imagePositionPatient = first.imagePositionPatient
        imageOrientationPatient = first.imageOrientationPatient
        kvp = first.kvp
        exposureMAs = first.exposureMAs
        repetitionTime = first.repetitionTime
        echoTime = first.echoTime
        if d.hasFunctionalGroups, numberOfFrames > 1 {
            let all = [first] + (1..<numberOfFrames).map { FrameMetadata(d.frameAttributes($0)) }
            frames = all.allSatisfy { $0 == first } ? nil : all
        }
        modality = d.string(.modality) ?? ""
        lossy = d.string(Tag(0x0028, 0x2110)) == "01" || Self.lossySyntaxes.contains(transferSyntax.uid)
        transferSyntaxUID = transferSyntax.uid
        frameTime = d.double(Tag(0x0018, 0x1063))
    }

    /// Transfer syntaxes whose pixels are not bit-exact (PS3.5 §8.2, §A.4).
    static let lossySyntaxes: Set<String> = [
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101", "1.2.840.10008.1.2.4.102",
        "1.2.840.10008.1.2.4.103", "1.2.840.10008.1.2.4.104", "1.2.840.10008.1.2.4.105", "1.2.840.10008.1.2.4.106",
    ]
}
