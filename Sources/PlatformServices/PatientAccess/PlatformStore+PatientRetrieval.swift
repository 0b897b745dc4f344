import Foundation
import SQLKit

extension PlatformStore {
    /// The one answer to every retrieval that finds nothing, whichever detail was wrong.
    public static let retrievalFailureMessage = "no exam matches these details; check them and try again"

    /// Manual retrieval: finds the exam whose hospital, date, exam number (accession number or Patient ID) and patient
    /// name all match exactly after normalisation, and starts a patient session for that patient at that hospital.
    /// Misses count per `clientKey` (the caller's address) toward `AttemptLimit.patientRetrieval`; every miss gives
    /// the same `notFound` with `retrievalFailureMessage`.
    public func retrievePatientExam(_ request: PatientRetrievalRequest, clientKey: String) async throws -> PatientEntry {
        let throttleKey = "retrieve:\(clientKey)"
        try await ensureNotThrottled(throttleKey)
        for (field, value) in [("name", request.name), ("hospitalId", request.hospitalId), ("examNumber", request.examNumber), ("examDate", request.examDate)]
        where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || value.count > 128 {
            throw PlatformError.invalid(field, "\(field) is required (at most 128 characters)")
        }
        guard let date = PatientTextMatching.compactDate(request.examDate) else {
            throw PlatformError.invalid("examDate", "give the exam date as YYYY-MM-DD")
        }
        let dashed = "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"
        let number = PatientTextMatching.identifier(request.examNumber)
        let hospitalId = request.hospitalId.trimmingCharacters(in: .whitespaces)
        let rows = try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.studyColumns), name_search, patient_key FROM studies
                WHERE hospital_id = \(bind: hospitalId) AND study_date IN (\(bind: dashed), \(bind: date))
                ORDER BY study_time DESC, created_at DESC
                """).all()
        }
        var found: (study: StudySummary, patientKey: String)?
        for row in rows {
            let study = try Self.decodeStudy(row)
            let numbers = [study.accessionNumber, study.patientId].map(PatientTextMatching.identifier).filter { !$0.isEmpty }
            guard numbers.contains(number),
                  PatientTextMatching.nameMatches(typed: request.name, displayName: study.patientName,
                                                  searchKey: try row.decode(column: "name_search", as: String.self)) else { continue }
            found = (study, try row.decode(column: "patient_key", as: String.self))
            break
        }
        guard let found else {
            try await recordFailedAttempt(throttleKey, limit: .patientRetrieval)
            throw PlatformError(.notFound, Self.retrievalFailureMessage)
        }
        let session = try await issuePatientSession(patientKey: found.patientKey, hospitalId: found.study.hospitalId,
                                                    studyUID: found.study.studyInstanceUID, linkId: nil)
        return PatientEntry(session: session, exam: try await patientExamView(found.study.studyInstanceUID))
    }
}
