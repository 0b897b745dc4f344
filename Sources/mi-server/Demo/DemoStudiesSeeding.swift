import Foundation
import Logging
import PlatformServices

/// Generates the sample studies (DICOM files and PDF reports) and brings them in the way a hospital's would come:
/// orders from the RIS first, then images through ingest, then reports (one as an Encapsulated PDF instance).
enum DemoStudiesSeeding {
    /// Seeds the catalog's hospitals, exams, images and reports; returns the catalog.
    static func seed(store: PlatformStore, folder: URL, logger: Logger) async throws -> DemoCatalog {
        let samples = folder.appendingPathComponent("samples")
        logger.info("generating sample studies in \(samples.path)")
        let catalog = try await Task.detached { () throws -> DemoCatalog in
            var lastDecile = -1
            return try DemoStudies.generate(into: samples) { progress in
                let decile = Int(progress.fraction * 10)
                if decile != lastDecile { lastDecile = decile; print("  generating sample studies: \(decile * 10)%") }
            }
        }.value
        for hospital in catalog.hospitals {
            try await store.upsertHospital(id: hospital.id, name: hospital.name, aliases: [hospital.englishName],
                                           departments: ["放射科", "心内科", "呼吸内科", "神经内科", "骨科", "急诊科", "体检中心"])
        }
        let isoFormatter = ISO8601DateFormatter()
        for exam in catalog.exams {
            let patient = catalog.patient(exam.patientID)
            let scheduled = isoFormatter.date(from: exam.scheduledAt).map { Int64($0.timeIntervalSince1970) } ?? Clock.epochSeconds()
            var order = ScheduledOrder(accessionNumber: exam.accessionNumber, patientId: exam.patientID, patientName: patient?.dicomName ?? "",
                                       patientBirthDate: patient.map { Self.isoDate($0.birthDate) } ?? "", patientSex: patient?.sex ?? "",
                                       modality: exam.modality, scheduledAt: scheduled, description: exam.studyDescription,
                                       department: exam.performingDepartment, visitType: Self.visitType(exam.visitType), hospitalId: exam.hospitalID,
                                       studyInstanceUID: nil)
            order.localDate = exam.scheduledDate.count == 10 ? exam.scheduledDate : Self.isoDate(exam.scheduledDate)
            order.localTime = exam.scheduledTime.count == 8 ? exam.scheduledTime : Self.isoTime(exam.scheduledTime)
            try await store.scheduleOrder(order)
        }
        let paths = catalog.imagePaths
        var done = 0
        for path in paths {
            _ = try await store.ingest(fileAt: samples.appendingPathComponent(path).path, source: "demo", move: true)
            done += 1
            if done % 60 == 0 || done == paths.count { print("  indexing sample images: \(done)/\(paths.count)") }
        }
        for exam in catalog.exams {
            guard let report = exam.report else { continue }
            if let encapsulated = report.encapsulatedPDF {
                _ = try await store.ingest(fileAt: samples.appendingPathComponent(encapsulated.path).path, source: "demo", move: true)
            } else {
                let pdf = try [UInt8](Data(contentsOf: samples.appendingPathComponent(report.pdfPath)))
                try await store.attachReport(studyUID: exam.studyInstanceUID, pdf: pdf, text: (report.content.findings + report.content.impression).joined(separator: "\n"),
                                             title: "影像诊断报告", author: report.content.reportingPhysician, source: "demo")
            }
        }
        return catalog
    }

    static func visitType(_ type: DemoVisitType) -> VisitType {
        switch type {
        case .outpatient: .outpatient
        case .inpatient: .inpatient
        case .emergency: .emergency
        case .physicalExamination: .checkup
        }
    }

    static func isoDate(_ da: String) -> String {
        let d = Array(da.filter(\.isNumber))
        return d.count == 8 ? "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))" : da
    }

    static func isoTime(_ tm: String) -> String {
        let d = Array(tm.filter(\.isNumber))
        return d.count >= 6 ? "\(String(d[0..<2])):\(String(d[2..<4])):\(String(d[4..<6]))" : tm
    }
}
