/// A role a user or client holds. Permissions are checked against roles on every route.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case administrator, doctor, patient, integration
}

/// Which exams a principal may see.
public enum AccessScope: Sendable, Hashable {
    /// Every exam of every hospital.
    case all
    /// Exams of one hospital.
    case hospital(String)
    /// Exams of one department of one hospital.
    case department(hospitalId: String, department: String)
    /// Exams of one patient (a patient account, or a patient link after verification).
    case patient(patientKey: String)
    /// One exam only (a share link or a QR link).
    case study(String)

    /// The stored form: `all`, `hospital:ID`, `department:ID:NAME`, `patient:KEY`, `study:UID`.
    public var stored: String {
        switch self {
        case .all: return "all"
        case .hospital(let id): return "hospital:\(id)"
        case .department(let id, let name): return "department:\(id):\(name)"
        case .patient(let key): return "patient:\(key)"
        case .study(let uid): return "study:\(uid)"
        }
    }

    /// Parses the stored form; nil when malformed.
    public init?(stored: String) {
        let parts = stored.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("all", 1): self = .all
        case ("hospital", 2): self = .hospital(parts[1])
        case ("department", 3): self = .department(hospitalId: parts[1], department: parts[2])
        case ("patient", 2): self = .patient(patientKey: parts[1])
        case ("study", 2): self = .study(parts[1])
        default: return nil
        }
    }
}

/// Who is calling: a user (through a token issued to a client) or a client acting for itself.
public struct Principal: Sendable, Hashable {
    /// The user's id; nil for a client acting for itself (client credentials).
    public var userId: String?
    /// The username or, for a client, its client id (audit's "who").
    public var name: String
    public var roles: Set<Role>
    public var scope: AccessScope
    /// The OAuth client the token was issued to.
    public var clientId: String
    /// Scopes granted to the token.
    public var grantedScopes: Set<String>
    /// The user must change a reset password before anything else.
    public var mustChangePassword = false
    /// Set when the caller holds no account but a link: a verified patient link (patient session) or a share.
    public var link: LinkAccess?

    public init(userId: String?, name: String, roles: Set<Role>, scope: AccessScope, clientId: String, grantedScopes: Set<String> = []) {
        self.userId = userId
        self.name = name
        self.roles = roles
        self.scope = scope
        self.clientId = clientId
        self.grantedScopes = grantedScopes
    }

    /// Whether the principal holds any of `roles`.
    public func has(_ roles: Role...) -> Bool { !self.roles.isDisjoint(with: roles) }
}

/// How a caller without an account got in: through a patient link they verified (or manual retrieval), or a share.
public enum LinkAccess: Sendable, Hashable {
    /// A patient session: scope `.patient(patientKey:)`, role `patient`. `linkId` is nil after manual retrieval.
    case patientSession(patientKey: String, linkId: String?)
    /// A share: scope `.study(uid)`, no role; read-only access to one exam until the share ends.
    case share(id: String)
}
