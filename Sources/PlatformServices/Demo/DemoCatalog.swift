/// What `DemoStudies.generate(into:progress:)` wrote: hospitals, patients and exams (orders), with the UIDs and paths of
/// every file. Paths are relative to the data folder, with `/` separators, so the catalog stays valid when the folder
/// moves; `DemoStudies.generate` also writes it as `catalog.json` in the folder.
///
/// ```swift
/// let catalog = try DemoStudies.generate(into: folder)
/// for exam in catalog.exams where exam.status == .report {
///     print(exam.accessionNumber, exam.report!.pdfPath)
/// }
/// ```
public struct DemoCatalog: Sendable, Hashable, Codable {
    /// The hospitals the exams belong to; the first is the default one.
    public var hospitals: [DemoHospital]
    /// The patients, each with one or more exams.
    public var patients: [DemoPatient]
    /// Every exam (order), in the order they were generated.
    public var exams: [DemoExam]
    /// Bytes written: DICOM files, PDF reports and the encapsulated PDF (not `catalog.json` itself).
    public var totalBytes: Int

    /// Makes a catalog.
    public init(hospitals: [DemoHospital], patients: [DemoPatient], exams: [DemoExam], totalBytes: Int) {
        self.hospitals = hospitals
        self.patients = patients
        self.exams = exams
        self.totalBytes = totalBytes
    }

    /// The patient with `patientID`.
    public func patient(_ patientID: String) -> DemoPatient? { patients.first { $0.patientID == patientID } }

    /// The hospital with `id`.
    public func hospital(_ id: String) -> DemoHospital? { hospitals.first { $0.id == id } }

    /// The exam with `accessionNumber`.
    public func exam(accessionNumber: String) -> DemoExam? { exams.first { $0.accessionNumber == accessionNumber } }

    /// Every DICOM file of the imaged exams (images only; the encapsulated PDF is in `DemoReport`).
    public var imagePaths: [String] { exams.flatMap { $0.series.flatMap { $0.instances.map(\.path) } } }
}

/// A hospital of the demo.
public struct DemoHospital: Sendable, Hashable, Codable {
    /// A short stable key ("demo-general").
    public var id: String
    /// The name as written in Institution Name (0008,0080) and on reports ("演示总医院").
    public var name: String
    /// The English name ("Demo General Hospital").
    public var englishName: String

    /// Makes a hospital.
    public init(id: String, name: String, englishName: String) {
        self.id = id
        self.name = name
        self.englishName = englishName
    }
}

/// A patient of the demo.
public struct DemoPatient: Sendable, Hashable, Codable {
    /// Patient ID (0010,0020).
    public var patientID: String
    /// Patient's Name (0010,0010) as decoded: alphabetic=ideographic, as in "Zhang^San=张^三".
    public var dicomName: String
    /// The name in Chinese characters ("张三").
    public var chineseName: String
    /// The name in pinyin, given name last ("Zhang San").
    public var pinyinName: String
    /// Patient's Sex (0010,0040): "M" or "F".
    public var sex: String
    /// Patient's Birth Date (0010,0030), YYYYMMDD.
    public var birthDate: String
    /// Specific Character Set (0008,0005) of this patient's files: "GB18030" or "ISO_IR 192".
    public var specificCharacterSet: String

    /// Makes a patient.
    public init(patientID: String, dicomName: String, chineseName: String, pinyinName: String, sex: String, birthDate: String, specificCharacterSet: String) {
        self.patientID = patientID
        self.dicomName = dicomName
        self.chineseName = chineseName
        self.pinyinName = pinyinName
        self.sex = sex
        self.birthDate = birthDate
        self.specificCharacterSet = specificCharacterSet
    }
}

/// Where an exam stands.
public enum DemoExamStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ordered and scheduled: no images yet.
    case scheduled
    /// Images acquired, not reported yet.
    case imaging
    /// Images and a signed report.
    case report
}

