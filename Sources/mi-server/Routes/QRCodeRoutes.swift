import Foundation
import Hummingbird
import ImagingKit
import PlatformServices

/// The QR integration service for the hospital's PACS/RIS: a patient link to one exam, as JSON with the QR code in
/// PNG and SVG, or as the image itself for report templates; and revocation of links.
struct QRCodeRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    struct Options {
        var accessionNumber: String?
        var studyInstanceUID: String?
        var hospitalId: String?
        var errorCorrection: QRErrorCorrection = .medium
        var scale = 8
        var quietZone = 4
    }

    struct Result: Encodable {
        var id: String
        var url: String
        var studyInstanceUID: String
        var png: String
        var svg: String
        var version: Int
        var errorCorrection: String
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("integration/qrcodes") { request, context in
            let principal = try context.require(.integration)
            struct Body: Decodable {
                var accessionNumber: String?
                var studyInstanceUID: String?
                var hospitalId: String?
                var errorCorrection: String?
                var scale: Int?
                var quietZone: Int?
            }
            let body = try await JSONBody.decode(Body.self, request)
            var options = Options(accessionNumber: body.accessionNumber, studyInstanceUID: body.studyInstanceUID, hospitalId: body.hospitalId)
            if let level = body.errorCorrection {
                guard let parsed = QRErrorCorrection(letter: level) else { throw APIError.badParameter("errorCorrection", "must be L, M, Q or H") }
                options.errorCorrection = parsed
            }
            if let scale = body.scale {
                guard (1...32).contains(scale) else { throw APIError.badParameter("scale", "must be an integer in 1...32") }
                options.scale = scale
            }
            if let quietZone = body.quietZone {
                guard (0...16).contains(quietZone) else { throw APIError.badParameter("quietZone", "must be an integer in 0...16") }
                options.quietZone = quietZone
            }
            let (issued, url, code) = try await makeLink(options, principal: principal, request: request, context: context)
            let images = try PublicLinks.images(code, scale: options.scale, quietZone: options.quietZone)
            return try JSONResponse.make(Result(id: issued.link.id, url: url, studyInstanceUID: issued.link.studyInstanceUID, png: images.png,
                                                svg: images.svg, version: code.version, errorCorrection: code.errorCorrection.rawValue),
                                         status: .created)
        }
        api.get("integration/qrcodes") { request, context in
            let principal = try context.require(.integration)
            let q = QueryReader(request: request)
            var options = Options(accessionNumber: q.string("accessionNumber"), studyInstanceUID: q.string("studyInstanceUID"),
                                  hospitalId: q.string("hospitalId"))
            if let level = q.string("errorCorrection") {
                guard let parsed = QRErrorCorrection(letter: level) else { throw APIError.badParameter("errorCorrection", "must be L, M, Q or H") }
                options.errorCorrection = parsed
            }
            options.scale = try q.int("scale", range: 1...32) ?? 8
            options.quietZone = try q.int("quietZone", range: 0...16) ?? 4
            let format = q.string("format") ?? "png"
            guard format == "png" || format == "svg" else { throw APIError.badParameter("format", "must be png or svg") }
            let (issued, url, code) = try await makeLink(options, principal: principal, request: request, context: context)
            let headers: HTTPFields = [.init("X-Patient-Link")!: url, .init("X-Patient-Link-Id")!: issued.link.id, .cacheControl: "no-store"]
            if format == "svg" {
                return bytesResponse(Array(code.svg(quietZone: options.quietZone).utf8), contentType: "image/svg+xml", headers: headers)
            }
            do {
                return bytesResponse(try code.png(scale: options.scale, quietZone: options.quietZone), contentType: "image/png", headers: headers)
            } catch {
                throw APIError(.internalServerError, "server_error", "the QR code could not be drawn")
            }
        }
        api.get("integration/patient-links") { request, context in
            _ = try context.require(.integration, .administrator)
            guard let uid = QueryReader(request: request).string("studyInstanceUID") else {
                throw APIError.badParameter("studyInstanceUID", "is required")
            }
            let items = try await store.patientLinks(ofStudy: uid)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.delete("integration/patient-links/:id") { _, context in
            let principal = try context.require(.integration, .administrator)
            let id = try context.parameters.require("id")
            try await store.revokePatientLink(id: id)
            await store.audit(.patientLinkRevoke, actor: principal.name, actorID: principal.userId, detail: id, clientIP: context.clientIP)
            return Response(status: .noContent)
        }
    }

    private func makeLink(_ options: Options, principal: Principal, request: Request, context: AppRequestContext) async throws
        -> (IssuedPatientLink, String, QRCode) {
        guard options.accessionNumber != nil || options.studyInstanceUID != nil else {
            throw APIError.badParameter("accessionNumber", "give accessionNumber or studyInstanceUID")
        }
        let issued = try await store.createPatientLink(studyUID: options.studyInstanceUID, accessionNumber: options.accessionNumber,
                                                       hospitalId: options.hospitalId, createdBy: principal.name)
        let url = PublicLinks.patientLink(base: PublicLinks.base(request, config: platform.config), token: issued.token)
        let code = try PublicLinks.qrCode(url, errorCorrection: options.errorCorrection)
        await store.audit(.patientLinkCreate, actor: principal.name, actorID: principal.userId, studyUID: issued.link.studyInstanceUID,
                          detail: issued.link.id, clientIP: context.clientIP)
        return (issued, url, code)
    }
}
