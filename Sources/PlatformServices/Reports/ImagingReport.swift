/// The content of an imaging report, as `PDFReportWriter` lays it out: strings ready to print, in the hospital's language.
///
/// ```swift
/// let report = ImagingReport(hospitalName: "演示总医院", hospitalEnglishName: "Demo General Hospital",
///                            patientName: "张三", patientNamePinyin: "Zhang San", sex: "M", age: "58岁", ...)
/// let pdf = PDFReportWriter().render(report)
/// ```
public struct ImagingReport: Sendable, Hashable, Codable {
    /// The hospital's name as printed at the top ("演示总医院").
    public var hospitalName: String
    /// The hospital's English name, printed under it.
    public var hospitalEnglishName: String
    /// The patient's name in Chinese characters.
    public var patientName: String
    /// The patient's name in pinyin, printed beside it.
    public var patientNamePinyin: String
    /// "M", "F" or "O" (Patient's Sex), printed as 男 M, 女 F, 其他 O.
    public var sex: String
    /// The age at the exam, as printed ("58岁").
    public var age: String
    /// Patient ID.
    public var patientID: String
    /// Accession Number.
    public var accessionNumber: String
    /// Admission ID for inpatients, printed when present.
    public var admissionID: String?
    /// Modality ("CT").
    public var modality: String
    /// The body part as printed ("胸部 Chest").
    public var bodyPart: String
    /// The exam as printed ("胸部CT平扫 Chest CT, non-contrast").
    public var examDescription: String
    /// Date and time of the exam as printed ("2026-11-02 09:30").
    public var examDate: String
    /// The visit type as printed ("住院 Inpatient").
    public var visitType: String
    /// The requesting department as printed ("呼吸内科").
    public var department: String
    /// The referring physician as printed ("孙丽").
    public var referringPhysician: String
    /// Findings, one string per paragraph.
    public var findings: [String]
    /// Impression, one string per paragraph.
    public var impression: [String]
    /// The reporting physician as printed.
    public var reportingPhysician: String
    /// The reviewing (signing) physician as printed.
    public var reviewingPhysician: String
    /// Date and time of the report as printed ("2026-11-02 11:05").
    public var reportDate: String

    /// Makes a report.
    public init(hospitalName: String, hospitalEnglishName: String, patientName: String, patientNamePinyin: String, sex: String, age: String,
                patientID: String, accessionNumber: String, admissionID: String? = nil, modality: String, bodyPart: String, examDescription: String,
                examDate: String, visitType: String, department: String, referringPhysician: String, findings: [String], impression: [String],
                reportingPhysician: String, reviewingPhysician: String, reportDate: String) {
        self.hospitalName = hospitalName
        self.hospitalEnglishName = hospitalEnglishName
        self.patientName = patientName
        self.patientNamePinyin = patientNamePinyin
        self.sex = sex
        self.age = age
        self.patientID = patientID
        self.accessionNumber = accessionNumber
        self.admissionID = admissionID
        self.modality = modality
        self.bodyPart = bodyPart
        self.examDescription = examDescription
        self.examDate = examDate
        self.visitType = visitType
        self.department = department
        self.referringPhysician = referringPhysician
        self.findings = findings
        self.impression = impression
        self.reportingPhysician = reportingPhysician
        self.reviewingPhysician = reviewingPhysician
        self.reportDate = reportDate
    }
}
