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
///     catalog.json                        the returned `DemoCatalog`, written last
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
    /// The catalog's file name in the data folder. Written last: when it exists, the folder is complete.
    public static let catalogFileName = "catalog.json"

    /// Writes the demo data under `folder` (created if missing; files already there are overwritten) and returns what
    /// was written. `progress` is called on the calling thread after each file.
    ///
    /// `catalog.json` is removed first and written last, so a folder with a catalog is a complete one: a server can
    /// seed when it is missing and read it back otherwise (`JSONDecoder().decode(DemoCatalog.self, from:)`).
    ///
    /// Two threads share the work: the chest CT, which is mostly file writing, on the calling thread, and the other
    /// exams, which are mostly pixel encoding, on a second one. Every file's bytes are the same whichever finishes
    /// first; only the order of progress reports varies.
    public static func generate(into folder: URL, progress: (DemoProgress) -> Void = { _ in }) throws(PlatformError) -> DemoCatalog {
        let jobs = DemoPlan.exams.enumerated().map { ExamJob(number: $0.offset + 1, plan: $0.element) }
        let totalFiles = jobs.reduce(0) { $0 + $1.fileCount }
        // A catalog left by an earlier run would claim a folder this run may not finish.
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(catalogFileName))
        // The two lanes write under these; below them, each patient's folders belong to one lane.
        for top in ["dicom", "reports"] {
            do {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(top), withIntermediateDirectories: true)
            } catch {
                throw PlatformError(.storageFailure, "cannot create \(folder.appendingPathComponent(top).path): \(error)")
            }
        }

        let relay = ProgressRelay(totalFiles: totalFiles)
        let here = jobs.filter { $0.plan.series.contains { $0.kind == .ct } }
        let there = jobs.filter { job in !here.contains { $0.number == job.number } }
        DispatchQueue.global(qos: .userInitiated).async {
            relay.finish(Result { () throws(PlatformError) -> Lane in
                var output = DemoOutput(folder: folder)
                var exams: [Int: DemoExam] = [:]
                for job in there { exams[job.number] = try writeExam(job, output: &output, fileWritten: relay.post) }
                return Lane(exams: exams, bytes: output.bytesWritten)
            })
        }
        let local = Result { () throws(PlatformError) -> Lane in
            var output = DemoOutput(folder: folder)
            var exams: [Int: DemoExam] = [:]
            for job in here {
                exams[job.number] = try writeExam(job, output: &output) { path in
                    relay.post(path)
                    relay.report(to: progress)
                }
            }
            return Lane(exams: exams, bytes: output.bytesWritten)
        }
        // Wait for the other lane even when this one failed: no thread may go on writing after we return.
        let remote = relay.waitForBackground(reporting: progress)
        let lanes = [try local.get(), try remote.get()]
        let byNumber = lanes.reduce(into: [Int: DemoExam]()) { $0.merge($1.exams) { first, _ in first } }
        let exams = jobs.compactMap { byNumber[$0.number] }
        let catalog = DemoCatalog(hospitals: DemoPlan.hospitals, patients: DemoPlan.patients, exams: exams, totalBytes: lanes.reduce(0) { $0 + $1.bytes })

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let json = try encoder.encode(catalog)
            var output = DemoOutput(folder: folder)
            try output.write(Array(json), to: catalogFileName, atomically: true)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storageFailure, "cannot encode catalog.json: \(error)")
        }
        return catalog
    }

    /// One exam of the plan with its 1-based number (the counter in its UIDs).
    struct ExamJob: Sendable {
        var number: Int
        var plan: DemoPlan.Exam

        /// Files it writes: images, the PDF, the encapsulated PDF.
        var fileCount: Int {
            plan.series.reduce(0) { $0 + $1.phantom.slices } + (plan.report == nil ? 0 : 1) + (plan.report?.encapsulate == true ? 1 : 0)
        }
    }

    /// What one thread wrote: catalog entries by exam number, and bytes.
    struct Lane: Sendable {
        var exams: [Int: DemoExam]
        var bytes: Int
    }

    /// Writes one exam's images and report and returns its catalog entry.
    static func writeExam(_ job: ExamJob, output: inout DemoOutput, fileWritten: (String) -> Void) throws(PlatformError) -> DemoExam {
        let plan = job.plan
        guard let patient = DemoPlan.patients.first(where: { $0.patientID == plan.patientID }),
              let hospital = DemoPlan.hospitals.first(where: { $0.id == plan.hospitalID }) else {
            preconditionFailure("DemoPlan names an unknown patient or hospital in \(plan.accessionNumber)")
        }
        let builder = DemoDataSets(exam: plan, examNumber: job.number, patient: patient, hospital: hospital)
        var series: [DemoSeries] = []
        for seriesPlan in plan.series {
            series.append(try writeSeries(seriesPlan, builder: builder, output: &output, fileWritten: fileWritten))
        }
        var report: DemoReport?
        if let reportPlan = plan.report { report = try writeReport(reportPlan, builder: builder, output: &output, fileWritten: fileWritten) }
        let imaged = plan.status != .scheduled
        return DemoExam(
            accessionNumber: plan.accessionNumber, patientID: plan.patientID, hospitalID: plan.hospitalID,
            requestingDepartment: plan.requestingDepartment, requestingDepartmentEnglish: plan.requestingDepartmentEnglish,
            performingDepartment: plan.performingDepartment, referringPhysician: plan.referringPhysician, visitType: plan.visitType,
            admissionID: plan.admissionID, status: plan.status, modality: plan.modality, bodyPart: plan.bodyPart,
            studyDescription: plan.studyDescription, scheduledAt: isoDateTime(date: plan.date, time: plan.time),
            scheduledDate: plan.date, scheduledTime: plan.time, studyInstanceUID: DemoUIDs.study(exam: job.number),
            studyDate: imaged ? plan.date : nil, studyTime: imaged ? plan.time : nil, series: series, report: report)
    }

    /// Renders and writes every slice of a series.
    private static func writeSeries(_ plan: DemoPlan.Series, builder: DemoDataSets, output: inout DemoOutput,
                                    fileWritten: (String) -> Void) throws(PlatformError) -> DemoSeries {
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
            try output.write(bytes, to: path, fileWritten: fileWritten)
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
                                    fileWritten: (String) -> Void) throws(PlatformError) -> DemoReport {
        let content = imagingReport(plan, builder: builder)
        let pdf = PDFReportWriter().render(content)
        let accession = builder.exam.accessionNumber
        let pdfPath = "reports/\(accession).pdf"
        try output.write(pdf, to: pdfPath, fileWritten: fileWritten)
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
            try output.write(bytes, to: path, fileWritten: fileWritten)
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
    private static func dicom<T>(_ body: () throws(DicomError) -> T) throws(PlatformError) -> T {
        do {
            return try body()
        } catch {
            throw PlatformError(.invalidDicom, "\(error)")
        }
    }
}

