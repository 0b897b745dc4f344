/// What happened to one object offered for ingest.
public struct IngestOutcome: Sendable, Hashable, Codable {
    /// Stored now, or already present (same SOP Instance UID: the original is kept, the new copy dropped).
    public enum Kind: String, Sendable, Hashable, Codable { case stored, duplicate }
    public var kind: Kind
    public var sopInstanceUID: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    /// The object is a report (Encapsulated PDF or Structured Report) and became one of the exam's reports.
    public var isReport: Bool
}

/// Who ingests an object, for the `instance.ingest` audit event that `PlatformStore.ingest` writes with it.
public struct IngestAudit: Sendable, Hashable {
    /// Username, client id or `dimse:AE`.
    public var actor: String
    public var actorID: String?
    public var clientIP: String

    public init(actor: String, actorID: String? = nil, clientIP: String = "") {
        self.actor = actor
        self.actorID = actorID
        self.clientIP = clientIP
    }
}
