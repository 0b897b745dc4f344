import Foundation
import SQLKit

extension PlatformStore {
    // MARK: Hospital setting

    /// The second factor a hospital asks of patients (`birthDate` unless changed).
    public func patientVerification(hospitalId: String) async throws -> PatientVerificationMethod {
        let value = try await database.read { db in
            try await db.raw("SELECT patient_verification FROM hospitals WHERE id = \(bind: hospitalId)").first()?
                .decode(column: "patient_verification", as: String.self)
        }
        guard let value else { throw PlatformError(.notFound, "no hospital \(hospitalId)") }
        return PatientVerificationMethod(rawValue: value) ?? .birthDate
    }

    /// Sets the second factor a hospital asks of patients.
    public func setPatientVerification(hospitalId: String, method: PatientVerificationMethod) async throws {
        let updated = try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM hospitals WHERE id = \(bind: hospitalId)").first() != nil else { return false }
            try await db.raw("UPDATE hospitals SET patient_verification = \(bind: method.rawValue) WHERE id = \(bind: hospitalId)").run()
            return true
        }
        guard updated else { throw PlatformError(.notFound, "no hospital \(hospitalId)") }
    }

    /// Records the patient's phone (the RIS may send it), for the `phoneLast4` second factor.
    public func setPatientPhone(patientKey: String, phone: String) async throws {
        try Self.validate(phone: phone)
        let updated = try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM patients WHERE key = \(bind: patientKey)").first() != nil else { return false }
            try await db.raw("UPDATE patients SET phone = \(bind: phone) WHERE key = \(bind: patientKey)").run()
            return true
        }
        guard updated else { throw PlatformError(.notFound, "no patient \(patientKey)") }
    }

    // MARK: Links

    /// Makes a new link to the exam with `studyUID`, or the newest exam with `accessionNumber` (within `hospitalId`
    /// when given). Every call makes a new token; each can be revoked on its own.
    public func createPatientLink(studyUID: String? = nil, accessionNumber: String? = nil, hospitalId: String? = nil,
                                  createdBy: String) async throws -> IssuedPatientLink {
        guard studyUID?.isEmpty == false || accessionNumber?.isEmpty == false else {
            throw PlatformError.invalid("accessionNumber", "give accessionNumber or studyInstanceUID")
        }
        let target: String? = try await database.read { db in
            if let studyUID, !studyUID.isEmpty {
                return try await db.raw("SELECT study_uid FROM studies WHERE study_uid = \(bind: studyUID)").first()?.decode(column: "study_uid", as: String.self)
            }
            guard let accessionNumber, !accessionNumber.isEmpty else { return nil }
            var hospital: SQLQueryString = ""
            if let hospitalId { hospital = "AND hospital_id = \(bind: hospitalId)" }
            return try await db.raw("SELECT study_uid FROM studies WHERE accession_number = \(bind: accessionNumber) "
                                    + hospital + " ORDER BY created_at DESC LIMIT 1").first()?.decode(column: "study_uid", as: String.self)
        }
        guard let target else { throw PlatformError(.notFound, "no exam with that accession number or study UID") }
        let token = SecureRandom.token()
        let link = PatientLink(id: UUID().uuidString.lowercased(), studyInstanceUID: target, createdBy: createdBy,
                               createdAt: Clock.epochSeconds(), revokedAt: nil, openCount: 0)
        try await database.write { db in
            try await db.raw("""
                INSERT INTO patient_links (id, token_hash, study_uid, created_by, created_at)
                VALUES (\(bind: link.id), \(bind: SecureRandom.digest(token)), \(bind: target), \(bind: createdBy), \(bind: link.createdAt))
                """).run()
        }
        return IssuedPatientLink(link: link, token: token)
    }

    private static func decodeLink(_ row: any SQLRow) throws -> PatientLink {
        PatientLink(id: try row.decode(column: "id", as: String.self), studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                    createdBy: try row.decode(column: "created_by", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                    revokedAt: try row.decode(column: "revoked_at", as: Int64?.self), openCount: try row.decode(column: "open_count", as: Int.self))
    }

    /// The link a token belongs to: `notFound` for a token we never issued, `gone` for a revoked link.
    public func patientLink(token: String) async throws -> PatientLink {
        let row = try await database.read { db in
            try await db.raw("SELECT * FROM patient_links WHERE token_hash = \(bind: SecureRandom.digest(token))").first()
        }
        guard let row else { throw PlatformError(.notFound, "this link is not valid") }
        let link = try Self.decodeLink(row)
        guard link.revokedAt == nil else { throw PlatformError(.gone, "this link has been withdrawn by the hospital") }
        return link
    }

    /// Opens a link: the exam with the name masked, and the second factor the hospital asks. Counts the opening.
    public func openPatientLink(token: String) async throws -> OpenedPatientLink {
        let link = try await patientLink(token: token)
        let exam = try await patientExamView(link.studyInstanceUID)
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("UPDATE patient_links SET open_count = open_count + 1, last_opened_at = \(bind: now) WHERE id = \(bind: link.id)").run()
        }
        return OpenedPatientLink(exam: exam, verification: try await patientVerification(hospitalId: exam.hospital.id))
    }

    /// The patient view of an exam `scope` may see (`.all` where the caller has proven their right to it otherwise).
    public func patientExamView(_ studyUID: String, scope: AccessScope = .all) async throws -> PatientExamView {
        let study = try await study(studyUID, scope: scope)
        let name = try await database.read { db in
            try await db.raw("SELECT name FROM hospitals WHERE id = \(bind: study.hospitalId)").first()?.decode(column: "name", as: String.self)
        }
        return PatientExamView(study, hospitalName: name ?? "")
    }

    /// The patient views of every exam `scope` may see, newest first (a patient's exams at one hospital; at most 200).
    public func patientExamViews(scope: AccessScope) async throws -> [PatientExamView] {
        var query = WorklistQuery()
        query.limit = 200
        let studies = try await worklist(query, scope: scope).items
        let names = Dictionary(uniqueKeysWithValues: try await hospitals().map { ($0.id, $0.name) })
        return studies.map { PatientExamView($0, hospitalName: names[$0.hospitalId] ?? "") }
    }

    /// Checks the second factor for a link and, when right, starts a patient session for that patient at that
    /// hospital. Wrong answers count toward a lockout of the link (`AttemptLimit.patientVerification`); the error
    /// never says which part was wrong.
    public func verifyPatientLink(token: String, birthDate: String?, phoneLast4: String?) async throws -> PatientEntry {
        let link = try await patientLink(token: token)
        let throttleKey = "link-verify:\(link.id)"
        try await ensureNotThrottled(throttleKey)
        let row = try await database.read { db in
            try await db.raw("""
                SELECT s.patient_key, s.hospital_id, s.patient_birth_date, p.phone, h.patient_verification
                FROM studies s JOIN patients p ON p.key = s.patient_key JOIN hospitals h ON h.id = s.hospital_id
                WHERE s.study_uid = \(bind: link.studyInstanceUID)
                """).first()
        }
        guard let row else { throw PlatformError(.notFound, "this link is not valid") }
        let method = PatientVerificationMethod(rawValue: try row.decode(column: "patient_verification", as: String.self)) ?? .birthDate
        let matches: Bool
        switch method {
        case .none:
            matches = true
        case .birthDate:
            guard let typed = birthDate else { throw PlatformError.invalid("birthDate", "give the birth date as YYYYMMDD") }
            let stored = PatientTextMatching.storedDate(try row.decode(column: "patient_birth_date", as: String.self))
            matches = stored.count == 8 && PatientTextMatching.compactDate(typed) == stored
        case .phoneLast4:
            guard let typed = phoneLast4 else { throw PlatformError.invalid("phoneLast4", "give the last four digits of your phone number") }
            let phone = (try row.decode(column: "phone", as: String.self)).filter { $0.isASCII && $0.isNumber }
            let digits = PatientTextMatching.identifier(typed)
            matches = phone.count >= 4 && digits.count == 4 && String(phone.suffix(4)) == digits
        }
        guard matches else {
            try await recordFailedAttempt(throttleKey, limit: .patientVerification)
            throw PlatformError(.unauthenticated, "the details do not match our records")
        }
        try await clearFailedAttempts(throttleKey)
        let session = try await issuePatientSession(patientKey: try row.decode(column: "patient_key", as: String.self),
                                                    hospitalId: try row.decode(column: "hospital_id", as: String.self),
                                                    studyUID: link.studyInstanceUID, linkId: link.id)
        return PatientEntry(session: session, exam: try await patientExamView(link.studyInstanceUID))
    }

    /// Withdraws a link: it answers `gone` from now on, and sessions started through it end.
    public func revokePatientLink(id: String) async throws {
        let now = Clock.epochSeconds()
        let found = try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM patient_links WHERE id = \(bind: id)").first() != nil else { return false }
            try await db.raw("UPDATE patient_links SET revoked_at = COALESCE(revoked_at, \(bind: now)) WHERE id = \(bind: id)").run()
            try await db.raw("UPDATE access_grants SET revoked_at = \(bind: now) WHERE link_id = \(bind: id) AND revoked_at IS NULL").run()
            return true
        }
        guard found else { throw PlatformError(.notFound, "no patient link \(id)") }
    }

    /// The links of an exam, newest first (for the hospital's systems).
    public func patientLinks(ofStudy uid: String) async throws -> [PatientLink] {
        try await database.read { db in
            try await db.raw("SELECT * FROM patient_links WHERE study_uid = \(bind: uid) ORDER BY created_at DESC, id").all().map(Self.decodeLink)
        }
    }
}
