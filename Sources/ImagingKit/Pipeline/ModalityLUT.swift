import DicomCore

/// The Modality LUT stage (PS3.3 §C.11.1): stored values to modality values (HU for CT).
public enum ModalityLUT: Sendable, Hashable {
    /// `value = slope × stored + intercept` (Rescale Slope (0028,1053), Rescale Intercept (0028,1052)).
    case rescale(slope: Double, intercept: Double)
    /// The first item of the Modality LUT Sequence (0028,3000).
    case table(LookupTable)

    /// Identity: slope 1, intercept 0.
    public static let identity = ModalityLUT.rescale(slope: 1, intercept: 0)

    /// The Modality LUT of a data set: the Modality LUT Sequence when present, else Rescale Slope/Intercept
    /// (1 and 0 when absent; a slope of 0, which would flatten the image, is read as 1).
    public init(_ dataSet: DataSet) throws(ImagingError) {
        if let item = dataSet.sequence(.modalityLUTSequence)?.first {
            self = .table(try LookupTable.read(item: item, signedInput: dataSet.int(.pixelRepresentation) == 1))
            return
        }
        var slope = dataSet.double(.rescaleSlope) ?? 1
        if slope == 0 || !slope.isFinite { slope = 1 }
        let intercept = dataSet.double(.rescaleIntercept) ?? 0
        self = .rescale(slope: slope, intercept: intercept.isFinite ? intercept : 0)
    }

    /// The modality value of stored value `x`.
    @inlinable public func callAsFunction(_ x: Int) -> Double {
        switch self {
        case .rescale(let slope, let intercept): return slope * Double(x) + intercept
        case .table(let lut): return Double(lut(x))
        }
    }

    /// Whether the stage changes nothing.
    public var isIdentity: Bool { self == .identity }
}

/// The unit of modality values, as a probe reports it.
public enum ModalityUnit {
    /// "HU" for CT (Modality CT, or Rescale Type HU), else Rescale Type (0028,1054) as given, else "".
    public static func of(_ dataSet: DataSet) -> String {
        let type = dataSet.string(.rescaleType) ?? ""
        if type.uppercased() == "HU" { return "HU" }
        if dataSet.string(.modality) == "CT" && (type.isEmpty || type == "US") && dataSet.sequence(.modalityLUTSequence) == nil { return "HU" }
        return type
    }
}
