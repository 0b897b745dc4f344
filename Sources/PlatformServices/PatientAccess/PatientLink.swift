/// A link printed as a QR code on a film bag or report: bound to one exam, revocable, opened by the patient's phone.
/// The token in the link is 256 random bits; the server keeps its SHA-256 only.
public struct PatientLink: Sendable, Hashable, Codable {
    public var id: String
    public var studyInstanceUID: String
    /// The integration client (or user) that asked for it.
    public var createdBy: String
    public var createdAt: Int64
    public var revokedAt: Int64?
    /// How often it was opened.
    public var openCount: Int
}

/// A link as issued: the record and the token, shown once (it goes into the QR code).
public struct IssuedPatientLink: Sendable, Hashable {
    public var link: PatientLink
    public var token: String
}

/// What a patient types to prove the exam is theirs before images show, per hospital.
public enum PatientVerificationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Birth date as eight digits, `YYYYMMDD` (the demo's setting, and the default).
    case birthDate
    /// The last four digits of the phone number on file.
    case phoneLast4
    /// No second factor: holding the link is enough.
    case none
}

/// A patient link opened: the exam (name masked) and what to ask before showing images.
public struct OpenedPatientLink: Sendable, Hashable, Codable {
    public var exam: PatientExamView
    public var verification: PatientVerificationMethod
}
