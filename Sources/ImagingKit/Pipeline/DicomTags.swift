import DicomCore

/// The attributes ImagingKit reads, beyond the few DicomCore names.
extension Tag {
    static let studyTimeTag = Tag(0x0008, 0x0030)
    static let institutionName = Tag(0x0008, 0x0080)
    static let patientAge = Tag(0x0010, 0x1010)
    static let sliceThickness = Tag(0x0018, 0x0050)
    static let kvp = Tag(0x0018, 0x0060)
    static let repetitionTime = Tag(0x0018, 0x0080)
    static let echoTime = Tag(0x0018, 0x0081)
    /// Exposure (0018,1152), IS, in mAs.
    static let exposure = Tag(0x0018, 0x1152)
    /// Exposure in µAs (0018,1153), IS: a thousandth of a mAs.
    static let exposureInMicroAs = Tag(0x0018, 0x1153)
    /// Exposure in mAs (0018,9332), FD: what the CT Exposure functional group holds.
    static let exposureInMAs = Tag(0x0018, 0x9332)
    /// Effective Echo Time (0018,9082), FD: the MR Echo functional group's echo time.
    static let effectiveEchoTime = Tag(0x0018, 0x9082)
    static let imagerPixelSpacing = Tag(0x0018, 0x1164)
    static let imagePositionPatient = Tag(0x0020, 0x0032)
    static let imageOrientationPatient = Tag(0x0020, 0x0037)
    static let sliceLocation = Tag(0x0020, 0x1041)
    static let pixelSpacing = Tag(0x0028, 0x0030)
    static let windowCenter = Tag(0x0028, 0x1050)
    static let windowWidth = Tag(0x0028, 0x1051)
    static let rescaleIntercept = Tag(0x0028, 0x1052)
    static let rescaleSlope = Tag(0x0028, 0x1053)
    static let rescaleType = Tag(0x0028, 0x1054)
    static let windowCenterWidthExplanation = Tag(0x0028, 0x1055)
    static let voiLUTFunction = Tag(0x0028, 0x1056)
    static let redPaletteDescriptor = Tag(0x0028, 0x1101)
    static let greenPaletteDescriptor = Tag(0x0028, 0x1102)
    static let bluePaletteDescriptor = Tag(0x0028, 0x1103)
    static let redPaletteData = Tag(0x0028, 0x1201)
    static let greenPaletteData = Tag(0x0028, 0x1202)
    static let bluePaletteData = Tag(0x0028, 0x1203)
    static let segmentedRedPaletteData = Tag(0x0028, 0x1221)
    static let modalityLUTSequence = Tag(0x0028, 0x3000)
    static let lutDescriptor = Tag(0x0028, 0x3002)
    static let lutExplanation = Tag(0x0028, 0x3003)
    static let modalityLUTType = Tag(0x0028, 0x3004)
    static let lutData = Tag(0x0028, 0x3006)
    static let voiLUTSequence = Tag(0x0028, 0x3010)
}
