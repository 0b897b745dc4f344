/// A time-limited, read-only share of one exam: a link (and QR code) anyone can open without an account until it
/// ends or its owner revokes it, optionally behind a 4–6 digit access code.
public struct Share: Sendable, Hashable, Codable {
    public var id: String
    public var studyInstanceUID: String
    /// The share link's token (only for its owner: it is the secret in the link).
    public var token: String
    /// ISO 8601.
    public var createdAt: String
    /// ISO 8601: the moment the link stops working.
    public var expiresAt: String
    /// Epoch seconds of `expiresAt`.
    public var expiresAtEpoch: Int64
    public var requiresAccessCode: Bool
    /// How often the share was opened.
    public var viewCount: Int
    /// ISO 8601, when opened at least once.
    public var lastViewedAt: String?
    /// Whether it was revoked (revoked shares are never listed; this shows on the answer to a revocation).
    public var revoked: Bool

    /// Wrong access codes a share survives in its whole life; after that the code is locked for good and the owner
    /// makes a new share. With 5 tries per 15 minutes on top, guessing a 4-digit code succeeds with odds ≤ 0.2 %.
    public static let maximumCodeFailures = 20
    /// The shortest share: its end must be at least this far ahead.
    public static let minimumSeconds: Int64 = 60
}

/// What the owner asks for: the exam, the end (`expiresIn` seconds from now, or `expiresAt` epoch seconds) and an
/// optional access code.
public struct ShareRequest: Sendable, Hashable {
    public var studyInstanceUID: String
    public var expiresIn: Int64?
    public var expiresAt: Int64?
    public var accessCode: String?

    public init(studyInstanceUID: String, expiresIn: Int64? = nil, expiresAt: Int64? = nil, accessCode: String? = nil) {
        self.studyInstanceUID = studyInstanceUID
        self.expiresIn = expiresIn
        self.expiresAt = expiresAt
        self.accessCode = accessCode
    }
}

/// A share opened by its recipient: the exam (name masked), the share's end, and a share session to read the exam
/// with (`Authorization: Bearer accessToken`) until the share ends.
public struct OpenedShare: Sendable, Hashable, Codable {
    public var shareId: String
    public var expiresAt: String
    public var exam: PatientExamView
    public var accessToken: String
    public var tokenType = "Bearer"
    public var expiresIn: Int
}

/// Where a share link stands, for the public page: active (with or without a code), or gone.
public enum ShareLinkState: Sendable, Hashable {
    case active(requiresAccessCode: Bool)
    /// Expired, revoked, or never issued: the page says the link has expired.
    case gone
}
