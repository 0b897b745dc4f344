/// What a patient gets after proving who they are (a link's second factor, or manual retrieval): a short-lived
/// opaque bearer token for the API, scoped to their own exams at that hospital (`AccessScope.patient`).
public struct PatientSession: Sendable, Hashable, Codable {
    /// Send as `Authorization: Bearer …`. 256 random bits; the server keeps only its SHA-256.
    public var accessToken: String
    public var tokenType = "Bearer"
    /// Seconds until it stops working.
    public var expiresIn: Int
    /// ISO 8601.
    public var expiresAt: String
    /// The exam the patient came in through.
    public var studyInstanceUID: String
    public var hospitalId: String

    /// How long a patient session lasts: the patient verifies again after this.
    public static let lifetime: Int64 = 2 * 3600
}
