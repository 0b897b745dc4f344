import Foundation
import Hummingbird
import PlatformServices

/// The audit log, OAuth clients and security settings: administrators only.
struct AdminRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("audit") { request, context in
            _ = try context.require(.administrator)
            return try JSONResponse.make(try await store.auditEvents(try Self.auditQuery(request, limitCap: 1000)))
        }
        api.get("audit.csv") { request, context in
            let admin = try context.require(.administrator)
            var query = try Self.auditQuery(request, limitCap: 100_000)
            if QueryReader(request: request).string("limit") == nil { query.limit = 100_000 }
            let events = try await store.auditEvents(query).items
            var csv = "id,time,actor,action,outcome,patient_id,study_instance_uid,detail,client_ip\r\n"
            let formatter = ISO8601DateFormatter()
            for event in events {
                let fields = [String(event.id), formatter.string(from: Date(timeIntervalSince1970: TimeInterval(event.at))), event.actor, event.action,
                              event.outcome, event.patientId, event.studyInstanceUID, event.detail, event.clientIP]
                csv += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
            }
            await store.audit(.auditExport, actor: admin.name, actorID: admin.userId, detail: "audit export of \(events.count) rows", clientIP: context.clientIP)
            // A BOM so that Excel opens UTF-8 (Chinese names) correctly.
            return bytesResponse(Array("\u{FEFF}\(csv)".utf8), contentType: "text/csv; charset=utf-8",
                                 headers: [.contentDisposition: "attachment; filename=\"audit.csv\""])
        }
        api.get("clients") { _, context in
            _ = try context.require(.administrator)
            let clients = try await store.clients()
            return try JSONResponse.make(Page(items: clients, total: clients.count))
        }
        api.post("clients") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable {
                var clientId: String; var name: String; var confidential: Bool?; var redirectUris: [String]?; var grantTypes: [GrantType]; var roles: [Role]?
                var firstParty: Bool?
            }
            let body = try await JSONBody.decode(Body.self, request)
            let (client, secret) = try await store.registerClient(clientId: body.clientId, name: body.name, confidential: body.confidential ?? true,
                                                                  redirectURIs: body.redirectUris ?? [], grantTypes: body.grantTypes,
                                                                  roles: body.roles ?? [], firstParty: body.firstParty ?? true)
            await store.audit(.clientCreate, actor: admin.name, actorID: admin.userId, detail: client.clientId, clientIP: context.clientIP)
            struct Result: Encodable { var client: OAuthClient; var clientSecret: String? }
            return try JSONResponse.make(Result(client: client, clientSecret: secret), status: .created)
        }
        api.post("clients/:id/rotate-secret") { _, context in
            let admin = try context.require(.administrator)
            let id = try context.parameters.require("id")
            let secret = try await store.rotateClientSecret(id)
            await store.audit(.clientRotateSecret, actor: admin.name, actorID: admin.userId, detail: id, clientIP: context.clientIP)
            return try JSONResponse.make(["clientId": id, "clientSecret": secret])
        }
        api.get("settings/security") { _, context in
            _ = try context.require(.administrator)
            return try JSONResponse.make(try await store.securityPolicy())
        }
        api.put("settings/security") { request, context in
            let admin = try context.require(.administrator)
            let policy = try await JSONBody.decode(SecurityPolicy.self, request)
            try await store.setSecurityPolicy(policy)
            await store.audit(.settingsChange, actor: admin.name, actorID: admin.userId,
                              detail: String(decoding: try JSONEncoder().encode(policy), as: UTF8.self), clientIP: context.clientIP)
            return try JSONResponse.make(policy)
        }
    }

    static func auditQuery(_ request: Request, limitCap: Int) throws -> AuditQuery {
        let q = QueryReader(request: request)
        var query = AuditQuery()
        query.actor = q.string("user")
        query.patientId = q.string("patientId")
        query.studyInstanceUID = q.string("studyInstanceUID")
        query.action = q.string("action")
        query.from = try q.instant("from")
        query.to = try q.instant("to", endOfDay: true)
        query.limit = try q.int("limit", range: 1...limitCap) ?? 100
        query.offset = try q.int("offset", range: 0...100_000_000) ?? 0
        return query
    }

    /// RFC 4180 quoting, and a leading quote for values a spreadsheet would run as a formula.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
