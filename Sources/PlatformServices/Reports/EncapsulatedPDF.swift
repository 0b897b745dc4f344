import DicomCore

/// A PDF wrapped as a DICOM Encapsulated PDF instance (PS3.3 §A.45.1), so that a report travels and is indexed with
/// its study: Modality DOC, MIME Type `application/pdf`, the file in Encapsulated Document (0042,0011).
///
/// ```swift
/// let ds = try EncapsulatedPDF.dataSet(pdf: bytes, documentTitle: "影像诊断报告", study: studyAttributes,
///                                      seriesInstanceUID: series, seriesNumber: 99, sopInstanceUID: uid,
///                                      contentDate: "20261102", contentTime: "110500")
/// let file = DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian)
/// ```
public enum EncapsulatedPDF {
    /// Encapsulated PDF Storage (PS3.4 Annex B.5).
    public static let sopClassUID = "1.2.840.10008.5.1.4.1.1.104.1"

    /// The instance's data set: every element of `study` (Specific Character Set, Patient, General Study and Patient Study
    /// attributes; strings are encoded in its character set), then the Encapsulated Document Series, SC Equipment and
    /// Encapsulated Document modules.
    public static func dataSet(pdf: [UInt8], documentTitle: String, study: DataSet, seriesInstanceUID: String, seriesNumber: Int,
                               sopInstanceUID: String, instanceNumber: Int = 1, contentDate: String, contentTime: String,
                               manufacturer: String = "MI Platform") throws(DicomError) -> DataSet {
        var ds = study
        try ds.setString(sopClassUID, for: .sopClassUID)
        try ds.setString(sopInstanceUID, for: .sopInstanceUID)
        try ds.setString(contentDate, for: KnownTag.instanceCreationDate)
        try ds.setString(contentTime, for: KnownTag.instanceCreationTime)
        try ds.setString("DOC", for: .modality)
        try ds.setString(seriesInstanceUID, for: .seriesInstanceUID)
        try ds.setString(String(seriesNumber), for: .seriesNumber)
        try ds.setString(documentTitle, for: .seriesDescription)
        // SC Equipment: a workstation made it (PS3.3 §C.8.6.1, Conversion Type WSD).
        try ds.setString("WSD", for: KnownTag.conversionType)
        try ds.setString(manufacturer, for: KnownTag.manufacturer)
        try ds.setString(String(instanceNumber), for: .instanceNumber)
        try ds.setString(contentDate, for: KnownTag.contentDate)
        try ds.setString(contentTime, for: KnownTag.contentTime)
        try ds.setString(contentDate + contentTime, for: KnownTag.acquisitionDateTime)
        try ds.setString("YES", for: KnownTag.burnedInAnnotation)
        try ds.setString(documentTitle, for: KnownTag.documentTitle)
        ds.set(DataElement(tag: KnownTag.conceptNameCodeSequence, vr: .SQ, value: .sequence([])))
        try ds.setString("application/pdf", for: KnownTag.mimeTypeOfEncapsulatedDocument)
        // An odd-length document is padded with one NUL (PS3.3 §C.24.2.1); its true length is in (0042,0015).
        try ds.setInt(pdf.count, for: KnownTag.encapsulatedDocumentLength, vr: .UL)
        ds.set(DataElement(tag: KnownTag.encapsulatedDocument, vr: .OB, bytes: pdf.count % 2 == 0 ? pdf : pdf + [0]))
        return ds
    }
}
