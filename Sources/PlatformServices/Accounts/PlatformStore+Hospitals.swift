import Foundation
import SQLKit

/// Hospitals and their departments as administrators manage them: the sign-up form's pick lists, the scopes
/// (`hospital:ID`, `department:ID:NAME`) and the Institution Names that route ingested studies (aliases).
extension PlatformStore {
    /// One hospital with its aliases and departments.
    public func hospital(id: String) async throws -> Hospital {
        guard let hospital = try await hospitals().first(where: { $0.id == id }) else { throw PlatformError(.notFound, "no hospital \(id)") }
        return hospital
    }

    /// Creates a hospital. `id` is what scopes and URLs use (`demo-general`), so it is short and fixed: lower-case
    /// letters, digits, `-` and `_`. `aliases` are other Institution Names (0008,0080) its studies arrive with.
    public func createHospital(id: String, name: String, aliases: [String] = [], departments: [String] = []) async throws -> Hospital {
        guard (1...64).contains(id.count), id.utf8.allSatisfy({ c in (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F }) else {
            throw PlatformError.invalid("id", "id must be 1–64 lower-case letters, digits, '-' or '_'")
        }
        let name = try Self.hospitalName(name)
        let aliases = try Self.aliasList(aliases)
        let departments = try departments.map { try Self.departmentName($0) }
        guard Set(departments).count == departments.count else { throw PlatformError.invalid("departments", "a department is listed twice") }
        let now = Clock.epochSeconds()
        try await database.write { db in
            if try await db.raw("SELECT 1 AS x FROM hospitals WHERE id = \(bind: id)").first() != nil {
                throw PlatformError(.conflict, "a hospital with id \(id) exists")
            }
            try await Self.ensureNamesFree([name] + aliases, except: nil, db: db)
            let position = try await db.raw("SELECT COALESCE(MAX(position), -1) + 1 AS n FROM hospitals").first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw("""
                INSERT INTO hospitals (id, name, aliases, position, created_at)
                VALUES (\(bind: id), \(bind: name), \(bind: aliases.joined(separator: "\n")), \(bind: position), \(bind: now))
                """).run()
            for department in departments {
                try await db.raw("INSERT INTO departments (hospital_id, name) VALUES (\(bind: id), \(bind: department))").run()
            }
        }
        return try await hospital(id: id)
    }

    /// Gives a hospital a new name (its id, and so every scope naming it, stays).
    public func renameHospital(_ id: String, to name: String) async throws -> Hospital {
        try await changeHospital(id, HospitalChange(name: name)).hospital
    }

    /// Replaces the Institution Names a hospital also goes by. Studies already stored keep their hospital.
    public func setHospitalAliases(_ id: String, _ aliases: [String]) async throws -> Hospital {
        try await changeHospital(id, HospitalChange(aliases: aliases)).hospital
    }

    /// Adds a department to a hospital (sign-up offers it at once).
    public func addDepartment(_ name: String, toHospital id: String) async throws -> Hospital {
        try await changeHospital(id, HospitalChange(addDepartments: [name])).hospital
    }

    /// Removes a department. Refused while an account is scoped to it or a pending registration asks for it:
    /// their scope would name a department that no longer exists.
    public func removeDepartment(_ name: String, fromHospital id: String) async throws -> Hospital {
        try await changeHospital(id, HospitalChange(removeDepartments: [name])).hospital
    }

    /// Applies `change` to hospital `id` in one transaction, in the order rename, aliases, added departments, removed
    /// departments: when any part is refused (a name another hospital uses, a department in use or missing), none is
    /// applied. Returns the hospital afterwards and, for the audit log, what changed (a rename to the current name
    /// is no change).
    /// - Throws: ``PlatformError`` `.notFound` (no such hospital or department), `.conflict`, `.invalidArgument`.
    public func changeHospital(_ id: String, _ change: HospitalChange) async throws -> (hospital: Hospital, changes: [String]) {
        let name = try change.name.map { name throws(PlatformError) in try Self.hospitalName(name) }
        let aliases = try change.aliases.map { aliases throws(PlatformError) in try Self.aliasList(aliases) }
        var departments: [String] = []
        for department in change.addDepartments { departments.append(try Self.departmentName(department)) }
        let added = departments
        let changes = try await database.write { db in
            try await Self.ensureHospitalExists(id, db: db)
            var changes: [String] = []
            if let name, try await db.raw("SELECT name FROM hospitals WHERE id = \(bind: id)").first()?.decode(column: "name", as: String.self) != name {
                try await Self.ensureNamesFree([name], except: id, db: db)
                try await db.raw("UPDATE hospitals SET name = \(bind: name) WHERE id = \(bind: id)").run()
                changes.append("renamed to \(name)")
            }
            if let aliases {
                try await Self.ensureNamesFree(aliases, except: id, db: db)
                try await db.raw("UPDATE hospitals SET aliases = \(bind: aliases.joined(separator: "\n")) WHERE id = \(bind: id)").run()
                changes.append("aliases \(aliases)")
            }
            for department in added {
                if try await db.raw("SELECT 1 AS x FROM departments WHERE hospital_id = \(bind: id) AND name = \(bind: department)").first() != nil {
                    throw PlatformError(.conflict, "\(id) already has the department \(department)")
                }
                try await db.raw("INSERT INTO departments (hospital_id, name) VALUES (\(bind: id), \(bind: department))").run()
                changes.append("added department \(department)")
            }
            for department in change.removeDepartments {
                try await Self.deleteDepartment(department, ofHospital: id, db: db)
                changes.append("removed department \(department)")
            }
            return changes
        }
        return (try await hospital(id: id), changes)
    }

    /// Deletes a department inside a transaction, refused while an account is scoped to it or a pending
    /// registration asks for it.
    private static func deleteDepartment(_ name: String, ofHospital id: String, db: any SQLDatabase) async throws {
        guard try await db.raw("SELECT 1 AS x FROM departments WHERE hospital_id = \(bind: id) AND name = \(bind: name)").first() != nil else {
            throw PlatformError(.notFound, "\(id) has no department \(name)")
        }
        let scope = AccessScope.department(hospitalId: id, department: name).stored
        let users = try await db.raw("SELECT COUNT(*) AS n FROM users WHERE scope = \(bind: scope) AND status <> 'closed'").first()?
            .decode(column: "n", as: Int.self) ?? 0
        let pending = try await db.raw("""
            SELECT COUNT(*) AS n FROM registrations WHERE hospital_id = \(bind: id) AND department = \(bind: name) AND status = 'pending'
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard users == 0, pending == 0 else {
            throw PlatformError(.conflict, "the department \(name) cannot be removed: \(users) account(s) are scoped to it and \(pending) pending registration(s) ask for it")
        }
        try await db.raw("DELETE FROM departments WHERE hospital_id = \(bind: id) AND name = \(bind: name)").run()
    }

    /// Deletes a hospital that nothing refers to yet (a mistyped one). Refused when it has studies, patients,
    /// accounts or registrations, or when it is the only hospital (every study needs one).
    public func deleteHospital(_ id: String) async throws {
        try await database.write { db in
            try await Self.ensureHospitalExists(id, db: db)
            func count(_ table: String) async throws -> Int {
                try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE hospital_id = \(bind: id)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            let studies = try await count("studies"), patients = try await count("patients"), users = try await count("users")
            let registrations = try await count("registrations")
            let scoped = try await db.raw("""
                SELECT COUNT(*) AS n FROM users WHERE scope = \(bind: AccessScope.hospital(id).stored) OR scope LIKE \(bind: "department:" + Self.escapeLike(id) + ":%") ESCAPE '!'
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            guard studies + patients + users + registrations + scoped == 0 else {
                throw PlatformError(.conflict, "the hospital \(id) cannot be deleted: it has \(studies) studies, \(users + scoped) account(s) and \(registrations) registration(s)")
            }
            let hospitals = try await db.raw("SELECT COUNT(*) AS n FROM hospitals").first()?.decode(column: "n", as: Int.self) ?? 0
            guard hospitals > 1 else { throw PlatformError(.conflict, "the only hospital cannot be deleted: every study belongs to one") }
            try await db.raw("DELETE FROM departments WHERE hospital_id = \(bind: id)").run()
            try await db.raw("DELETE FROM hospitals WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Checks

    private static func hospitalName(_ name: String) throws(PlatformError) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw PlatformError.invalid("name", "the hospital's name is required (at most 100 characters)") }
        return name
    }

    private static func departmentName(_ name: String) throws(PlatformError) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(name.count) else { throw PlatformError.invalid("department", "a department's name is required (at most 64 characters)") }
        return name
    }

    private static func aliasList(_ aliases: [String]) throws(PlatformError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for alias in aliases {
            let text = alias.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...100).contains(text.count), !text.contains("\n") else {
                throw PlatformError.invalid("aliases", "each alias is an Institution Name of 1–100 characters on one line")
            }
            if seen.insert(SearchText.normalize(text)).inserted { result.append(text) }
        }
        guard result.count <= 20 else { throw PlatformError.invalid("aliases", "at most 20 aliases") }
        return result
    }

