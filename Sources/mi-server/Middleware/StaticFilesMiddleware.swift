import Foundation
import Hummingbird
import ImagingKit
import NIOCore
import NIOPosix
import Synchronization

/// Serves the web client's files from memory, each gzip-compressed once (JavaScript without its comments), ahead of
/// `FileMiddleware`.
///
/// A doctor opening a study loads some forty modules at once. Before this, each request went through the router
/// (a 404), then `FileMiddleware` read the file, then `CompressionMiddleware` compressed it again. zlib alone was a
/// third of the server's CPU time for such a page load (perf, 150 loads of the study page's modules). Now each file
/// is read and compressed the first time it is asked for, and again only when its size or modification time changes
/// (one `stat` per request, so edits under `--web-root` show at once).
///
/// Handled here: GET and HEAD of a regular file of at most `StaticFileCache.maximumSize` bytes. The answer carries
/// `Content-Type` (as `FileMiddleware` names it), `ETag` (from the content; the gzip form has its own),
/// `Last-Modified` and `Vary: Accept-Encoding`, and `If-None-Match` / `If-Modified-Since` get 304. A `Range` is
/// ignored (RFC 9110 §14.2 allows it): the whole file comes, as what is served (JavaScript without its comments)
/// is not the file on disk that a range of `FileMiddleware` would cut. Everything else (folders, larger files, paths
/// that are not files) goes on to `FileMiddleware` and the router.
struct StaticFilesMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let cache: StaticFileCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head,
              let file = try await cache.file(at: request.uri.path)
        else { return try await next(request, context) }
        let gzip = file.gzip != nil && CompressionMiddleware.acceptsGzip(request.headers[.acceptEncoding])
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.eTag] = gzip ? file.gzipETag : file.eTag
        headers[.lastModified] = file.lastModified
        if file.gzip != nil { headers[.vary] = "Accept-Encoding" }
        if file.matches(ifNoneMatch: request.headers[values: .ifNoneMatch], ifModifiedSince: request.headers[.ifModifiedSince]) {
            return Response(status: .notModified, headers: headers)
        }
        let body = gzip ? file.gzip! : file.plain
        if gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: body))
    }
}

/// The web root's files in memory: contents, gzip form and validators, keyed by URL path.
final class StaticFileCache: Sendable {
    /// Larger files are left to `FileMiddleware`, which streams them.
    static let maximumSize = 4 << 20

    /// One file as served.
    struct File: Sendable {
        /// The size of the file on disk (with `modified`, what tells that it changed).
        let size: Int
        let modified: timespec
        let plain: ByteBuffer
        /// Nil when gzip does not make the file smaller, or its type is not text.
        let gzip: ByteBuffer?
        let contentType: String
        let eTag: String
        let gzipETag: String
        let lastModified: String

        /// Whether the client's copy is current: `If-None-Match` names either form's ETag (weak comparison, or `*`),
        /// or, without `If-None-Match`, `If-Modified-Since` is not before the file's modification (whole seconds).
        func matches(ifNoneMatch: [String], ifModifiedSince: String?) -> Bool {
            if !ifNoneMatch.isEmpty {
                let tags = ifNoneMatch.flatMap { $0.split(separator: ",") }.map { tag in
                    let t = tag.trimmingCharacters(in: .whitespaces)
                    return t.hasPrefix("W/") ? String(t.dropFirst(2)) : t
                }
                return tags.contains { $0 == "*" || $0 == eTag || $0 == gzipETag }
            }
            guard let ifModifiedSince, let since = StaticFileCache.httpDateFormatter().date(from: ifModifiedSince) else { return false }
            return Int(modified.tv_sec) <= Int(since.timeIntervalSince1970)
        }
    }

    let root: String
    private let files = Mutex<[String: File]>([:])

    /// - Parameter root: the web root folder.
    init(root: String) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The file at URL path `path` (percent-encoded, as in the request), read when first asked for or changed since;
    /// nil when the path is not a regular file of at most `maximumSize` bytes under the root.
    func file(at path: String) async throws -> File? {
        guard let decoded = path.removingPercentEncoding, decoded.hasPrefix("/"), !decoded.hasSuffix("/"),
              !decoded.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }), !decoded.contains("\0")
        else { return nil }
        let full = root + decoded
        var status = stat()
        guard stat(full, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= Self.maximumSize else { return nil }
        let size = Int(status.st_size), modified = status.st_mtim
        if let known = files.withLock({ $0[decoded] }), known.size == size,
           known.modified.tv_sec == modified.tv_sec, known.modified.tv_nsec == modified.tv_nsec {
            return known
        }
        // Reading and compressing block: on NIO's thread pool, not the cooperative pool.
        let file = try await NIOThreadPool.singleton.runIfActive { () -> File? in
            guard let data = FileManager.default.contents(atPath: full) else { return nil }
            return Self.makeFile(path: decoded, contents: [UInt8](data), modified: modified)
        }
        guard let file else { return nil }
        files.withLock { $0[decoded] = file }
        return file
    }

    /// The served form of `file`: JavaScript without its comments (`JavaScriptComments`), compressed when text.
    static func makeFile(path: String, contents file: [UInt8], modified: timespec) -> File {
        let ext = path.split(separator: "/").last.flatMap { name in name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) } }
        let contentType = ext.flatMap { MediaType.getMediaType(forExtension: $0)?.description } ?? "application/octet-stream"
        let contents = ext == "js" || ext == "mjs" ? JavaScriptComments.strip(file) : file
        let compressible = CompressionMiddleware.compressible.contains { contentType.lowercased().hasPrefix($0) }
        let packed = compressible && contents.count >= CompressionMiddleware.minimumSize ? try? Gzip.compress(contents, level: 9) : nil
        // FNV-1a over the content: a validator, not a security check.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in contents { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let tag = String(hash, radix: 16) + "-" + String(contents.count, radix: 16)
        let date = httpDateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(modified.tv_sec)))
        return File(size: file.count, modified: modified, plain: ByteBuffer(bytes: contents),
                    gzip: packed.flatMap { $0.count < contents.count ? ByteBuffer(bytes: $0) : nil },
                    contentType: contentType, eTag: "\"\(tag)\"", gzipETag: "\"\(tag)-gzip\"", lastModified: date)
    }

    /// RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDateFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
