import DicomCore
import Foundation

/// Generates the demo's sample data: five patients with Chinese names at two hospitals, eight exams in all three states
/// (reported, imaged, scheduled), their DICOM images and their PDF reports. Deterministic: every run writes the same
/// UIDs and the same bytes (`DemoUIDs`, `DemoPhantom`).
///
/// Layout under the data folder:
///
///     dicom/<PatientID>/<AccessionNumber>/<SeriesNumber>-<Modality>/<InstanceNumber, 4 digits>.dcm
///     reports/<AccessionNumber>.pdf
///     reports/<AccessionNumber>.dcm       the CT report as an Encapsulated PDF instance (Modality DOC)
///     catalog.json                        the returned `DemoCatalog`
///
/// | Exam | Patient (charset) | Status | Images | Transfer syntax |
/// | --- | --- | --- | --- | --- |
/// | CT20261102001 chest CT | 张三 (GB18030) | report | 240 × 512² `chestCT` | Explicit VR Little Endian |
/// | CT20261207001 chest CT | 张三 | scheduled | — | — |
/// | MR20261110001 brain MR T1 | 李四 (ISO_IR 192) | report | 24 × 256² `brainMRT1` | JPEG-LS Lossless |
/// | MR20261124001 brain MR T2 | 李四 | imaging | 24 × 256² `brainMRT2` | RLE Lossless |
/// | DX20261118001 chest DR | 王芳 (GB18030) | report | 2048² `chestDX`, MONOCHROME1 | JPEG Lossless SV1 |
/// | CR20261121001 right hand | 赵敏 (ISO_IR 192) | report | 1100 × 1400 `handCR` | JPEG 2000 Lossless |
/// | DX20261121002 chest DR | 赵敏 | imaging | 2048² `chestDX` | Deflated Explicit VR Little Endian |
/// | MR20261203001 left knee MR | 陈伟 (GB18030) | scheduled | — | — |
///
/// ```swift
/// let catalog = try DemoStudies.generate(into: dataFolder) { p in
///     print("\(p.completedFiles)/\(p.totalFiles) \(p.lastPath)")
/// }
/// ```
public enum DemoStudies {
    /// Writes the demo data under `folder` (created if missing; files already there are overwritten) and returns what
    /// was written. `progress` is called on the calling thread after each file.
    public static func generate(into folder: URL, progress: (DemoProgress) -> Void = { _ in }) throws(PlatformServicesError) -> DemoCatalog {
        let plans = DemoPlan.exams
        let totalFiles = plans.reduce(0) { count, exam in
            count + exam.series.reduce(0) { $0 + $1.phantom.slices } + (exam.report == nil ? 0 : 1) + (exam.report?.encapsulate == true ? 1 : 0)
        }
        var output = DemoOutput(folder: folder, totalFiles: totalFiles)
        var exams: [DemoExam] = []
        for (index, plan) in plans.enumerated() {
            guard let patient = DemoPlan.patients.first(where: { $0.patientID == plan.patientID }),
                  let hospital = DemoPlan.hospitals.first(where: { $0.id == plan.hospitalID }) else {
                preconditionFailure("DemoPlan names an unknown patient or hospital in \(plan.accessionNumber)")
            }
            let builder = DemoDataSets(exam: plan, examNumber: index + 1, patient: patient, hospital: hospital)
            var series: [DemoSeries] = []
            for seriesPlan in plan.series {
                series.append(try writeSeries(seriesPlan, builder: builder, output: &output, progress: progress))
            }
            let report = try plan.report.map { (r) throws(PlatformServicesError) in try writeReport(r, builder: builder, output: &output, progress: progress) }
            let imaged = plan.status != .scheduled
            exams.append(DemoExam(
                accessionNumber: plan.accessionNumber, patientID: plan.patientID, hospitalID: plan.hospitalID,
                requestingDepartment: plan.requestingDepartment, requestingDepartmentEnglish: plan.requestingDepartmentEnglish,
                performingDepartment: plan.performingDepartment, referringPhysician: plan.referringPhysician, visitType: plan.visitType,
                admissionID: plan.admissionID, status: plan.status, modality: plan.modality, bodyPart: plan.bodyPart,
                studyDescription: plan.studyDescription, scheduledAt: isoDateTime(date: plan.date, time: plan.time),
                scheduledDate: plan.date, scheduledTime: plan.time, studyInstanceUID: DemoUIDs.study(exam: index + 1),
                studyDate: imaged ? plan.date : nil, studyTime: imaged ? plan.time : nil, series: series, report: report))
        }
        let catalog = DemoCatalog(hospitals: DemoPlan.hospitals, patients: DemoPlan.patients, exams: exams, totalBytes: output.bytesWritten)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let json = try encoder.encode(catalog)
            try output.write(Array(json), to: "catalog.json")
        } catch let error as PlatformServicesError {
            throw error
        } catch {
            throw PlatformServicesError(.writeFile, "cannot encode catalog.json: \(error)")
        }
        return catalog
    }

    /// Renders and writes every slice of a series.
    private static func writeSeries(_ plan: DemoPlan.Series, builder: DemoDataSets, output: inout DemoOutput,
                                    progress: (DemoProgress) -> Void) throws(PlatformServicesError) -> DemoSeries {
        let exam = builder.exam
        let folder = "dicom/\(exam.patientID)/\(exam.accessionNumber)/\(plan.number)-\(exam.modality)"
        var instances: [DemoInstance] = []
        let base = try dicom { () throws(DicomError) in try builder.seriesAttributes(plan) }
        for slice in 0..<plan.phantom.slices {
            let pixels = plan.phantom.renderSlice(slice)
            let bytes = try dicom { () throws(DicomError) -> [UInt8] in
                let dataSet = try builder.instance(plan, base: base, slice: slice, pixels: pixels)
                var file = DicomFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian)
                if plan.syntax != file.transferSyntax { file = try file.transcoded(to: plan.syntax) }
                return try file.encoded()
            }
            let path = "\(folder)/\(fourDigits(slice + 1)).dcm"
            try output.write(bytes, to: path, progress: progress)
            instances.append(DemoInstance(sopInstanceUID: DemoUIDs.instance(exam: builder.examNumber, series: plan.number, instance: slice + 1),
                                          instanceNumber: slice + 1, path: path, byteCount: bytes.count))
        }
        return DemoSeries(seriesInstanceUID: DemoUIDs.series(exam: builder.examNumber, series: plan.number), seriesNumber: plan.number,
                          modality: exam.modality, seriesDescription: plan.description, sopClassUID: base.uid(.sopClassUID) ?? "",
                          transferSyntaxUID: plan.syntax.uid, phantom: plan.phantom, instances: instances)
    }

    /// Series Number of the Encapsulated PDF series: after any image series.
    static let reportSeriesNumber = 99

    /// Writes the report PDF, and for some exams the same PDF as an Encapsulated PDF instance.
    private static func writeReport(_ plan: DemoPlan.Report, builder: DemoDataSets, output: inout DemoOutput,
                                    progress: (DemoProgress) -> Void) throws(PlatformServicesError) -> DemoReport {
        let content = imagingReport(plan, builder: builder)
        let pdf = PDFReportWriter().render(content)
        let accession = builder.exam.accessionNumber
        let pdfPath = "reports/\(accession).pdf"
        try output.write(pdf, to: pdfPath, progress: progress)
        var encapsulated: DemoInstance?
        var seriesUID: String?
        if plan.encapsulate {
            let series = DemoUIDs.series(exam: builder.examNumber, series: reportSeriesNumber)
            let sop = DemoUIDs.instance(exam: builder.examNumber, series: reportSeriesNumber, instance: 1)
            let bytes = try dicom { () throws(DicomError) -> [UInt8] in
                let dataSet = try EncapsulatedPDF.dataSet(pdf: pdf, documentTitle: "影像诊断报告 Imaging Report", study: try builder.studyAttributes(),
                                                          seriesInstanceUID: series, seriesNumber: reportSeriesNumber, sopInstanceUID: sop,
                                                          contentDate: plan.date, contentTime: plan.time)
                return try DicomFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian).encoded()
            }
            let path = "reports/\(accession).dcm"
            try output.write(bytes, to: path, progress: progress)
            encapsulated = DemoInstance(sopInstanceUID: sop, instanceNumber: 1, path: path, byteCount: bytes.count)
            seriesUID = series
        }
        return DemoReport(content: content, pdfPath: pdfPath, pdfByteCount: pdf.count, encapsulatedPDF: encapsulated,
                          encapsulatedPDFSeriesInstanceUID: seriesUID)
    }

    /// The report's printed content, from the plan, the patient and the hospital.
    static func imagingReport(_ plan: DemoPlan.Report, builder: DemoDataSets) -> ImagingReport {
        let exam = builder.exam, patient = builder.patient
        func ideographic(_ pn: String) -> String { PersonName(pn).ideographic.components.joined() }
        return ImagingReport(
            hospitalName: builder.hospital.name, hospitalEnglishName: builder.hospital.englishName,
            patientName: patient.chineseName, patientNamePinyin: patient.pinyinName, sex: patient.sex,
            age: "\(DemoDataSets.age(birthDate: patient.birthDate, on: exam.date))岁", patientID: patient.patientID,
            accessionNumber: exam.accessionNumber, admissionID: exam.admissionID, modality: exam.modality, bodyPart: exam.bodyPartLabel,
            examDescription: exam.studyDescription, examDate: printedDateTime(date: exam.date, time: exam.time),
            visitType: "\(exam.visitType.chineseLabel) \(englishLabel(exam.visitType))", department: exam.requestingDepartment,
            referringPhysician: ideographic(exam.referringPhysician), findings: plan.findings, impression: plan.impression,
            reportingPhysician: ideographic(plan.reportingPhysician), reviewingPhysician: ideographic(plan.reviewingPhysician),
            reportDate: printedDateTime(date: plan.date, time: plan.time))
    }

    private static func englishLabel(_ visit: DemoVisitType) -> String {
        switch visit {
        case .outpatient: "Outpatient"
        case .inpatient: "Inpatient"
        case .emergency: "Emergency"
        case .physicalExamination: "Health check"
        }
    }

    /// DA + TM as "2026-11-02 09:30".
    static func printedDateTime(date: String, time: String) -> String {
        let d = Array(date), t = Array(time)
        return "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8])) \(String(t[0..<2])):\(String(t[2..<4]))"
    }

    /// DA + TM as ISO 8601 in China Standard Time, "2026-11-02T09:30:00+08:00".
    static func isoDateTime(date: String, time: String) -> String {
        let d = Array(date), t = Array(time)
        return "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(t[0..<2])):\(String(t[2..<4])):\(String(t[4..<6]))+08:00"
    }

    private static func fourDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// Runs a DicomCore step, naming a failure as this module's error.
    private static func dicom<T>(_ body: () throws(DicomError) -> T) throws(PlatformServicesError) -> T {
        do {
            return try body()
        } catch {
            throw PlatformServicesError(.encodeDicom, "\(error)")
        }
    }
}

