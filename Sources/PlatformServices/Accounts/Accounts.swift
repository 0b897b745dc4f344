/// Whether an account may log in.
public enum AccountStatus: String, Sendable, Hashable, Codable {
    case active, deactivated, closed
}

/// A user account as administrators and the user see it (never the password hash).
public struct UserAccount: Sendable, Hashable, Codable {
    public var id: String
    public var username: String
    public var name: String
    public var phone: String
    public var hospitalId: String?
    public var department: String
    public var title: String
    public var roles: [Role]
    /// Which exams the user sees: `all`, `hospital:ID`, `department:ID:NAME`, `patient:KEY`.
    public var scope: String
    public var status: AccountStatus
    /// Set after an administrator's reset: every other call fails until the password is changed.
    public var mustChangePassword: Bool
    public var createdAt: Int64

    /// The parsed scope (`.all` when malformed would be unsafe: a malformed scope sees nothing).
    public var accessScope: AccessScope { AccessScope(stored: scope) ?? .study("") }
}

/// Registration states.
public enum RegistrationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, approved, rejected
}

/// A doctor's self-registration as submitted.
public struct RegistrationRequest: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String
    public var hospitalId: String
    public var department: String
    public var title: String
    public var username: String
    public var password: String

    public init(name: String, phone: String, hospitalId: String, department: String, title: String, username: String, password: String) {
        self.name = name
        self.phone = phone
        self.hospitalId = hospitalId
        self.department = department
        self.title = title
        self.username = username
        self.password = password
    }
}

/// A registration as administrators review it.
public struct Registration: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var phone: String
    public var hospitalId: String
    public var department: String
    public var title: String
    public var username: String
    public var status: RegistrationStatus
    public var reason: String
    public var createdAt: Int64
    public var decidedAt: Int64?
    /// The account made on approval.
    public var userId: String?
}
