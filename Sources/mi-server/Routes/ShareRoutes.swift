import Foundation
import Hummingbird
import ImagingKit
import PlatformServices

/// Time-limited sharing: patients share their own exams and doctors exams they can see; the recipient opens the
/// link without an account and reads that one exam until the share ends or is revoked (410 Gone after).
struct ShareRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    /// A share as its owner sees it: the link, its QR code on creation, the end and the view count.
    struct ShareResult: Encodable {
        var id: String
        var url: String
        var studyInstanceUID: String
        var createdAt: String
        var expiresAt: String
        var requiresAccessCode: Bool
        var viewCount: Int
        var lastViewedAt: String?
        var exam: ExamLine?
        var png: String?
        var svg: String?
    }

    /// What the share list says about the exam.
    struct ExamLine: Encodable {
        var examType: String
        var modality: String
        var studyDate: String
    }

    func result(_ share: Share, base: String, exam: PatientExamView?, qr: PublicLinks.Images?) -> ShareResult {
        ShareResult(id: share.id, url: PublicLinks.shareLink(base: base, token: share.token), studyInstanceUID: share.studyInstanceUID,
                    createdAt: share.createdAt, expiresAt: share.expiresAt, requiresAccessCode: share.requiresAccessCode,
                    viewCount: share.viewCount, lastViewedAt: share.lastViewedAt,
                    exam: exam.map { ExamLine(examType: $0.examType, modality: $0.modality, studyDate: $0.studyDate) },
                    png: qr?.png, svg: qr?.svg)
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("shares") { request, context in
            let principal = try context.require(.patient, .doctor)
            struct Body: Decodable {
                var studyUID: String?
                var studyInstanceUID: String?
                var expiresIn: Int64?
                /// ISO 8601 with a time zone, or epoch seconds.
                var expiresAt: ExpiresAt?
                var accessCode: String?
            }
            let body = try await JSONBody.decode(Body.self, request, limit: 8192)
            guard let uid = body.studyUID ?? body.studyInstanceUID, !uid.isEmpty else { throw APIError.badParameter("studyUID", "is required") }
            let share = try await store.createShare(ShareRequest(studyInstanceUID: uid, expiresIn: body.expiresIn, expiresAt: body.expiresAt?.epoch,
                                                                 accessCode: body.accessCode), by: principal)
            let exam = try await store.patientExamView(uid, scope: principal.scope)
            await store.audit(.shareCreate, actor: principal.name, actorID: principal.userId, patientId: "", studyUID: uid,
                              detail: "share \(share.id) until \(share.expiresAt)\(share.requiresAccessCode ? " with access code" : "")",
                              clientIP: context.clientIP)
            let base = PublicLinks.base(request, config: platform.config)
            let url = PublicLinks.shareLink(base: base, token: share.token)
            let qr = try PublicLinks.images(try PublicLinks.qrCode(url))
            return try JSONResponse.make(result(share, base: base, exam: exam, qr: qr), status: .created)
        }
        api.get("shares") { request, context in
            let principal = try context.require(.patient, .doctor)
            let shares = try await store.shares(ownedBy: principal)
            let base = PublicLinks.base(request, config: platform.config)
            var items: [ShareResult] = []
            for share in shares {
                items.append(result(share, base: base, exam: try? await store.patientExamView(share.studyInstanceUID), qr: nil))
            }
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.delete("shares/:id") { _, context in
            let principal = try context.require(.patient, .doctor)
            let share = try await store.revokeShare(id: try context.parameters.require("id"), by: principal)
            await store.audit(.shareRevoke, actor: principal.name, actorID: principal.userId, studyUID: share.studyInstanceUID,
                              detail: "share \(share.id)", clientIP: context.clientIP)
            return Response(status: .noContent)
        }
        // Public: the recipient opens the share (the access code in `X-Access-Code`, or POST …/open with a body).
        // The path segment is the share link's token; the router names it `id` because DELETE shares/{id} shares
        // the position, and ids (UUIDs) and tokens (43 base64url characters) never look alike.
        api.get("shares/:id") { request, context in
            let code = request.headers[.init("X-Access-Code")!]
            return try await open(try context.parameters.require("id"), accessCode: code, context: context)
        }
        api.post("shares/:id/open") { request, context in
            struct Body: Decodable { var accessCode: String? }
            let body = try await optionalJSON(Body.self, request)
            return try await open(try context.parameters.require("id"), accessCode: body?.accessCode, context: context)
        }
    }

    private func open(_ token: String, accessCode: String?, context: AppRequestContext) async throws -> Response {
        do {
            let opened = try await store.openShare(token: token, accessCode: accessCode, clientKey: context.clientIP)
            await store.audit(.shareOpen, actor: "share:\(opened.shareId)", studyUID: opened.exam.studyInstanceUID,
                              detail: "share \(opened.shareId)", clientIP: context.clientIP)
            return try JSONResponse.make(opened)
        } catch let error as PlatformError where error.code != .notFound && error.code != .storageFailure {
            await store.audit(.shareOpen, actor: "anonymous", outcome: "failure", detail: error.code.rawValue, clientIP: context.clientIP)
            if error.code == .unauthenticated, error.parameter == "accessCode" {
                throw APIError(.unauthorized, "access_code_required", error.message, parameter: "accessCode")
            }
            if error.code == .forbidden, error.parameter == "accessCode" {
                throw APIError(.forbidden, "access_code_invalid", error.message, parameter: "accessCode")
            }
            throw error
        }
    }
}

/// A share's end as the client sends it: an ISO 8601 timestamp with a time zone, or epoch seconds.
struct ExpiresAt: Decodable {
    let epoch: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Int64.self) {
            epoch = seconds
        } else if let text = try? container.decode(String.self), let parsed = APITime.parse(text) {
            epoch = parsed
        } else {
            throw APIError.badParameter("expiresAt", "must be an ISO 8601 timestamp with a time zone, or epoch seconds")
        }
    }
}
