/// One message of the short thread between a patient and the hospital's reading doctors about one exam.
public struct ConsultMessage: Sendable, Hashable, Codable {
    /// Which side wrote it.
    public enum Author: String, Sendable, Hashable, Codable, CaseIterable {
        case patient, doctor
    }

    public var id: String
    public var studyInstanceUID: String
    public var author: Author
    /// The doctor's name, or the patient's (as the index has it).
    public var authorName: String
    public var body: String
    /// ISO 8601.
    public var createdAt: String
    /// ISO 8601, when the other side has read it.
    public var readAt: String?

    /// The longest message, in characters.
    public static let maximumLength = 2000
}

/// An exam with messages the caller has not read yet (for a doctor: from the patient; for a patient: from doctors).
public struct UnreadConsult: Sendable, Hashable, Codable {
    public var studyInstanceUID: String
    public var patientName: String
    public var modality: String
    public var studyDate: String
    public var description: String
    public var unread: Int
    /// ISO 8601 of the newest unread message.
    public var lastMessageAt: String
}