/// Writes files under the data folder, counting bytes. One per thread.
struct DemoOutput {
    let folder: URL
    private(set) var bytesWritten = 0
    private var createdFolders: Set<String> = []

    init(folder: URL) {
        self.folder = folder
    }

    /// Writes `bytes` to `path` (relative, `/`-separated), counts it and says so to `fileWritten`.
    mutating func write(_ bytes: [UInt8], to path: String, fileWritten: (String) -> Void) throws(PlatformError) {
        try write(bytes, to: path)
        bytesWritten += bytes.count
        fileWritten(path)
    }

    /// Writes `bytes` to `path` (relative, `/`-separated), creating folders as needed, without counting it (the catalog).
    ///
    /// Through a file handle rather than `Data.write(to:options: .atomic)`, which took six times as long for the CT
    /// series (1.8 s against 0.3 s for 126 MB). Files are not written atomically: `catalog.json`, written last and
    /// atomically, is what says the folder is complete.
    mutating func write(_ bytes: [UInt8], to path: String, atomically: Bool = false) throws(PlatformError) {
        let url = folder.appendingPathComponent(path)
        let parent = url.deletingLastPathComponent()
        if !createdFolders.contains(parent.path) {
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                throw PlatformError(.storageFailure, "cannot create \(parent.path): \(error)")
            }
            createdFolders.insert(parent.path)
        }
        do {
            if atomically {
                try Data(bytes).write(to: url, options: .atomic)
                return
            }
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw PlatformError(.storageFailure, "cannot create \(url.path)")
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.write(contentsOf: bytes)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storageFailure, "cannot write \(url.path): \(error)")
        }
    }
}

/// Carries "file written" from both threads to progress reports on the calling thread, and the second thread's result back.
final class ProgressRelay: @unchecked Sendable {
    // Guards `pending` and `background`; `completed` is only touched on the calling thread.
    private let condition = NSCondition()
    private var pending: [String] = []
    private var background: Result<DemoStudies.Lane, PlatformError>?
    private var completed = 0
    private let totalFiles: Int

    init(totalFiles: Int) {
        self.totalFiles = totalFiles
    }

    /// A file was written (any thread).
    func post(_ path: String) {
        condition.lock()
        pending.append(path)
        condition.signal()
        condition.unlock()
    }

    /// The second thread is done (that thread).
    func finish(_ result: Result<DemoStudies.Lane, PlatformError>) {
        condition.lock()
        background = result
        condition.signal()
        condition.unlock()
    }

    /// Reports the files written since the last call (calling thread).
    func report(to progress: (DemoProgress) -> Void) {
        condition.lock()
        let paths = pending
        pending.removeAll()
        condition.unlock()
        deliver(paths, to: progress)
    }

    /// Reports files as they come until the second thread is done, then returns its result (calling thread).
    func waitForBackground(reporting progress: (DemoProgress) -> Void) -> Result<DemoStudies.Lane, PlatformError> {
        while true {
            condition.lock()
            while pending.isEmpty && background == nil { condition.wait() }
            let paths = pending
            pending.removeAll()
            let result = background
            condition.unlock()
            deliver(paths, to: progress)
            if let result { return result }
        }
    }

    private func deliver(_ paths: [String], to progress: (DemoProgress) -> Void) {
        for path in paths {
            completed += 1
            progress(DemoProgress(completedFiles: completed, totalFiles: totalFiles, lastPath: path))
        }
    }
}
