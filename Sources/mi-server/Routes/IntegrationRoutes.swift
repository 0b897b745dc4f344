import Foundation
import Hummingbird
import PlatformServices

/// What hospital systems call: DICOM uploads, RIS orders and reports.
struct IntegrationRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    /// The largest upload accepted in one request.
    static let maximumUpload = 512 * 1024 * 1024

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("instances") { request, context in
            let principal = try context.require(.integration, .administrator)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: Self.maximumUpload) } catch {
                throw APIError(.contentTooLarge, "too_large", "uploads are limited to \(Self.maximumUpload) bytes")
            }
            var objects: [[UInt8]] = []
            if contentType.hasPrefix("application/dicom") {
                objects = [Array(buffer: body)]
            } else if contentType.hasPrefix("multipart/") {
                // From the header as sent: boundaries are case-sensitive (RFC 2046 §5.1.1).
                guard let boundary = Multipart.boundary(request.headers[.contentType] ?? "") else {
                    throw APIError.badParameter("Content-Type", "multipart without a boundary")
                }
                objects = try Multipart.parts(Array(buffer: body), boundary: boundary)
                guard !objects.isEmpty else { throw APIError(.badRequest, "invalid_body", "the multipart body has no parts") }
            } else {
                throw APIError(.unsupportedMediaType, "unsupported_media_type", "send application/dicom or multipart/related; type=application/dicom")
            }
            var items: [UploadResult] = []
            var failures = 0
            for object in objects {
                do {
                    let outcome = try await store.ingest(bytes: object, source: "http:\(principal.name)",
                                                         audit: IngestAudit(actor: principal.name, actorID: principal.userId, clientIP: context.clientIP))
                    items.append(UploadResult(sopInstanceUID: outcome.sopInstanceUID, studyInstanceUID: outcome.studyInstanceUID, status: outcome.kind.rawValue))
                } catch let error as PlatformError {
                    failures += 1
                    items.append(UploadResult(status: "failed", message: error.message))
                }
            }
            let status: HTTPResponse.Status = failures == 0 ? .ok : (failures == objects.count ? .unprocessableContent : .accepted)
            if failures == objects.count, objects.count == 1, let message = items.first?.message {
                throw APIError(.unprocessableContent, "invalid_dicom", message)
            }
            return try JSONResponse.make(Page(items: items, total: items.count), status: status)
        }
        api.post("integration/orders") { request, context in
            let principal = try context.require(.integration, .administrator)
            struct Body: Decodable {
                var accessionNumber: String
                var patientId: String
                var patientName: String
                var patientBirthDate: String?
                var patientSex: String?
                var modality: String
                var scheduledTime: String
                var description: String?
                var department: String?
                var visitType: VisitType?
                var hospitalId: String?
                var studyInstanceUID: String?
            }
            let body = try await JSONBody.decode(Body.self, request)
            guard let scheduled = APITime.parse(body.scheduledTime) else {
                throw APIError.badParameter("scheduledTime", "must be an ISO 8601 timestamp with a time zone")
            }
            // The hospital's wall clock, as the RIS wrote it (2026-12-01T09:00:00+08:00 → 2026-12-01, 09:00:00).
            var order = ScheduledOrder(
                accessionNumber: body.accessionNumber, patientId: body.patientId, patientName: body.patientName,
                patientBirthDate: body.patientBirthDate ?? "", patientSex: body.patientSex ?? "", modality: body.modality,
                scheduledAt: scheduled, description: body.description ?? "", department: body.department ?? "",
                visitType: body.visitType, hospitalId: body.hospitalId, studyInstanceUID: body.studyInstanceUID)
            let literal = Array(body.scheduledTime)
            if literal.count >= 19, literal[10] == "T" || literal[10] == " " {
                order.localDate = String(literal[0..<10])
                order.localTime = String(literal[11..<19])
            }
            let study = try await store.scheduleOrder(order)
            await store.audit(.orderCreate, actor: principal.name, actorID: principal.userId, patientId: study.patientId,
                              studyUID: study.studyInstanceUID, detail: study.accessionNumber, clientIP: context.clientIP)
            return try JSONResponse.make(study, status: .created)
        }
        api.post("integration/reports") { request, context in
            let principal = try context.require(.integration, .administrator)
            struct Body: Decodable {
                var accessionNumber: String?
                var studyInstanceUID: String?
                var title: String?
                var author: String?
                var text: String?
                /// The PDF, base64.
                var pdf: String?
            }
            let body = try await JSONBody.decode(Body.self, request, limit: 64 * 1024 * 1024)
            guard body.accessionNumber != nil || body.studyInstanceUID != nil else {
                throw APIError.badParameter("accessionNumber", "give accessionNumber or studyInstanceUID")
            }
            var pdf: [UInt8]?
            if let encoded = body.pdf {
                guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else { throw APIError.badParameter("pdf", "must be base64") }
                pdf = [UInt8](data)
            }
            let report = try await store.attachReport(studyUID: body.studyInstanceUID, accessionNumber: body.accessionNumber, pdf: pdf,
                                                      text: body.text ?? "", title: body.title ?? "影像诊断报告", author: body.author ?? "",
                                                      source: "http:\(principal.name)")
            await store.audit(.reportAttach, actor: principal.name, actorID: principal.userId, studyUID: report.studyInstanceUID,
                              detail: report.id, clientIP: context.clientIP)
            return try JSONResponse.make(report, status: .created)
        }
    }
}

/// The outcome of one uploaded object.
struct UploadResult: Codable, Sendable {
    var sopInstanceUID: String?
    var studyInstanceUID: String?
    /// `stored`, `duplicate` or `failed`.
    var status: String
    var message: String?
}

/// A minimal multipart reader (RFC 2046) for DICOM uploads: each part's body, headers skipped.
enum Multipart {
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    static func parts(_ body: [UInt8], boundary: String) throws -> [[UInt8]] {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], body[i..<i + delimiter.count].elementsEqual(delimiter), i == 0 || (i >= 2 && body[i - 2] == 13 && body[i - 1] == 10) {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { throw APIError(.badRequest, "invalid_body", "the multipart body is malformed") }
        var result: [[UInt8]] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var cursor = start + delimiter.count
            // Skip to the end of the part headers (CRLF CRLF).
            var headerEnd: Int?
            var j = cursor
            while j + 3 < end {
                if body[j] == 13, body[j + 1] == 10, body[j + 2] == 13, body[j + 3] == 10 { headerEnd = j + 4; break }
                j += 1
            }
            guard let headerEnd else { throw APIError(.badRequest, "invalid_body", "a multipart part has no header end") }
            cursor = headerEnd
            let partEnd = end - 2   // the CRLF before the next delimiter belongs to it
            guard partEnd >= cursor else { throw APIError(.badRequest, "invalid_body", "a multipart part is truncated") }
            result.append(Array(body[cursor..<partEnd]))
        }
        return result
    }
}
