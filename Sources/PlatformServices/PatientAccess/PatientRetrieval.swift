/// What a patient types on the manual retrieval page: name, hospital, exam number (accession number or Patient ID)
/// and exam date. Matched exactly after normalisation (`PatientTextMatching`).
public struct PatientRetrievalRequest: Sendable, Hashable, Codable {
    public var name: String
    public var hospitalId: String
    /// The accession number or the Patient ID.
    public var examNumber: String
    /// `YYYY-MM-DD` or `YYYYMMDD`.
    public var examDate: String

    public init(name: String, hospitalId: String, examNumber: String, examDate: String) {
        self.name = name
        self.hospitalId = hospitalId
        self.examNumber = examNumber
        self.examDate = examDate
    }
}

/// A patient let in (the link's second factor was right, or manual retrieval found the exam): the patient session
/// and the exam it opened on.
public struct PatientEntry: Sendable, Hashable, Codable {
    public var session: PatientSession
    public var exam: PatientExamView
}
