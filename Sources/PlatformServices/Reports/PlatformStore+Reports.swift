import Foundation
import SQLKit

/// One report of an exam.
public struct ReportSummary: Sendable, Hashable, Codable {
    public var id: String
    public var studyInstanceUID: String
    public var title: String
    /// `application/pdf` (a stored document) or `text/plain` (text only, e.g. from an SR).
    public var contentType: String
    public var author: String
    /// The report's text when it has no document.
    public var text: String
    public var createdAt: Int64
    /// Whether a stored document (PDF) exists.
    public var hasDocument: Bool
}

extension PlatformStore {
    private static let reportColumns = "id, study_uid, title, content_type, storage_key, text, author, created_at"

    private static func decodeReport(_ row: any SQLRow) throws -> (ReportSummary, String?) {
        let key = try row.decode(column: "storage_key", as: String?.self)
        return (ReportSummary(id: try row.decode(column: "id", as: String.self),
                              studyInstanceUID: try row.decode(column: "study_uid", as: String.self),
                              title: try row.decode(column: "title", as: String.self),
                              contentType: try row.decode(column: "content_type", as: String.self),
                              author: try row.decode(column: "author", as: String.self),
                              text: try row.decode(column: "text", as: String.self),
                              createdAt: try row.decode(column: "created_at", as: Int64.self),
                              hasDocument: key != nil), key)
    }

    /// The reports of a visible exam, oldest first.
    public func reports(ofStudy uid: String, scope: AccessScope) async throws -> [ReportSummary] {
        _ = try await study(uid, scope: scope)
        return try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.reportColumns) FROM reports WHERE study_uid = \(bind: uid) ORDER BY created_at, id")
                .all().map { try Self.decodeReport($0).0 }
        }
    }

    /// One report of a visible exam, with the storage key of its document.
    public func report(_ id: String, scope: AccessScope) async throws -> (report: ReportSummary, storageKey: String?) {
        let row = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.reportColumns) FROM reports WHERE id = \(bind: id)").first()
        }
        guard let row else { throw PlatformError(.notFound, "no report \(id)") }
        let decoded = try Self.decodeReport(row)
        _ = try await study(decoded.0.studyInstanceUID, scope: scope)
        return decoded
    }

    /// Attaches a report (a PDF, or text) to the exam with `accessionNumber` (or `studyUID`) and moves it to `report`.
    @discardableResult
    public func attachReport(studyUID: String? = nil, accessionNumber: String? = nil, pdf: [UInt8]?, text: String,
                             title: String, author: String, source: String) async throws -> ReportSummary {
        if let pdf, !(pdf.starts(with: Array("%PDF-".utf8))) {
            throw PlatformError.invalid("pdf", "the document is not a PDF")
        }
        guard pdf != nil || !text.isEmpty else { throw PlatformError.invalid("text", "a report needs a PDF or text") }
        let target: String? = try await database.read { db in
            if let studyUID { return try await db.raw("SELECT study_uid FROM studies WHERE study_uid = \(bind: studyUID)").first()?.decode(column: "study_uid", as: String.self) }
            if let accessionNumber, !accessionNumber.isEmpty {
                return try await db.raw("SELECT study_uid FROM studies WHERE accession_number = \(bind: accessionNumber) ORDER BY created_at DESC LIMIT 1")
                    .first()?.decode(column: "study_uid", as: String.self)
            }
            return nil
        }
        guard let target else { throw PlatformError(.notFound, "no exam with that accession number or study UID") }
        let id = UUID().uuidString.lowercased()
        let key = pdf == nil ? nil : "reports/\(id).pdf"
        if let pdf, let key { try await blobs.put(key, bytes: pdf) }
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO reports (id, study_uid, title, content_type, storage_key, text, author, source, created_at)
                VALUES (\(bind: id), \(bind: target), \(bind: title), \(bind: pdf == nil ? "text/plain" : "application/pdf"),
                  \(bind: key), \(bind: text), \(bind: author), \(bind: source), \(bind: now))
                """).run()
            try await db.raw("""
                UPDATE studies SET status = 'report', reported_at = COALESCE(reported_at, \(bind: now)), updated_at = \(bind: now)
                WHERE study_uid = \(bind: target)
                """).run()
        }
        events.publish(.studyStatusChanged(studyUID: target, status: .report))
        return ReportSummary(id: id, studyInstanceUID: target, title: title, contentType: pdf == nil ? "text/plain" : "application/pdf",
                             author: author, text: text, createdAt: now, hasDocument: pdf != nil)
    }
}