/// The kind of visit an exam was ordered in.
public enum DemoVisitType: String, Sendable, Hashable, Codable, CaseIterable {
    /// 门诊
    case outpatient
    /// 住院
    case inpatient
    /// 急诊
    case emergency
    /// 体检
    case physicalExamination

    /// The Chinese label ("门诊").
    public var chineseLabel: String {
        switch self {
        case .outpatient: "门诊"
        case .inpatient: "住院"
        case .emergency: "急诊"
        case .physicalExamination: "体检"
        }
    }
}

/// One exam: an order with its accession number and, unless it is only scheduled, its study.
public struct DemoExam: Sendable, Hashable, Codable {
    /// Accession Number (0008,0050).
    public var accessionNumber: String
    /// The patient's Patient ID.
    public var patientID: String
    /// The hospital's `DemoHospital.id`.
    public var hospitalID: String
    /// The requesting clinical department, in Chinese ("呼吸内科"). Only here and on the report: image IODs have no
    /// attribute for it.
    public var requestingDepartment: String
    /// The same in English ("Respiratory Medicine").
    public var requestingDepartmentEnglish: String
    /// The performing department ("放射科"); in the files as Institutional Department Name (0008,1040).
    public var performingDepartment: String
    /// Referring Physician's Name (0008,0090) as decoded ("Sun^Li=孙^丽").
    public var referringPhysician: String
    /// The kind of visit.
    public var visitType: DemoVisitType
    /// Admission ID (0038,0010) for inpatients.
    public var admissionID: String?
    /// Where the exam stands.
    public var status: DemoExamStatus
    /// Modality (0008,0060): CT, MR, DX (what Chinese hospitals call DR) or CR.
    public var modality: String
    /// Body Part Examined (0018,0015): CHEST, HEAD, HAND, KNEE.
    public var bodyPart: String
    /// Study Description (0008,1030) ("胸部CT平扫 Chest CT").
    public var studyDescription: String
    /// Scheduled start, local time in China, as ISO 8601 with offset ("2026-11-02T09:30:00+08:00").
    public var scheduledAt: String
    /// Scheduled Procedure Step Start Date as DICOM DA (YYYYMMDD).
    public var scheduledDate: String
    /// Scheduled Procedure Step Start Time as DICOM TM (HHMMSS).
    public var scheduledTime: String
    /// Study Instance UID (0020,000D): assigned at ordering, so scheduled exams have one too.
    public var studyInstanceUID: String
    /// Study Date (0008,0020) of the acquired images; nil when scheduled.
    public var studyDate: String?
    /// Study Time (0008,0030); nil when scheduled.
    public var studyTime: String?
    /// The series written; empty when scheduled.
    public var series: [DemoSeries]
    /// The report; nil unless `status` is `.report`.
    public var report: DemoReport?

    /// Makes an exam.
    public init(accessionNumber: String, patientID: String, hospitalID: String, requestingDepartment: String, requestingDepartmentEnglish: String,
                performingDepartment: String, referringPhysician: String, visitType: DemoVisitType, admissionID: String?, status: DemoExamStatus,
                modality: String, bodyPart: String, studyDescription: String, scheduledAt: String, scheduledDate: String, scheduledTime: String,
                studyInstanceUID: String, studyDate: String?, studyTime: String?, series: [DemoSeries], report: DemoReport?) {
        self.accessionNumber = accessionNumber
        self.patientID = patientID
        self.hospitalID = hospitalID
        self.requestingDepartment = requestingDepartment
        self.requestingDepartmentEnglish = requestingDepartmentEnglish
        self.performingDepartment = performingDepartment
        self.referringPhysician = referringPhysician
        self.visitType = visitType
        self.admissionID = admissionID
        self.status = status
        self.modality = modality
        self.bodyPart = bodyPart
        self.studyDescription = studyDescription
        self.scheduledAt = scheduledAt
        self.scheduledDate = scheduledDate
        self.scheduledTime = scheduledTime
        self.studyInstanceUID = studyInstanceUID
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.series = series
        self.report = report
    }
}

