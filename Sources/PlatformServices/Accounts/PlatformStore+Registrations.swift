import Foundation
import SQLKit

extension PlatformStore {
    private static let registrationColumns = """
        id, name, phone, hospital_id, department, title, username, status, reason, created_at, decided_at, user_id
        """

    private static func decodeRegistration(_ row: any SQLRow) throws -> Registration {
        Registration(id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
                     phone: try row.decode(column: "phone", as: String.self), hospitalId: try row.decode(column: "hospital_id", as: String.self),
                     department: try row.decode(column: "department", as: String.self), title: try row.decode(column: "title", as: String.self),
                     username: try row.decode(column: "username", as: String.self),
                     status: RegistrationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                     reason: try row.decode(column: "reason", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                     decidedAt: try row.decode(column: "decided_at", as: Int64?.self), userId: try row.decode(column: "user_id", as: String?.self))
    }

    /// Records a doctor's self-registration as pending. Every field is checked; errors name the field.
    public func register(_ request: RegistrationRequest) async throws -> Registration {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64 else { throw PlatformError.invalid("name", "name is required (at most 64 characters)") }
        try Self.validate(phone: request.phone)
        guard !request.title.trimmingCharacters(in: .whitespaces).isEmpty else { throw PlatformError.invalid("title", "title is required") }
        guard !request.department.trimmingCharacters(in: .whitespaces).isEmpty else { throw PlatformError.invalid("department", "department is required") }
        try Self.validate(username: request.username)
        try await securityPolicy().validate(password: request.password)
        let hospitals = try await hospitals()
        guard let hospital = hospitals.first(where: { $0.id == request.hospitalId }) else {
            throw PlatformError.invalid("hospitalId", "unknown hospital")
        }
        guard hospital.departments.isEmpty || hospital.departments.contains(request.department) else {
            throw PlatformError.invalid("department", "unknown department of \(hospital.name)")
        }
        let hash = await hasher.hash(request.password)
        let id = UUID().uuidString.lowercased()
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await Self.ensureUsernameFree(request.username, db: db)
            try await db.raw("""
                INSERT INTO registrations (id, username, password_hash, name, phone, hospital_id, department, title, status, created_at)
                VALUES (\(bind: id), \(bind: request.username), \(bind: hash), \(bind: name), \(bind: request.phone),
                  \(bind: request.hospitalId), \(bind: request.department), \(bind: request.title), 'pending', \(bind: now))
                """).run()
        }
        return try await registration(id)
    }

    /// One registration.
    public func registration(_ id: String) async throws -> Registration {
        let row = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.registrationColumns) FROM registrations WHERE id = \(bind: id)").first()
        }
        guard let row else { throw PlatformError(.notFound, "no registration \(id)") }
        return try Self.decodeRegistration(row)
    }

    /// Registrations, oldest first, optionally only one status.
    public func registrations(status: RegistrationStatus?) async throws -> [Registration] {
        try await database.read { db in
            let condition: SQLQueryString = status.map { "status = \(bind: $0.rawValue)" } ?? "1 = 1"
            return try await db.raw("SELECT \(unsafeRaw: Self.registrationColumns) FROM registrations WHERE " + condition + " ORDER BY created_at, id")
                .all().map(Self.decodeRegistration)
        }
    }

    /// Approves a pending registration: makes the account (role `doctor` scoped to the registered hospital unless
    /// told otherwise) with the password the doctor chose.
    public func approveRegistration(_ id: String, roles: [Role]? = nil, scope: AccessScope? = nil, decidedBy: String) async throws -> (Registration, UserAccount) {
        let userID = UUID().uuidString.lowercased()
        let now = Clock.epochSeconds()
        try await database.write { db in
            guard let row = try await db.raw("SELECT * FROM registrations WHERE id = \(bind: id)").first() else {
                throw PlatformError(.notFound, "no registration \(id)")
            }
            guard try row.decode(column: "status", as: String.self) == "pending" else { throw PlatformError(.conflict, "registration was already decided") }
            let username = try row.decode(column: "username", as: String.self)
            if try await db.raw("SELECT 1 AS x FROM users WHERE lower(username) = lower(\(bind: username))").first() != nil {
                throw PlatformError(.conflict, "username is taken")
            }
            let hospitalID = try row.decode(column: "hospital_id", as: String.self)
            let grantedRoles = roles ?? [.doctor]
            let grantedScope = scope ?? .hospital(hospitalID)
            try await db.raw("""
                INSERT INTO users (id, username, password_hash, name, phone, hospital_id, department, title, roles, scope, status,
                  created_at, updated_at)
                VALUES (\(bind: userID), \(bind: username), \(bind: try row.decode(column: "password_hash", as: String.self)),
                  \(bind: try row.decode(column: "name", as: String.self)), \(bind: try row.decode(column: "phone", as: String.self)),
                  \(bind: hospitalID), \(bind: try row.decode(column: "department", as: String.self)),
                  \(bind: try row.decode(column: "title", as: String.self)), \(bind: grantedRoles.map(\.rawValue).joined(separator: ",")),
                  \(bind: grantedScope.stored), 'active', \(bind: now), \(bind: now))
                """).run()
            try await db.raw("""
                UPDATE registrations SET status = 'approved', decided_at = \(bind: now), decided_by = \(bind: decidedBy),
                  user_id = \(bind: userID) WHERE id = \(bind: id)
                """).run()
        }
        return (try await registration(id), try await user(id: userID))
    }

    /// Rejects a pending registration with a reason the applicant sees at their next login attempt.
    /// The reason is required: a rejection without one leaves the applicant guessing.
    public func rejectRegistration(_ id: String, reason: String, decidedBy: String) async throws -> Registration {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else {
            throw PlatformError.invalid("reason", "a rejection needs a reason (at most 500 characters): the applicant reads it at their next sign-in")
        }
        let now = Clock.epochSeconds()
        try await database.write { db in
            guard let row = try await db.raw("SELECT status FROM registrations WHERE id = \(bind: id)").first() else {
                throw PlatformError(.notFound, "no registration \(id)")
            }
            guard try row.decode(column: "status", as: String.self) == "pending" else { throw PlatformError(.conflict, "registration was already decided") }
            try await db.raw("""
                UPDATE registrations SET status = 'rejected', reason = \(bind: reason), decided_at = \(bind: now), decided_by = \(bind: decidedBy)
                WHERE id = \(bind: id)
                """).run()
        }
        return try await registration(id)
    }
}
