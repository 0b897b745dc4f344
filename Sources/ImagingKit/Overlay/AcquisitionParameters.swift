import DicomCore

/// The acquisition parameters a reader expects in the image corners: tube voltage and exposure for X-ray
/// modalities, repetition and echo time for MR.
///
/// Read from the top level of a data set; give it ``DicomCore/DataSet/frameAttributes(_:)`` for an enhanced
/// multi-frame image, whose CT X-Ray Details, CT Exposure, MR Timing and MR Echo functional groups hold them.
///
/// ```swift
/// let frame3 = AcquisitionParameters(file.dataSet.frameAttributes(2))
/// frame3.echoTime   // that frame's Effective Echo Time, in ms
/// ```
public struct AcquisitionParameters: Sendable, Hashable, Codable {
    /// Peak kilovoltage (0018,0060).
    public var kvp: Double?
    /// Exposure in mAs: Exposure in mAs (0018,9332), else Exposure in µAs (0018,1153) ÷ 1000, else Exposure (0018,1152).
    public var exposureMAs: Double?
    /// Repetition Time (0018,0080), ms.
    public var repetitionTime: Double?
    /// Echo Time (0018,0081), else Effective Echo Time (0018,9082), ms.
    public var echoTime: Double?

    /// Reads the attributes at the top level of `dataSet`.
    public init(_ dataSet: DataSet) {
        kvp = dataSet.double(.kvp)
        exposureMAs = dataSet.double(.exposureInMAs) ?? dataSet.double(.exposureInMicroAs).map { $0 / 1000 } ?? dataSet.double(.exposure)
        repetitionTime = dataSet.double(.repetitionTime)
        echoTime = dataSet.double(.echoTime) ?? dataSet.double(.effectiveEchoTime)
    }

    /// Parameters as given.
    public init(kvp: Double? = nil, exposureMAs: Double? = nil, repetitionTime: Double? = nil, echoTime: Double? = nil) {
        self.kvp = kvp
        self.exposureMAs = exposureMAs
        self.repetitionTime = repetitionTime
        self.echoTime = echoTime
    }
}