/// One series of an imaged exam.
public struct DemoSeries: Sendable, Hashable, Codable {
    /// Series Instance UID (0020,000E).
    public var seriesInstanceUID: String
    /// Series Number (0020,0011).
    public var seriesNumber: Int
    /// Modality (0008,0060).
    public var modality: String
    /// Series Description (0008,103E).
    public var seriesDescription: String
    /// SOP Class UID of its instances.
    public var sopClassUID: String
    /// Transfer Syntax UID its files are written in.
    public var transferSyntaxUID: String
    /// The analytic content of its images.
    public var phantom: DemoPhantom
    /// The instances, by Instance Number; instance k holds phantom slice k − 1.
    public var instances: [DemoInstance]

    /// Makes a series.
    public init(seriesInstanceUID: String, seriesNumber: Int, modality: String, seriesDescription: String, sopClassUID: String,
                transferSyntaxUID: String, phantom: DemoPhantom, instances: [DemoInstance]) {
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.modality = modality
        self.seriesDescription = seriesDescription
        self.sopClassUID = sopClassUID
        self.transferSyntaxUID = transferSyntaxUID
        self.phantom = phantom
        self.instances = instances
    }
}

/// One DICOM file.
public struct DemoInstance: Sendable, Hashable, Codable {
    /// SOP Instance UID (0008,0018).
    public var sopInstanceUID: String
    /// Instance Number (0020,0013).
    public var instanceNumber: Int
    /// Path relative to the data folder ("dicom/DEMO0001/CT20261102001/1-CT/0001.dcm").
    public var path: String
    /// File size in bytes.
    public var byteCount: Int

    /// Makes an instance.
    public init(sopInstanceUID: String, instanceNumber: Int, path: String, byteCount: Int) {
        self.sopInstanceUID = sopInstanceUID
        self.instanceNumber = instanceNumber
        self.path = path
        self.byteCount = byteCount
    }
}

/// The signed report of an exam.
public struct DemoReport: Sendable, Hashable, Codable {
    /// The report's content, as the PDF shows it.
    public var content: ImagingReport
    /// Path of the PDF, relative to the data folder ("reports/CT20261102001.pdf").
    public var pdfPath: String
    /// Size of the PDF in bytes.
    public var pdfByteCount: Int
    /// The same PDF as an Encapsulated PDF DICOM instance (Modality DOC), for the exams that have one.
    public var encapsulatedPDF: DemoInstance?
    /// Series Instance UID of the encapsulated PDF's series, when there is one.
    public var encapsulatedPDFSeriesInstanceUID: String?

    /// Makes a report entry.
    public init(content: ImagingReport, pdfPath: String, pdfByteCount: Int, encapsulatedPDF: DemoInstance?, encapsulatedPDFSeriesInstanceUID: String?) {
        self.content = content
        self.pdfPath = pdfPath
        self.pdfByteCount = pdfByteCount
        self.encapsulatedPDF = encapsulatedPDF
        self.encapsulatedPDFSeriesInstanceUID = encapsulatedPDFSeriesInstanceUID
    }
}

/// How far generation has come, reported after each file.
public struct DemoProgress: Sendable, Hashable {
    /// Files written so far (DICOM files and PDFs).
    public var completedFiles: Int
    /// Files to write in all.
    public var totalFiles: Int
    /// The path just written, relative to the data folder.
    public var lastPath: String

    /// Makes a progress report.
    public init(completedFiles: Int, totalFiles: Int, lastPath: String) {
        self.completedFiles = completedFiles
        self.totalFiles = totalFiles
        self.lastPath = lastPath
    }

    /// completedFiles / totalFiles, from 0 to 1.
    public var fraction: Double { totalFiles == 0 ? 1 : Double(completedFiles) / Double(totalFiles) }
}
