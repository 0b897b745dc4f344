import Foundation
import Hummingbird
import ImagingKit
import Logging
import PlatformServices

/// The worklist and what hangs off an exam: series, instances, frames, previews, files and reports.
struct StudyRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    /// Roles that may read clinical data; each sees only its scope. Administrators manage accounts, not images.
    /// A share's recipient holds no role but reads the one shared exam (scope `.study`) until the share ends.
    static func reader(_ context: AppRequestContext) throws -> Principal {
        if let principal = context.principal, case .share = principal.link { return principal }
        return try context.require(.doctor, .patient, .integration)
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("studies") { request, context in
            let principal = try Self.reader(context)
            let query = try Self.worklistQuery(request)
            let page = try await store.worklist(query, scope: principal.scope)
            // Queued, not awaited: the list must not wait for a commit (on PostgreSQL a WAL flush) per query.
            await store.auditSoon(.worklistQuery, actor: principal.name, actorID: principal.userId,
                                  detail: request.uri.query ?? "", clientIP: context.clientIP)
            return try JSONResponse.make(page)
        }
        api.get("studies/:uid") { _, context in
            let principal = try Self.reader(context)
            let uid = try context.parameters.require("uid")
            let study: StudySummary
            do {
                study = try await store.study(uid, scope: principal.scope)
            } catch let error as PlatformError where error.code == .notFound {
                // Not here: doctors and integrations may have it fetched from the PACS.
                guard let response = try await retrieveFromPACS(uid, principal: principal) else { throw error }
                return response
            }
            await store.audit(.studyView, actor: principal.name, actorID: principal.userId, patientId: study.patientId,
                              studyUID: study.studyInstanceUID, clientIP: context.clientIP)
            return try JSONResponse.make(study)
        }
        api.post("studies/:uid/retrieve") { _, context in
            let principal = try context.require(.doctor, .integration)
            let uid = try context.parameters.require("uid")
            if (try? await store.study(uid, scope: principal.scope)) != nil {
                return try JSONResponse.make(["status": "available", "message": "the study is here"])
            }
            guard let response = try await retrieveFromPACS(uid, principal: principal) else {
                throw APIError(.notFound, "not_found", "no configured PACS has study \(uid)")
            }
            return response
        }
        api.get("studies/:uid/series") { _, context in
            let principal = try Self.reader(context)
            let items = try await store.series(ofStudy: try context.parameters.require("uid"), scope: principal.scope)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.get("studies/:uid/history") { _, context in
            let principal = try Self.reader(context)
            let items = try await store.patientHistory(ofStudy: try context.parameters.require("uid"), scope: principal.scope)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.get("studies/:uid/reports") { _, context in
            let principal = try Self.reader(context)
            let items = try await store.reports(ofStudy: try context.parameters.require("uid"), scope: principal.scope)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.get("series/:uid/instances") { _, context in
            let principal = try Self.reader(context)
            // The stored metadata goes out as its JSON text (PlatformStore.instancesPageJSON), not decoded and encoded again.
            let json = try await store.instancesPageJSON(ofSeries: try context.parameters.require("uid"), scope: principal.scope)
            return bytesResponse(json, contentType: "application/json; charset=utf-8")
        }
        api.get("instances/:uid/frames/:n") { request, context in
            let principal = try Self.reader(context)
            guard let number = Int(try context.parameters.require("n")), number >= 1 else {
                throw APIError.badParameter("n", "frame numbers start at 1")
            }
            let instance = try await store.storedInstance(try context.parameters.require("uid"), scope: principal.scope)
            return try await frameResponse(instance, number: number, request: request)
        }
        // The series' first frame as a viewer stacks it (PlatformStore.firstImageInstance), for a client that does not
        // have the instance list yet (the web app's start-up script): the same answer as that frame's own route, which
        // Content-Location names. Not cached by the browser: the series may still grow.
        api.get("series/:uid/first-frame") { request, context in
            let principal = try Self.reader(context)
            let instance = try await store.firstImageInstance(ofSeries: try context.parameters.require("uid"), scope: principal.scope)
            var response = try await frameResponse(instance, number: 1, request: request)
            response.headers[.contentLocation] = "/api/v1/instances/\(instance.sopInstanceUID)/frames/1"
            response.headers[.cacheControl] = "private, no-cache"
            return response
        }
        api.get("series/:uid/frames") { request, context in
            let principal = try Self.reader(context)
            let seriesUID = try context.parameters.require("uid")
            var wanted: [(instance: StoredInstance, number: Int)] = []
            for item in try Self.frameBatch(request) {
                let instance = try await store.storedInstance(item.sopInstanceUID, scope: principal.scope)
                guard instance.seriesInstanceUID == seriesUID else {
                    throw APIError(.notFound, "not_found", "instance \(item.sopInstanceUID) is not in series \(seriesUID)")
                }
                // Checked before the answer starts: a streamed answer cannot turn into a 400 later.
                guard item.number <= instance.frameCount else {
                    throw APIError.badParameter("frames", "instance \(item.sopInstanceUID) has \(instance.frameCount) frame(s)")
                }
                wanted.append((instance, item.number))
            }
            let packed = Self.asksForPacking(request, mediaType: FrameWireBatch.mediaType)
            var headers: HTTPFields = [.cacheControl: "private, max-age=86400, immutable", .vary: "Accept, Accept-Encoding",
                                       .contentType: FrameWireBatch.mediaType]
            if (request.headers[.acceptEncoding] ?? "").lowercased().contains("gzip") {
                // Frames compressed one by one (concurrently, and cached) and joined without compressing again, each
                // sent as soon as it and those before it are ready.
                headers[.contentEncoding] = "gzip"
                return Response(status: .ok, headers: headers, body: Self.streamedBatch(wanted, packed: packed, pixels: platform.pixels,
                                                                                        logger: context.logger))
            }
            var frames: [[UInt8]] = []
            for item in wanted { frames.append(try await platform.pixels.wireFrame(item.instance, number: item.number, packed: packed)) }
            return bytesResponse(FrameWireBatch.join(frames), contentType: FrameWireBatch.mediaType, headers: headers)
        }
        api.get("instances/:uid/rendered") { request, context in
            let principal = try Self.reader(context)
            let q = QueryReader(request: request)
            var options = PixelService.RenderOptions()
            options.format = try q.enumeration("format", PixelService.RenderOptions.Format.self) ?? .jpeg
            options.size = try q.int("size", range: 16...4096)
            options.quality = try q.int("quality", range: 1...100) ?? 85
            let center = try q.double("windowCenter"), width = try q.double("windowWidth")
            if (center == nil) != (width == nil) { throw APIError.badParameter(center == nil ? "windowCenter" : "windowWidth", "give both windowCenter and windowWidth") }
            if let center, let width {
                guard width > 0 else { throw APIError.badParameter("windowWidth", "must be positive") }
                options.window = (center, width)
            }
            let frame = try q.int("frame", range: 1...100_000) ?? 1
            let instance = try await store.storedInstance(try context.parameters.require("uid"), scope: principal.scope)
            let bytes = try await platform.pixels.rendered(instance, number: frame, options: options)
            return bytesResponse(bytes, contentType: options.format == .png ? "image/png" : "image/jpeg",
                                 headers: [.cacheControl: "private, max-age=3600"])
        }
        api.get("instances/:uid/file") { _, context in
            let principal = try Self.reader(context)
            let instance = try await store.storedInstance(try context.parameters.require("uid"), scope: principal.scope)
            let bytes = try await store.blobs.get(instance.storageKey)
            await store.audit(.fileDownload, actor: principal.name, actorID: principal.userId, patientId: instance.patientId,
                              studyUID: instance.studyInstanceUID, detail: instance.sopInstanceUID, clientIP: context.clientIP)
            return bytesResponse(bytes, contentType: "application/dicom",
                                 headers: [.contentDisposition: "attachment; filename=\"\(instance.sopInstanceUID).dcm\"", .cacheControl: "private, no-store"])
        }
        api.get("reports/:id") { _, context in
            let principal = try Self.reader(context)
            return try JSONResponse.make(try await store.report(try context.parameters.require("id"), scope: principal.scope).report)
        }
        api.get("reports/:id/file") { _, context in
            let principal = try Self.reader(context)
            let (report, key) = try await store.report(try context.parameters.require("id"), scope: principal.scope)
            await store.audit(.reportView, actor: principal.name, actorID: principal.userId, studyUID: report.studyInstanceUID,
                              detail: report.id, clientIP: context.clientIP)
            guard let key else {
                return bytesResponse(Array(report.text.utf8), contentType: "text/plain; charset=utf-8", headers: [.cacheControl: "private, no-store"])
            }
            return bytesResponse(try await store.blobs.get(key), contentType: report.contentType,
                                 headers: [.contentDisposition: "inline; filename=\"report-\(report.id).pdf\"", .cacheControl: "private, no-store"])
        }
        api.get("reports/:id/pages") { _, context in
            let principal = try Self.reader(context)
            let (report, key) = try await store.report(try context.parameters.require("id"), scope: principal.scope)
            guard let key else { throw APIError(.notFound, "not_found", "report \(report.id) has no document") }
            let count = try await ReportPages.pageCount(store: store, key: key)
            struct PageInfo: Encodable { var number: Int; var url: String }
            let items = (1...max(count, 1)).map { PageInfo(number: $0, url: "/api/v1/reports/\(report.id)/pages/\($0)") }
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.get("reports/:id/pages/:n") { _, context in
            let principal = try Self.reader(context)
            guard let number = Int(try context.parameters.require("n")), number >= 1 else { throw APIError.badParameter("n", "page numbers start at 1") }
            let (report, key) = try await store.report(try context.parameters.require("id"), scope: principal.scope)
            guard let key else { throw APIError(.notFound, "not_found", "report \(report.id) has no document") }
            let png = try await ReportPages.page(store: store, key: key, number: number)
            return bytesResponse(png, contentType: "image/png", headers: [.cacheControl: "private, max-age=3600"])
        }
    }

    /// Starts (or joins) a retrieval from the PACS and answers 202 with a retry hint; nil when no PACS has the study.
    /// Frame `number` of `instance` (MIF1, packed when the request's Accept asks so), gzipped for clients that take it.
    func frameResponse(_ instance: StoredInstance, number: Int, request: Request) async throws -> Response {
        let acceptsGzip = (request.headers[.acceptEncoding] ?? "").lowercased().contains("gzip")
        let packed = Self.asksForPacking(request, mediaType: FrameWireEncoder.mediaType)
        var headers: HTTPFields = [.cacheControl: "private, max-age=86400, immutable", .vary: "Accept, Accept-Encoding"]
        if acceptsGzip {
            headers[.contentEncoding] = "gzip"
            let piece = try await platform.pixels.wirePiece(instance, number: number, packed: packed)
            return bytesResponse(Gzip.join([piece]), contentType: FrameWireEncoder.mediaType, headers: headers)
        }
        let frame = try await platform.pixels.wireFrame(instance, number: number, packed: packed)
        return bytesResponse(frame, contentType: FrameWireEncoder.mediaType, headers: headers)
    }

    func retrieveFromPACS(_ uid: String, principal: Principal) async throws -> Response? {
        guard let pacs = platform.pacs, principal.has(.doctor, .integration), IndexEntryValidation.isUID(uid) else { return nil }
        switch await pacs.requestStudy(uid) {
        case .retrieving:
            return try JSONResponse.make(["status": "retrieving", "message": "the study is being retrieved from the PACS; try again shortly"],
                                         status: .accepted, headers: [.retryAfter: "2"])
        case .notFound, .noPeers:
            return nil
        }
    }

    /// The most frames one batch request may ask for: enough to cut a CT's requests by an order of magnitude,
    /// little enough that one answer stays a few megabytes and a cancelled batch wastes little.
    static let maximumBatch = 32

    /// Whether the request's Accept names `mediaType` with `packing=1` (`Accept: application/vnd.mi-frame; packing=1`):
    /// only then is MIF1's payload packed, so that clients that do not know packing get the planar bytes.
    static func asksForPacking(_ request: Request, mediaType: String) -> Bool {
        request.headers[values: .accept].contains { acceptsPacking($0, mediaType: mediaType) }
    }

    /// Whether one Accept field value (media ranges separated by commas) names `mediaType` with `packing=1`.
    static func acceptsPacking(_ accept: String, mediaType: String) -> Bool {
        accept.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == mediaType else { return false }
            return parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return pair.count == 2 && pair[0] == "packing" && pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == "1"
            }
        }
    }

    /// A gzip'd batch body written frame by frame as the frames are encoded (`PixelService.wirePieces(_:packed:deliver:)`).
    /// A frame that cannot be read or decoded ends the batch early but whole: the frames before it, then the gzip
    /// trailer. The client sees fewer frames than it asked for and asks for the others one by one, so that the bad
    /// frame fails alone with its own error.
    static func streamedBatch(_ wanted: [(instance: StoredInstance, number: Int)], packed: Bool, pixels: PixelService,
                              logger: Logger, flushBytes: Int = 48 * 1024) -> ResponseBody {
        ResponseBody { writer in
            /// A failed write: the client went away. It ends the body without a trailer.
            struct WriteFailed: Error { let underlying: any Error }
            var member = Gzip.Member()
            var sent = 0
            // Written in runs of about `flushBytes` (a few frames): one write per frame costs more than it gains when
            // the frames come from the cache.
            var pending = Gzip.Member.header
            do {
                try await pixels.wirePieces(wanted, packed: packed) { index, piece in
                    for part in try FrameWireBatch.gzipPieces(piece) { pending += member.append(part) }
                    sent += 1
                    if pending.count >= flushBytes || index == wanted.count - 1 {
                        do { try await writer.write(ByteBuffer(bytes: pending)) } catch { throw WriteFailed(underlying: error) }
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            } catch let failed as WriteFailed {
                throw failed.underlying
            } catch {
                logger.warning("frame batch ended after \(sent) of \(wanted.count) frames: \(error)")
            }
            try await writer.write(ByteBuffer(bytes: pending + member.trailer))
            try await writer.finish(nil)
        }
    }

    /// `frames={sopInstanceUID}/{frameNumber},…` of `GET series/{uid}/frames`, each checked; a bad one is a 400.
    static func frameBatch(_ request: Request) throws -> [FrameBatchItem] {
        guard let list = QueryReader(request: request).string("frames") else {
            throw APIError.badParameter("frames", "give the frames as {sopInstanceUID}/{frameNumber},…")
        }
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= maximumBatch else { throw APIError.badParameter("frames", "at most \(maximumBatch) frames per request") }
        return try items.map { raw -> FrameBatchItem in
            let item = String(raw).removingPercentEncoding ?? String(raw)
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, IndexEntryValidation.isUID(String(parts[0])), let number = Int(parts[1]), number >= 1 else {
                throw APIError.badParameter("frames", "each frame is {sopInstanceUID}/{frameNumber} with frame numbers from 1")
            }
            return FrameBatchItem(sopInstanceUID: String(parts[0]), number: number)
        }
    }

    /// Worklist parameters, each checked; a bad one is a 400 that names it.
    static func worklistQuery(_ request: Request) throws -> WorklistQuery {
        let q = QueryReader(request: request)
        var query = WorklistQuery()
        if let modality = q.string("modality") {
            guard modality.count <= 16, modality.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw APIError.badParameter("modality", "must be a DICOM modality code such as CT")
            }
            query.modality = modality
        }
        query.dateFrom = try q.date("dateFrom")
        query.dateTo = try q.date("dateTo")
        if let from = query.dateFrom, let to = query.dateTo, from > to { throw APIError.badParameter("dateFrom", "must not be after dateTo") }
        query.name = q.string("name")
        query.nameExact = q.string("nameExact")
        query.patientId = q.string("patientId")
        query.accessionNumber = q.string("accessionNumber")
        query.status = try q.enumeration("status", StudyStatus.self)
        query.visitType = try q.enumeration("visitType", VisitType.self)
        query.sort = try q.enumeration("sort", WorklistQuery.SortKey.self) ?? .date
        query.order = try q.enumeration("order", WorklistQuery.Order.self) ?? (query.sort == .date ? .desc : .asc)
        query.limit = try q.int("limit", range: 1...WorklistQuery.maximumLimit) ?? 50
        if let cursor = q.string("cursor") {
            guard let offset = WorklistCursor.decode(cursor) else { throw APIError.badParameter("cursor", "is not a cursor this server issued") }
            query.offset = offset
        } else if let page = try q.int("page", range: 1...1_000_000) {
            query.offset = (page - 1) * query.limit
        } else {
            query.offset = try q.int("offset", range: 0...100_000_000) ?? 0
        }
        return query
    }
}

/// One frame a batch request asks for.
struct FrameBatchItem: Sendable, Hashable {
    var sopInstanceUID: String
    /// From 1, as DICOMweb numbers frames.
    var number: Int
}
