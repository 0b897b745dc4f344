import DicomCore
import Foundation

/// The index fields of one instance, read from its header in one pass.
struct IndexEntry: Sendable {
    var sopInstanceUID: String
    var sopClassUID: String
    var studyInstanceUID: String
    var seriesInstanceUID: String
    var transferSyntaxUID: String
    var patientID: String
    var patientNameRaw: String
    var patientBirthDate: String
    var patientSex: String
    var accessionNumber: String
    var studyDate: String
    var studyTime: String
    var modality: String
    var studyDescription: String
    var seriesDescription: String
    var seriesNumber: Int?
    var instanceNumber: Int?
    var bodyPart: String
    var referringPhysician: String
    var institution: String
    var department: String
    var frameCount: Int
    var metadata: InstanceMetadata?

    /// SOP classes whose objects are reports, not images.
    var reportKind: ReportKind? {
        if sopClassUID == "1.2.840.10008.5.1.4.1.1.104.1" { return .encapsulatedPDF }
        if sopClassUID.hasPrefix("1.2.840.10008.5.1.4.1.1.88.") { return .structuredReport }
        return nil
    }

    enum ReportKind { case encapsulatedPDF, structuredReport }

    /// Modalities that are not images of the patient (reports, presentation states, key object selections).
    static let nonImageModalities: Set<String> = ["SR", "DOC", "PR", "KO", "REG", "SEG", "RTSTRUCT", "RTPLAN"]

    init(file: DicomFile) throws(PlatformError) {
        let d = file.dataSet
        func required(_ tag: Tag, _ name: String) throws(PlatformError) -> String {
            guard let value = d.string(tag)?.trimmingCharacters(in: .whitespaces), IndexEntry.isValidUID(value) else {
                throw PlatformError(.invalidDicom, "\(name) is missing or not a valid UID")
            }
            return value
        }
        sopInstanceUID = try required(.sopInstanceUID, "SOP Instance UID (0008,0018)")
        sopClassUID = try required(.sopClassUID, "SOP Class UID (0008,0016)")
        studyInstanceUID = try required(.studyInstanceUID, "Study Instance UID (0020,000D)")
        seriesInstanceUID = try required(.seriesInstanceUID, "Series Instance UID (0020,000E)")
        transferSyntaxUID = file.transferSyntax.uid
        func text(_ tag: Tag) -> String { d.string(tag)?.trimmingCharacters(in: .whitespaces) ?? "" }
        patientID = text(.patientID)
        patientNameRaw = text(.patientName)
        patientBirthDate = IndexEntry.isoDate(text(.patientBirthDate))
        patientSex = text(.patientSex)
        accessionNumber = text(.accessionNumber)
        studyDate = IndexEntry.isoDate(text(.studyDate))
        studyTime = IndexEntry.isoTime(text(.studyTime))
        modality = text(.modality).uppercased()
        studyDescription = text(.studyDescription)
        seriesDescription = text(.seriesDescription)
        seriesNumber = d.int(.seriesNumber)
        instanceNumber = d.int(.instanceNumber)
        bodyPart = text(Tag(0x0018, 0x0015))
        referringPhysician = PatientNameFormatting.display(text(Tag(0x0008, 0x0090)))
        institution = text(Tag(0x0008, 0x0080))
        department = text(Tag(0x0008, 0x1040))
        frameCount = max(1, d.int(.numberOfFrames) ?? 1)
        metadata = d.contains(.pixelData) || d.int(.rows) != nil ? InstanceMetadata(d, transferSyntax: file.transferSyntax) : nil
    }

    /// PS3.5 §9.1: digits and dots, components without leading zeros, at most 64 characters.
    static func isValidUID(_ uid: String) -> Bool {
        guard !uid.isEmpty, uid.utf8.count <= 64 else { return false }
        return uid.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && component.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && (component == "0" || component.first != "0")
        }
    }

    /// DICOM DA (YYYYMMDD) → YYYY-MM-DD; anything else → "".
    static func isoDate(_ da: String) -> String {
        let digits = da.filter(\.isNumber)
        guard digits.count == 8 else { return "" }
        let a = digits.startIndex
        return "\(digits[a..<digits.index(a, offsetBy: 4)])-\(digits[digits.index(a, offsetBy: 4)..<digits.index(a, offsetBy: 6)])-\(digits[digits.index(a, offsetBy: 6)...])"
    }

    /// DICOM TM (HHMMSS.frac) → HH:MM:SS (missing parts as 00); anything else → "".
    static func isoTime(_ tm: String) -> String {
        let digits = String(tm.prefix { $0 != "." }.filter(\.isNumber))
        guard digits.count >= 2, digits.count <= 6, digits.count % 2 == 0 else { return "" }
        let padded = digits.padding(toLength: 6, withPad: "0", startingAt: 0)
        let c = Array(padded)
        return "\(c[0])\(c[1]):\(c[2])\(c[3]):\(c[4])\(c[5])"
    }
}

/// UID syntax checks for callers outside ingest (routes that take a UID from a URL).
public enum IndexEntryValidation {
    /// Whether `uid` is a syntactically valid DICOM UID (PS3.5 §9.1).
    public static func isUID(_ uid: String) -> Bool { IndexEntry.isValidUID(uid) }
}
