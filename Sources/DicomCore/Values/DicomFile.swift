/// A DICOM Part 10 file (PS3.10 §7): preamble, File Meta Information, and the data set in its transfer syntax.
///
/// ```swift
/// let file = try DicomFile.read(contentsOf: "CT1.dcm")
/// file.dataSet.string(.patientName)
/// let header = try DicomFile.read(contentsOf: "CT1.dcm", options: .headerOnly)   // stops before Pixel Data
/// ```
public struct DicomFile: Sendable {
    /// The 128-byte preamble, or nil when the input had none (a bare data set, or meta without preamble).
    public var preamble: [UInt8]?
    /// File Meta Information, group 0002. Empty when the input had none.
    public var fileMetaInformation: DataSet
    /// The data set.
    public var dataSet: DataSet
    /// The transfer syntax the data set was read in (or is to be written in).
    public var transferSyntax: TransferSyntax

    /// Makes a file from its parts.
    public init(preamble: [UInt8]? = [UInt8](repeating: 0, count: 128), fileMetaInformation: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax) {
        self.preamble = preamble
        self.fileMetaInformation = fileMetaInformation
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
    }
}