/// Writes files under the data folder, counting files and bytes and reporting progress.
struct DemoOutput {
    let folder: URL
    let totalFiles: Int
    private(set) var filesWritten = 0
    private(set) var bytesWritten = 0
    private var createdFolders: Set<String> = []

    init(folder: URL, totalFiles: Int) {
        self.folder = folder
        self.totalFiles = totalFiles
    }

    /// Writes `bytes` to `path` (relative, `/`-separated), counts it and reports progress.
    mutating func write(_ bytes: [UInt8], to path: String, progress: (DemoProgress) -> Void) throws(PlatformServicesError) {
        try write(bytes, to: path)
        filesWritten += 1
        bytesWritten += bytes.count
        progress(DemoProgress(completedFiles: filesWritten, totalFiles: totalFiles, lastPath: path))
    }

    /// Writes `bytes` to `path` (relative, `/`-separated), creating folders as needed, without counting it (the catalog).
    mutating func write(_ bytes: [UInt8], to path: String) throws(PlatformServicesError) {
        let url = folder.appendingPathComponent(path)
        let parent = url.deletingLastPathComponent()
        if !createdFolders.contains(parent.path) {
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                throw PlatformServicesError(.createFolder, "cannot create \(parent.path): \(error)")
            }
            createdFolders.insert(parent.path)
        }
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw PlatformServicesError(.writeFile, "cannot write \(url.path): \(error)")
        }
    }
}
