import Crypto
import DicomCore
import Foundation
import SQLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PlatformStore {
    /// The largest object ingest accepts (a 2 GiB multi-frame is beyond what the viewer can show anyway).
    public static let maximumObjectSize = 1 << 31

    /// Ingests one DICOM object held in memory (an upload): reads its header once, keeps the original bytes, indexes
    /// it, and moves the exam's status forward. A SOP Instance UID already stored is a duplicate: the original stays.
    /// With `audit`, the `instance.ingest` audit event is written too (in the index transaction when it is stored).
    public func ingest(bytes: [UInt8], source: String, audit: IngestAudit? = nil) async throws -> IngestOutcome {
        guard bytes.count <= Self.maximumObjectSize else { throw PlatformError(.tooLarge, "object is larger than \(Self.maximumObjectSize) bytes") }
        // The sender waits for our answer, so three things run at once: the file is written and flushed under a key of
        // its own (a device flush, about 1 ms here), its digest computed (about 0.3 ms for a CT slice), and its header
        // read and indexed. The index transaction commits only once the file is durable (see `index`).
        let blobs = self.blobs
        let key = Self.newStorageKey()
        let storing = Task { try await blobs.putNew(key, bytes: bytes) }
        let digest = Task { Self.sha256Hex(bytes) }
        do {
            let entry: IndexEntry
            do {
                entry = try IndexEntry(file: try DicomFile(bytes: bytes, options: .headerOnly))
            } catch let error as PlatformError {
                throw error
            } catch {
                throw PlatformError(.invalidDicom, "not a readable DICOM object: \(error)")
            }
            let outcome = try await index(entry, storageKey: key, size: Int64(bytes.count), sha256: { await digest.value },
                                          source: source, original: bytes, audit: audit) { try await storing.value }
            // A duplicate's copy goes again; a failed `putNew` has removed its own.
            if outcome.kind == .duplicate, (try? await storing.value) != nil { try? await blobs.delete(key) }
            return outcome
        } catch {
            if (try? await storing.value) != nil { try? await blobs.delete(key) }
            throw error
        }
    }

    /// Ingests a DICOM file on local disk (Storage SCP, `mi-cli import`). With `move`, the file is moved into the
    /// blob store instead of copied; when the object is then refused (a report without its document) or indexing
    /// fails, the file is put back where it was, and when another copy of it was stored meanwhile, this one goes.
    public func ingest(fileAt path: String, source: String, move: Bool = false, audit: IngestAudit? = nil) async throws -> IngestOutcome {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw PlatformError(.notFound, "cannot read \(path)")
        }
        guard move else { return try await ingest(bytes: bytes, source: source, audit: audit) }
        let file: DicomFile
        do { file = try DicomFile(bytes: bytes, options: .headerOnly) } catch {
            throw PlatformError(.invalidDicom, "not a readable DICOM object: \(error)")
        }
        let entry = try IndexEntry(file: file)
        if try await instanceExists(entry.sopInstanceUID) { return await duplicate(entry, audit: audit) }
        let key = Self.newStorageKey()
        async let digest = Self.sha256Hex(bytes)
        try await blobs.put(key, movingFileAt: URL(fileURLWithPath: path))
        let sha256 = await digest
        do {
            let outcome = try await index(entry, storageKey: key, size: Int64(bytes.count), sha256: { sha256 }, source: source,
                                          original: bytes, audit: audit)
            // Stored by another ingest between the check above and the index transaction: that copy is kept.
            if outcome.kind == .duplicate { try? await blobs.delete(key) }
            return outcome
        } catch {
            // Not indexed: the caller's file must not be lost with it. It goes back (the bytes read above, written to a
            // temporary name and renamed, so the path holds the whole file or none), then the stored copy goes.
            let temporary = path + ".mi-restore-" + UUID().uuidString
            if (try? Data(bytes).write(to: URL(fileURLWithPath: temporary))) != nil, rename(temporary, path) == 0 {
                try? await blobs.delete(key)
            } else {
                unlink(temporary)
            }
            throw error
        }
    }

    /// SHA-256 in lower-case hex.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Where a new object goes: a folder per day of arrival (UTC) and a name no other object has, so it can be written
    /// in place before its header is read, and a duplicate removes only its own copy.
    static func newStorageKey(now: Date = Date()) -> String {
        var seconds = time_t(now.timeIntervalSince1970)
        var day = tm()
        gmtime_r(&seconds, &day)
        let folder = String(format: "dicom/%04d/%02d/%02d/", Int(day.tm_year) + 1900, Int(day.tm_mon) + 1, Int(day.tm_mday))
        return folder + UUID().uuidString.lowercased() + ".dcm"
    }

    private func outcome(_ entry: IndexEntry, _ kind: IngestOutcome.Kind) -> IngestOutcome {
        IngestOutcome(kind: kind, sopInstanceUID: entry.sopInstanceUID, studyInstanceUID: entry.studyInstanceUID,
                      seriesInstanceUID: entry.seriesInstanceUID, isReport: entry.reportKind != nil)
    }

    private func duplicate(_ entry: IndexEntry, audit: IngestAudit?) async -> IngestOutcome {
        if let audit {
            await self.audit(.instanceIngest, actor: audit.actor, actorID: audit.actorID, studyUID: entry.studyInstanceUID,
                             detail: "\(IngestOutcome.Kind.duplicate.rawValue) \(entry.sopInstanceUID)", clientIP: audit.clientIP)
        }
        return outcome(entry, .duplicate)
    }

    func instanceExists(_ sopUID: String) async throws -> Bool {
        try await database.read { db in try await db.raw("SELECT 1 AS x FROM instances WHERE sop_uid = \(bind: sopUID)").first() != nil }
    }

    /// Writes the index rows for a stored object, in one transaction. `beforeCommit` (waiting until the object is
    /// durable under `storageKey`) runs inside the transaction, last: the rows commit only after it succeeds, and are
    /// rolled back when it throws, so the index never points at an object that is not kept. A retried transaction
    /// runs it again, so it must give the same answer each time (awaiting a task's value does).
    private func index(_ entry: IndexEntry, storageKey: String, size: Int64, sha256: @escaping @Sendable () async -> String,
                       source: String, original: [UInt8], audit: IngestAudit?,
                       beforeCommit: (@Sendable () async throws -> Void)? = nil) async throws -> IngestOutcome {
        // A report object also becomes a report row with its document extracted (PDF) or its text (SR).
        var extracted: (contentType: String, text: String, document: [UInt8]?, title: String)?
        if let kind = entry.reportKind {
            let full: DicomFile
            do { full = try DicomFile(bytes: original) } catch { throw PlatformError(.invalidDicom, "report object is unreadable: \(error)") }
            switch kind {
            case .encapsulatedPDF:
                guard let slice = full.dataSet[Tag(0x0042, 0x0011)]?.bytes, !slice.isEmpty else {
                    throw PlatformError(.invalidDicom, "Encapsulated PDF without Encapsulated Document (0042,0011)")
                }
                var document = [UInt8](slice)
                if let end = Self.pdfEnd(document) { document.removeSubrange(end...) }
                extracted = ("application/pdf", "", document, full.dataSet.string(Tag(0x0042, 0x0010)) ?? "Report")
            case .structuredReport:
                extracted = ("text/plain", StructuredReportText.extract(full.dataSet), nil,
                          full.dataSet.string(.seriesDescription) ?? "Structured report")
            }
        }
        let report = extracted
        let reportID = UUID().uuidString.lowercased()
        if let document = report?.document { try await blobs.put("reports/\(reportID).pdf", bytes: document) }
        let metadataJSON = try entry.metadata.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } ?? ""
        let now = Clock.epochSeconds()
        let isImage = entry.reportKind == nil && !IndexEntry.nonImageModalities.contains(entry.modality)
        // Most objects join a study and series that exist (the 2nd to 300th slice): that path reads the study with a
        // duplicate check in one statement and needs no hospital, patient or modality work; five statements in all.
        // Two objects of a new study arriving at once both insert its row; on PostgreSQL the second transaction fails
        // with a unique violation and its retry finds the study (or the instance) the first one committed.
        let result: (status: StudyStatus, duplicate: Bool) = try await database.writeRetryingConflicts { db in
            var status: StudyStatus = isImage ? .imaging : (report != nil ? .report : .imaging)
            var modalities: [String]?
            let study = try await db.raw("""
                SELECT status, modalities, CASE WHEN EXISTS (SELECT 1 FROM instances WHERE sop_uid = \(bind: entry.sopInstanceUID))
                  THEN 1 ELSE 0 END AS duplicate
                FROM studies WHERE study_uid = \(bind: entry.studyInstanceUID)
                """).first()
            if let study {
                if try study.decode(column: "duplicate", as: Int.self) != 0 { return (.imaging, true) }
                let current = StudyStatus(rawValue: try study.decode(column: "status", as: String.self)) ?? .imaging
                status = current.advanced(to: status)
                modalities = (try study.decode(column: "modalities", as: String.self)).split(separator: "\\").map(String.init)
            } else {
                // The first object of a study (the instance may still be a duplicate filed under another study).
                if try await db.raw("SELECT 1 AS x FROM instances WHERE sop_uid = \(bind: entry.sopInstanceUID)").first() != nil {
                    return (.imaging, true)
                }
                let hospitalID = try await hospitalID(forInstitution: entry.institution, in: db)
                let patientKey = "\(hospitalID)/\(entry.patientID)"
                let displayName = PatientNameFormatting.display(entry.patientNameRaw)
                let searchKey = PatientNameFormatting.searchKey(entry.patientNameRaw)
                // The patient's demographics as of the newest study's first object.
                try await db.raw("""
                    INSERT INTO patients (key, hospital_id, patient_id, name, name_search, birth_date, sex, created_at)
                    VALUES (\(bind: patientKey), \(bind: hospitalID), \(bind: entry.patientID), \(bind: displayName), \(bind: searchKey),
                            \(bind: entry.patientBirthDate), \(bind: entry.patientSex), \(bind: now))
                    ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_search = excluded.name_search,
                      birth_date = CASE WHEN excluded.birth_date <> '' THEN excluded.birth_date ELSE patients.birth_date END,
                      sex = CASE WHEN excluded.sex <> '' THEN excluded.sex ELSE patients.sex END
                    """).run()
                // An order from the RIS waits under its accession number with a placeholder UID: the images take it over.
                let order = entry.accessionNumber.isEmpty ? nil : try await db.raw("""
                    SELECT study_uid, visit_type, department, scheduled_at, description FROM studies
                    WHERE accession_number = \(bind: entry.accessionNumber) AND hospital_id = \(bind: hospitalID)
                      AND instance_count = 0 AND series_count = 0 LIMIT 1
                    """).first()
                let department = entry.department.isEmpty ? (try order?.decode(column: "department", as: String.self) ?? "") : entry.department
                let description = entry.studyDescription.isEmpty ? (try order?.decode(column: "description", as: String.self) ?? "") : entry.studyDescription
                try await db.raw("""
                    INSERT INTO studies (study_uid, patient_key, hospital_id, accession_number, study_date, study_time, modality,
                      modalities, description, referring_physician, department, visit_type, status, patient_name, name_search,
                      patient_id, patient_sex, patient_birth_date, institution, body_part, scheduled_at, created_at, updated_at)
                    VALUES (\(bind: entry.studyInstanceUID), \(bind: patientKey), \(bind: hospitalID), \(bind: entry.accessionNumber),
                      \(bind: entry.studyDate), \(bind: entry.studyTime), \(bind: isImage ? entry.modality : ""), '',
                      \(bind: description), \(bind: entry.referringPhysician), \(bind: department),
                      \(bind: try order?.decode(column: "visit_type", as: String.self) ?? ""), \(bind: StudyStatus.scheduled.rawValue),
                      \(bind: displayName), \(bind: searchKey), \(bind: entry.patientID), \(bind: entry.patientSex),
                      \(bind: entry.patientBirthDate), \(bind: entry.institution), \(bind: entry.bodyPart),
                      \(bind: try order?.decode(column: "scheduled_at", as: Int64?.self)), \(bind: now), \(bind: now))
                    """).run()
                if let order {
                    let placeholder = try order.decode(column: "study_uid", as: String.self)
                    try await db.raw("UPDATE reports SET study_uid = \(bind: entry.studyInstanceUID) WHERE study_uid = \(bind: placeholder)").run()
                    try await Self.moveStudyReferences(from: placeholder, to: entry.studyInstanceUID, in: db)
                    if try await db.raw("SELECT 1 AS x FROM reports WHERE study_uid = \(bind: entry.studyInstanceUID)").first() != nil {
                        status = .report
                    }
                    try await db.raw("DELETE FROM studies WHERE study_uid = \(bind: placeholder)").run()
                }
            }
            // The series row counts its instances; a count of 1 means this object opened it.
            let seriesCount = try await db.raw("""
                INSERT INTO series (series_uid, study_uid, modality, series_number, description, body_part, instance_count, created_at)
                VALUES (\(bind: entry.seriesInstanceUID), \(bind: entry.studyInstanceUID), \(bind: entry.modality),
                  \(bind: entry.seriesNumber), \(bind: entry.seriesDescription), \(bind: entry.bodyPart), 1, \(bind: now))
                ON CONFLICT (series_uid) DO UPDATE SET instance_count = series.instance_count + 1
                RETURNING instance_count
                """).first()?.decode(column: "instance_count", as: Int.self) ?? 1
            try await db.raw("""
                INSERT INTO instances (sop_uid, series_uid, study_uid, sop_class_uid, instance_number, frame_count, transfer_syntax,
                  storage_key, size, sha256, metadata, created_at)
                VALUES (\(bind: entry.sopInstanceUID), \(bind: entry.seriesInstanceUID), \(bind: entry.studyInstanceUID),
                  \(bind: entry.sopClassUID), \(bind: entry.instanceNumber), \(bind: entry.frameCount), \(bind: entry.transferSyntaxUID),
                  \(bind: storageKey), \(bind: size), \(bind: await sha256()), \(bind: metadataJSON), \(bind: now))
                """).run()
            if modalities == nil || seriesCount == 1 {
                // Modalities in the study, imaging ones first: they change only when a series opens.
                modalities = try await db.raw("SELECT DISTINCT modality FROM series WHERE study_uid = \(bind: entry.studyInstanceUID)").all()
                    .map { try $0.decode(column: "modality", as: String.self) }.filter { !$0.isEmpty }.sorted {
                        (IndexEntry.nonImageModalities.contains($0) ? 1 : 0, $0) < (IndexEntry.nonImageModalities.contains($1) ? 1 : 0, $1)
                    }
            }
            if let report {
                try await db.raw("""
                    INSERT INTO reports (id, study_uid, title, content_type, storage_key, text, author, source, source_uid, created_at)
                    VALUES (\(bind: reportID), \(bind: entry.studyInstanceUID), \(bind: report.title), \(bind: report.contentType),
                      \(bind: report.document == nil ? nil : "reports/\(reportID).pdf"), \(bind: report.text), '', \(bind: source),
                      \(bind: entry.sopInstanceUID), \(bind: now))
                    """).run()
            }
            try await db.raw("""
                UPDATE studies SET status = \(bind: status.rawValue),
                  series_count = (SELECT COUNT(*) FROM series WHERE study_uid = \(bind: entry.studyInstanceUID)),
                  instance_count = instance_count + 1,
                  modalities = \(bind: (modalities ?? []).joined(separator: "\\")),
                  modality = CASE WHEN modality = '' THEN \(bind: isImage ? entry.modality : "") ELSE modality END,
                  study_date = CASE WHEN study_date = '' THEN \(bind: entry.studyDate) ELSE study_date END,
                  study_time = CASE WHEN study_time = '' THEN \(bind: entry.studyTime) ELSE study_time END,
                  imaged_at = CASE WHEN imaged_at IS NULL AND \(bind: isImage) THEN \(bind: now) ELSE imaged_at END,
                  reported_at = CASE WHEN reported_at IS NULL AND \(bind: status == .report) THEN \(bind: now) ELSE reported_at END,
                  updated_at = \(bind: now)
                WHERE study_uid = \(bind: entry.studyInstanceUID)
                """).run()
            if let audit {
                // In the same transaction: an ingest and its audit row commit together, at the cost of one.
                try await db.raw(Self.auditInsert(.instanceIngest, actor: audit.actor, actorID: audit.actorID, studyUID: entry.studyInstanceUID,
                                                   detail: "\(IngestOutcome.Kind.stored.rawValue) \(entry.sopInstanceUID)",
                                                   clientIP: audit.clientIP, at: now)).run()
            }
            try await beforeCommit?()
            return (status, false)
        }
        if result.duplicate {
            return await duplicate(entry, audit: audit)
        }
        events.publish(.instanceStored(studyUID: entry.studyInstanceUID, sopInstanceUID: entry.sopInstanceUID))
        events.publish(.studyStatusChanged(studyUID: entry.studyInstanceUID, status: result.status))
        return outcome(entry, .stored)
    }

    /// Where a PDF ends (after the last `%%EOF`): DICOM pads the document to an even length.
    static func pdfEnd(_ bytes: [UInt8]) -> Int? {
        let marker = Array("%%EOF".utf8)
        guard bytes.count >= marker.count else { return nil }
        var i = bytes.count - marker.count
        while i >= 0 {
            if bytes[i] == marker[0], Array(bytes[i..<i + marker.count]) == marker {
                var end = i + marker.count
                while end < bytes.count, bytes[end] == 0x0D || bytes[end] == 0x0A { end += 1 }
                return end
            }
            i -= 1
        }
        return nil
    }
}