    private static func ensureHospitalExists(_ id: String, db: any SQLDatabase) async throws {
        guard try await db.raw("SELECT 1 AS x FROM hospitals WHERE id = \(bind: id)").first() != nil else {
            throw PlatformError(.notFound, "no hospital \(id)")
        }
    }

    /// A name or alias may belong to one hospital only: ingest routes a study by it (`hospitalID(forInstitution:)`).
    private static func ensureNamesFree(_ names: [String], except id: String?, db: any SQLDatabase) async throws {
        let wanted = Set(names.map(SearchText.normalize))
        for row in try await db.raw("SELECT id, name, aliases FROM hospitals").all() {
            let other = try row.decode(column: "id", as: String.self)
            guard other != id else { continue }
            let taken = [try row.decode(column: "name", as: String.self)] + (try row.decode(column: "aliases", as: String.self)).split(separator: "\n").map(String.init)
            if let clash = taken.first(where: { wanted.contains(SearchText.normalize($0)) }) {
                throw PlatformError(.conflict, "\(clash) already names the hospital \(other)")
            }
        }
    }
}

/// What an administrator changes about a hospital at once (``PlatformStore/changeHospital(_:_:)``): every part is
/// optional, and they are applied together or not at all.
public struct HospitalChange: Sendable, Hashable {
    /// The new name, or nil to keep it.
    public var name: String?
    /// The new list of aliases (Institution Names), or nil to keep them.
    public var aliases: [String]?
    /// Departments to add.
    public var addDepartments: [String]
    /// Departments to remove.
    public var removeDepartments: [String]

    public init(name: String? = nil, aliases: [String]? = nil, addDepartments: [String] = [], removeDepartments: [String] = []) {
        self.name = name
        self.aliases = aliases
        self.addDepartments = addDepartments
        self.removeDepartments = removeDepartments
    }
}
