import Foundation
import SQLKit

extension PlatformStore {
    /// The side a principal writes for: doctors (within their scope) or the patient (their own exams). Share
    /// recipients, administrators and integrations take no part.
    static func consultSide(_ principal: Principal) throws(PlatformError) -> ConsultMessage.Author {
        if case .share = principal.link { throw PlatformError(.forbidden, "a shared exam has no consultation") }
        if principal.has(.doctor) { return .doctor }
        if principal.has(.patient), case .patient = principal.scope { return .patient }
        throw PlatformError(.forbidden, "only the patient and the hospital's doctors take part in a consultation")
    }

    private static func decodeMessage(_ row: any SQLRow) throws -> ConsultMessage {
        ConsultMessage(id: try row.decode(column: "id", as: String.self), studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                       author: ConsultMessage.Author(rawValue: try row.decode(column: "author_role", as: String.self)) ?? .patient,
                       authorName: try row.decode(column: "author_name", as: String.self), body: try row.decode(column: "body", as: String.self),
                       createdAt: APITime.string(try row.decode(column: "created_at", as: Int64.self)),
                       readAt: APITime.string(try row.decode(column: "read_at", as: Int64?.self)))
    }

    /// Adds a message to an exam's thread (1–2000 characters after trimming).
    public func postConsultMessage(studyUID: String, body: String, by principal: Principal) async throws -> ConsultMessage {
        let side = try Self.consultSide(principal)
        let study = try await study(studyUID, scope: principal.scope)
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= ConsultMessage.maximumLength else {
            throw PlatformError.invalid("body", "a message has 1–\(ConsultMessage.maximumLength) characters")
        }
        var authorName = study.patientName
        var authorId = principal.userId ?? principal.name
        if side == .doctor, let userId = principal.userId, let account = try? await user(id: userId) {
            authorName = account.name.isEmpty ? account.username : account.name
            authorId = userId
        } else if side == .doctor {
            authorName = principal.name
        } else if case .patient(let key) = principal.scope {
            authorId = key
        }
        let message = ConsultMessage(id: UUID().uuidString.lowercased(), studyInstanceUID: studyUID, author: side, authorName: authorName,
                                     body: text, createdAt: "", readAt: nil)
        let now = Clock.epochSeconds()
        let finalAuthorId = authorId, finalAuthorName = authorName
        try await database.write { db in
            try await db.raw("""
                INSERT INTO consult_messages (id, study_uid, author_role, author_id, author_name, body, created_at)
                VALUES (\(bind: message.id), \(bind: studyUID), \(bind: side.rawValue), \(bind: finalAuthorId), \(bind: finalAuthorName),
                  \(bind: text), \(bind: now))
                """).run()
        }
        var stored = message
        stored.createdAt = APITime.string(now)
        return stored
    }

    /// An exam's thread, oldest first.
    public func consultMessages(studyUID: String, for principal: Principal) async throws -> [ConsultMessage] {
        _ = try Self.consultSide(principal)
        _ = try await study(studyUID, scope: principal.scope)
        return try await database.read { db in
            try await db.raw("SELECT * FROM consult_messages WHERE study_uid = \(bind: studyUID) ORDER BY seq").all().map(Self.decodeMessage)
        }
    }

    /// Marks the other side's messages on an exam as read; returns how many changed.
    @discardableResult
    public func markConsultRead(studyUID: String, by principal: Principal) async throws -> Int {
        let side = try Self.consultSide(principal)
        _ = try await study(studyUID, scope: principal.scope)
        let other: ConsultMessage.Author = side == .doctor ? .patient : .doctor
        let now = Clock.epochSeconds()
        return try await database.write { db in
            let count = try await db.raw("""
                SELECT COUNT(*) AS n FROM consult_messages WHERE study_uid = \(bind: studyUID) AND author_role = \(bind: other.rawValue) AND read_at IS NULL
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw("""
                UPDATE consult_messages SET read_at = \(bind: now)
                WHERE study_uid = \(bind: studyUID) AND author_role = \(bind: other.rawValue) AND read_at IS NULL
                """).run()
            return count
        }
    }

    /// Exams in the principal's scope with unread messages from the other side, newest first.
    public func unreadConsults(for principal: Principal) async throws -> [UnreadConsult] {
        let side = try Self.consultSide(principal)
        let other: ConsultMessage.Author = side == .doctor ? .patient : .doctor
        return try await database.read { db in
            try await db.raw("""
                SELECT s.study_uid, s.patient_name, s.modality, s.study_date, s.description, COUNT(*) AS unread, MAX(m.created_at) AS last_at
                FROM consult_messages m JOIN studies s ON s.study_uid = m.study_uid
                WHERE m.author_role = \(bind: other.rawValue) AND m.read_at IS NULL AND
                """ + " " + Self.scopeCondition(principal.scope, alias: "s.") + """
                 GROUP BY s.study_uid, s.patient_name, s.modality, s.study_date, s.description ORDER BY last_at DESC
                """).all().map { row in
                UnreadConsult(studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                              patientName: try row.decode(column: "patient_name", as: String.self),
                              modality: try row.decode(column: "modality", as: String.self),
                              studyDate: try row.decode(column: "study_date", as: String.self),
                              description: try row.decode(column: "description", as: String.self),
                              unread: try row.decode(column: "unread", as: Int.self),
                              lastMessageAt: APITime.string(try row.decode(column: "last_at", as: Int64.self)))
            }
        }
    }
}
