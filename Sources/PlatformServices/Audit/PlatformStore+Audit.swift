import Foundation
import SQLKit

/// Audited actions. The audit log is append-only: there is no update or delete path.
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    case loginSuccess = "login.success", loginFailure = "login.failure", logout
    case worklistQuery = "worklist.query", studyView = "study.view", fileDownload = "file.download", reportView = "report.view"
    case instanceIngest = "instance.ingest", orderCreate = "order.create", reportAttach = "report.attach"
    case shareCreate = "share.create", shareOpen = "share.open", shareRevoke = "share.revoke"
    case registrationCreate = "registration.create", registrationApprove = "registration.approve", registrationReject = "registration.reject"
    case userDeactivate = "user.deactivate", userReactivate = "user.reactivate", userClose = "user.close"
    case userResetPassword = "user.reset_password", userUpdate = "user.update", passwordChange = "password.change"
    case clientCreate = "client.create", clientRotateSecret = "client.rotate_secret", settingsChange = "settings.change"
    /// The audit log itself was exported (CSV): who took a copy of the trail, and how many rows.
    case auditExport = "audit.export"
    /// A hospital was created, renamed, given aliases, or a department added or removed.
    case hospitalChange = "hospital.change"
    case consentGrant = "consent.grant", consentDeny = "consent.deny"
    case pacsNodeChange = "pacs.change"
    case patientLinkCreate = "patient_link.create", patientLinkOpen = "patient_link.open", patientLinkRevoke = "patient_link.revoke"
    case patientVerify = "patient.verify", patientRetrieve = "patient.retrieve", consultMessage = "consult.message"
}

/// One audit row.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Int64
    /// The username or client id that acted ("anonymous" for unauthenticated attempts).
    public var actor: String
    public var action: String
    /// `success` or `failure`.
    public var outcome: String
    public var patientId: String
    public var studyInstanceUID: String
    public var detail: String
    public var clientIP: String
}

/// Filters for reading the audit log.
public struct AuditQuery: Sendable, Hashable {
    public var actor: String?
    public var patientId: String?
    public var studyInstanceUID: String?
    public var action: String?
    /// Epoch seconds, inclusive.
    public var from: Int64?
    /// Epoch seconds, inclusive.
    public var to: Int64?
    public var limit = 100
    public var offset = 0
    public init() {}
}

extension PlatformStore {
    /// Appends an audit event. Failures to audit are logged, never swallowed silently, and never block the caller's
    /// answer (an audit outage must not make the images unreadable in an emergency).
    public func audit(_ action: AuditAction, actor: String, actorID: String? = nil, outcome: String = "success", patientId: String = "",
                      studyUID: String = "", detail: String = "", clientIP: String = "") async {
        let statement = Self.auditInsert(action, actor: actor, actorID: actorID, outcome: outcome, patientId: patientId, studyUID: studyUID,
                                         detail: detail, clientIP: clientIP, at: Clock.epochSeconds())
        do {
            try await database.write { db in try await db.raw(statement).run() }
        } catch {
            logger.error("audit write failed: \(action.rawValue) by \(actor): \(String(reflecting: error))")
        }
    }

    /// Queues an audit event, to be written in a batch shortly after (see `AuditQueue`): for frequent read events,
    /// whose callers should not wait for a commit.
    public func auditSoon(_ action: AuditAction, actor: String, actorID: String? = nil, outcome: String = "success", patientId: String = "",
                          studyUID: String = "", detail: String = "", clientIP: String = "") async {
        await auditQueue.add(Self.auditInsert(action, actor: actor, actorID: actorID, outcome: outcome, patientId: patientId,
                                              studyUID: studyUID, detail: detail, clientIP: clientIP, at: Clock.epochSeconds()))
    }

    /// Writes every queued audit event (`auditSoon`); call before closing the database.
    public func flushAudit() async {
        await auditQueue.flush()
    }

    /// The statement that appends one audit event (for writers that put it in their own transaction).
    static func auditInsert(_ action: AuditAction, actor: String, actorID: String? = nil, outcome: String = "success", patientId: String = "",
                            studyUID: String = "", detail: String = "", clientIP: String = "", at: Int64) -> SQLQueryString {
        """
        INSERT INTO audit_events (at, actor_id, actor, action, outcome, patient_id, study_uid, detail, client_ip)
        VALUES (\(bind: at), \(bind: actorID), \(bind: actor), \(bind: action.rawValue), \(bind: outcome), \(bind: patientId),
          \(bind: studyUID), \(bind: String(detail.prefix(1000))), \(bind: clientIP))
        """
    }

    /// Reads the audit log, newest first.
    public func auditEvents(_ query: AuditQuery) async throws -> Page<AuditEvent> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let actor = query.actor { conditions.append("actor = \(bind: actor)") }
        if let patient = query.patientId { conditions.append("patient_id = \(bind: patient)") }
        if let study = query.studyInstanceUID { conditions.append("study_uid = \(bind: study)") }
        if let action = query.action { conditions.append("action = \(bind: action)") }
        if let from = query.from { conditions.append("at >= \(bind: from)") }
        if let to = query.to { conditions.append("at <= \(bind: to)") }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM audit_events WHERE " + condition).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("SELECT * FROM audit_events WHERE " + condition
                                        + " ORDER BY id DESC LIMIT \(literal: min(max(query.limit, 1), 10_000)) OFFSET \(literal: max(query.offset, 0))").all()
            return Page(items: try rows.map { row in
                AuditEvent(id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at", as: Int64.self),
                           actor: try row.decode(column: "actor", as: String.self), action: try row.decode(column: "action", as: String.self),
                           outcome: try row.decode(column: "outcome", as: String.self), patientId: try row.decode(column: "patient_id", as: String.self),
                           studyInstanceUID: try row.decode(column: "study_uid", as: String.self), detail: try row.decode(column: "detail", as: String.self),
                           clientIP: try row.decode(column: "client_ip", as: String.self))
            }, total: total)
        }
    }
}
