import Foundation
import Hummingbird
import ImagingKit
import NIOCore

/// Compresses text answers (the app's HTML pages, JSON, SVG, and web files `StaticFilesMiddleware` leaves to
/// `FileMiddleware`) with gzip for clients that accept it: on a phone network a CT's instance list (some 225 KB of
/// JSON before the first frame can be asked for) arrives several times sooner. The web client's modules and styles
/// come from `StaticFilesMiddleware` already compressed, once. Answers that are already encoded (frames, those
/// files), binary media (DICOM, PNG, PDF), partial content, bodies of unknown length and tiny bodies pass through as
/// they are.
struct CompressionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Below this a body goes as it is: gzip's header and trailer would eat most of the saving.
    static let minimumSize = 1024
    /// Above this a body is not held in memory to be compressed.
    static let maximumSize = 8 << 20
    /// Media types worth compressing (prefixes of `Content-Type`).
    static let compressible = ["text/", "application/javascript", "application/json", "application/problem+json", "image/svg+xml"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method != .head, Self.acceptsGzip(request.headers[.acceptEncoding]),
              response.status == .ok || response.status == .created || (400..<600).contains(response.status.code),
              response.headers[.contentEncoding] == nil, response.headers[.contentRange] == nil,
              let type = response.headers[.contentType]?.lowercased(), Self.compressible.contains(where: { type.hasPrefix($0) }),
              let length = response.body.contentLength, (Self.minimumSize...Self.maximumSize).contains(length)
        else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let plain = Array(buffer: collector.buffer)
        guard let packed = try? Gzip.compress(plain, level: plain.count > 256 << 10 ? 1 : 6), packed.count < plain.count else {
            response.body = ResponseBody(byteBuffer: collector.buffer)
            return response
        }
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(packed.count)
        response.headers[values: .vary].append("Accept-Encoding")
        if let etag = response.headers[.eTag], etag.hasSuffix("\"") {
            // Another representation, another validator (RFC 9110 §8.8.3).
            response.headers[.eTag] = String(etag.dropLast()) + "-gzip\""
        }
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: packed))
        return response
    }

    /// Whether `Accept-Encoding` names gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for item in header.lowercased().split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }
}

/// Gathers a response body in memory (the middleware only does so for bodies of known, bounded length).
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
