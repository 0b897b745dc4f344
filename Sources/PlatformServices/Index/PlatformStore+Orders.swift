import Foundation
import SQLKit

/// A scheduled exam sent by the hospital's RIS, before any image exists.
public struct ScheduledOrder: Sendable, Hashable, Codable {
    public var accessionNumber: String
    public var patientId: String
    /// DICOM PN form (`Zhang^San=张^三`) or plain text.
    public var patientName: String
    /// YYYY-MM-DD or empty.
    public var patientBirthDate: String
    public var patientSex: String
    public var modality: String
    /// Epoch seconds.
    public var scheduledAt: Int64
    public var description: String
    public var department: String
    public var visitType: VisitType?
    /// Hospital id; the default hospital when nil.
    public var hospitalId: String?
    /// The Study Instance UID the RIS assigned, when it did; else a placeholder is made and images take it over.
    public var studyInstanceUID: String?
    /// The scheduled date and time as the hospital's clock reads them (YYYY-MM-DD, HH:MM:SS); from `scheduledAt`
    /// in the server's time zone when nil.
    public var localDate: String?
    public var localTime: String?

    public init(accessionNumber: String, patientId: String, patientName: String, patientBirthDate: String = "", patientSex: String = "",
                modality: String, scheduledAt: Int64, description: String = "", department: String = "", visitType: VisitType? = nil,
                hospitalId: String? = nil, studyInstanceUID: String? = nil) {
        self.accessionNumber = accessionNumber
        self.patientId = patientId
        self.patientName = patientName
        self.patientBirthDate = patientBirthDate
        self.patientSex = patientSex
        self.modality = modality
        self.scheduledAt = scheduledAt
        self.description = description
        self.department = department
        self.visitType = visitType
        self.hospitalId = hospitalId
        self.studyInstanceUID = studyInstanceUID
    }
}

extension PlatformStore {
    /// Records a scheduled exam (status `scheduled`). An accession number already known at that hospital updates it.
    @discardableResult
    public func scheduleOrder(_ order: ScheduledOrder) async throws -> StudySummary {
        guard !order.accessionNumber.isEmpty else { throw PlatformError.invalid("accessionNumber", "accessionNumber is required") }
        guard !order.patientId.isEmpty else { throw PlatformError.invalid("patientId", "patientId is required") }
        if let uid = order.studyInstanceUID, !IndexEntry.isValidUID(uid) { throw PlatformError.invalid("studyInstanceUID", "not a valid UID") }
        let now = Clock.epochSeconds()
        let uid: String = try await database.write { db in
            let hospitalID: String
            if let requested = order.hospitalId {
                guard try await db.raw("SELECT 1 AS x FROM hospitals WHERE id = \(bind: requested)").first() != nil else {
                    throw PlatformError.invalid("hospitalId", "unknown hospital")
                }
                hospitalID = requested
            } else {
                hospitalID = try await self.hospitalID(forInstitution: "", in: db)
            }
            let patientKey = "\(hospitalID)/\(order.patientId)"
            let display = PatientNameFormatting.display(order.patientName)
            let search = PatientNameFormatting.searchKey(order.patientName)
            try await db.raw("""
                INSERT INTO patients (key, hospital_id, patient_id, name, name_search, birth_date, sex, created_at)
                VALUES (\(bind: patientKey), \(bind: hospitalID), \(bind: order.patientId), \(bind: display), \(bind: search),
                  \(bind: order.patientBirthDate), \(bind: order.patientSex), \(bind: now))
                ON CONFLICT (key) DO NOTHING
                """).run()
            if let existing = try await db.raw("""
                SELECT study_uid FROM studies WHERE accession_number = \(bind: order.accessionNumber) AND hospital_id = \(bind: hospitalID)
                """).first() {
                let uid = try existing.decode(column: "study_uid", as: String.self)
                try await db.raw("""
                    UPDATE studies SET scheduled_at = \(bind: order.scheduledAt), description = \(bind: order.description),
                      department = \(bind: order.department), visit_type = \(bind: order.visitType?.rawValue ?? ""), updated_at = \(bind: now)
                    WHERE study_uid = \(bind: uid)
                    """).run()
                return uid
            }
            let uid = order.studyInstanceUID ?? UIDGenerator.make()
            // A UID the RIS chose may already be another exam's (another accession number or hospital).
            if order.studyInstanceUID != nil, try await db.raw("SELECT 1 AS x FROM studies WHERE study_uid = \(bind: uid)").first() != nil {
                throw PlatformError(.conflict, "studyInstanceUID \(uid) is already the UID of another exam", parameter: "studyInstanceUID")
            }
            let date = Date(timeIntervalSince1970: TimeInterval(order.scheduledAt))
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone.current
            let iso = formatter.string(from: date)   // yyyy-MM-ddTHH:mm:ss±hh:mm
            let localDate = order.localDate ?? String(iso.prefix(10)), localTime = order.localTime ?? String(iso.dropFirst(11).prefix(8))
            try await db.raw("""
                INSERT INTO studies (study_uid, patient_key, hospital_id, accession_number, study_date, study_time, modality, modalities,
                  description, department, visit_type, status, patient_name, name_search, patient_id, patient_sex, patient_birth_date,
                  institution, scheduled_at, created_at, updated_at)
                VALUES (\(bind: uid), \(bind: patientKey), \(bind: hospitalID), \(bind: order.accessionNumber),
                  \(bind: localDate), \(bind: localTime), \(bind: order.modality.uppercased()),
                  \(bind: order.modality.uppercased()), \(bind: order.description), \(bind: order.department),
                  \(bind: order.visitType?.rawValue ?? ""), 'scheduled', \(bind: display), \(bind: search), \(bind: order.patientId),
                  \(bind: order.patientSex), \(bind: order.patientBirthDate), '', \(bind: order.scheduledAt), \(bind: now), \(bind: now))
                """).run()
            return uid
        }
        return try await study(uid, scope: .all)
    }

    /// Sets the visit type of an exam (the RIS knows it; DICOM headers rarely say).
    public func setVisitType(_ visitType: VisitType, ofStudy uid: String) async throws {
        try await database.write { db in
            try await db.raw("UPDATE studies SET visit_type = \(bind: visitType.rawValue) WHERE study_uid = \(bind: uid)").run()
        }
    }
}

/// Makes UIDs under the 2.25 root (ISO/IEC 9834-8: a UUID as a decimal integer).
public enum UIDGenerator {
    /// A new random UID `2.25.<uuid as decimal>`.
    public static func make() -> String {
        let uuid = UUID().uuid
        let bytes = [uuid.0, uuid.1, uuid.2, uuid.3, uuid.4, uuid.5, uuid.6, uuid.7,
                     uuid.8, uuid.9, uuid.10, uuid.11, uuid.12, uuid.13, uuid.14, uuid.15]
        // 128-bit to decimal by repeated division.
        var digits: [UInt8] = []
        var number = bytes
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in number.indices {
                let value = remainder << 8 | Int(number[i])
                number[i] = UInt8(value / 10)
                remainder = value % 10
            }
            digits.append(UInt8(remainder))
        }
        return "2.25." + (digits.isEmpty ? "0" : String(digits.reversed().map { Character(String($0)) }))
    }
}
