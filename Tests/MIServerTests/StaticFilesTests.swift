import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import mi_server

/// The web client's files come from memory (`StaticFilesMiddleware`): compressed once, with validators, and read
/// again when they change on disk.
@Suite struct StaticFilesTests {
    static let module = "/viewer/viewer.js"

    /// The module as served: the file without its comments.
    static var moduleServed: [UInt8] {
        get throws { JavaScriptComments.strip([UInt8](try Data(contentsOf: URL(fileURLWithPath: WebResources.root + module)))) }
    }

    @Test func aModuleIsTheFileWithoutCommentsPlainOrGzippedWithAnETagForEachForm() async throws {
        try await TestServer.with { _, client in
            let served = try Self.moduleServed
            let plain = try await client.execute(uri: Self.module, method: .get, headers: [:])
            #expect(plain.status == .ok)
            #expect(Array(buffer: plain.body) == served)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.contentType] == "text/javascript")
            #expect(plain.headers[.vary] == "Accept-Encoding")
            #expect(plain.headers[.lastModified]?.hasSuffix(" GMT") == true)
            let packed = try await client.execute(uri: Self.module, method: .get, headers: [.acceptEncoding: "gzip, deflate, br"])
            #expect(packed.headers[.contentEncoding] == "gzip")
            #expect(packed.headers[.contentLength] == String(packed.body.readableBytes))
            #expect(try await CompressionTests.gunzip(Array(buffer: packed.body)) == served)
            let plainTag = try #require(plain.headers[.eTag]), packedTag = try #require(packed.headers[.eTag])
            #expect(plainTag != packedTag, "two representations, two validators")
            // The same answer again: the cache's copy.
            let again = try await client.execute(uri: Self.module, method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(again.headers[.eTag] == packedTag && Array(buffer: again.body) == Array(buffer: packed.body))
        }
    }

    @Test func aCurrentCopyGets304AndHeadGetsTheHeadersOnly() async throws {
        try await TestServer.with { _, client in
            let first = try await client.execute(uri: Self.module, method: .get, headers: [.acceptEncoding: "gzip"])
            let tag = try #require(first.headers[.eTag])
            let current = try await client.execute(uri: Self.module, method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: "\"other\", W/\(tag)"])
            #expect(current.status == .notModified)
            #expect(current.body.readableBytes == 0)
            #expect(current.headers[.eTag] == tag)
            let stale = try await client.execute(uri: Self.module, method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: "\"other\""])
            #expect(stale.status == .ok && stale.body.readableBytes > 0)
            let lastModified = try #require(first.headers[.lastModified])
            let since = try await client.execute(uri: Self.module, method: .get, headers: [.ifModifiedSince: lastModified])
            #expect(since.status == .notModified)
            let head = try await client.execute(uri: Self.module, method: .head, headers: [:])
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(try Self.moduleServed.count))
        }
    }

    @Test func aRangeGetsTheWholeFileAndFoldersAndUnknownPathsGoOnToTheFileMiddlewareAndTheRouter() async throws {
        try await TestServer.with { _, client in
            let range = try await client.execute(uri: Self.module, method: .get, headers: [.range: "bytes=0-9"])
            #expect(range.status == .ok)
            #expect(range.headers[.acceptRanges] == nil)
            #expect(Array(buffer: range.body) == (try Self.moduleServed))
            let page = try await client.execute(uri: "/", method: .get, headers: [:])
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let missing = try await client.execute(uri: "/viewer/no-such-module.js", method: .get, headers: [:])
            #expect(missing.status == .notFound)
            let api = try await client.execute(uri: "/api/v1/me", method: .get, headers: [:])
            #expect(api.status == .unauthorized, "the API is not a file")
        }
    }

    @Test func theCacheReadsAChangedFileAgainAndRefusesWhatIsNotAServableFile() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let script = root.appendingPathComponent("app/main.js")
        try Data(String(repeating: "export const a = 1;\n", count: 100).utf8).write(to: script)
        let cache = StaticFileCache(root: root.path)
        let first = try #require(try await cache.file(at: "/app/main.js"))
        #expect(first.plain.readableBytes == 2000)
        #expect(first.gzip != nil && first.gzip!.readableBytes < 2000)
        // Changed on disk (another size): read again, with another validator.
        try Data(String(repeating: "export const b = 22;\n", count: 100).utf8).write(to: script)
        let second = try #require(try await cache.file(at: "/app/main.js"))
        #expect(second.plain.readableBytes == 2100)
        #expect(second.eTag != first.eTag)
        // A binary type is not compressed; a tiny text file is not worth it.
        try Data(repeating: 7, count: 5000).write(to: root.appendingPathComponent("app/x.png"))
        #expect(try await cache.file(at: "/app/x.png")?.gzip == nil)
        try Data("a".utf8).write(to: root.appendingPathComponent("app/tiny.css"))
        #expect(try await cache.file(at: "/app/tiny.css")?.gzip == nil)
        // Not servable from here: a folder, a missing file, a way out of the root, a file over the size limit.
        #expect(try await cache.file(at: "/app") == nil)
        #expect(try await cache.file(at: "/app/") == nil)
        #expect(try await cache.file(at: "/app/missing.js") == nil)
        #expect(try await cache.file(at: "/app/../app/main.js") == nil)
        #expect(try await cache.file(at: "/app/%2e%2e/app/main.js") == nil)
        #expect(try await cache.file(at: "app/main.js") == nil)
        try Data(count: StaticFileCache.maximumSize + 1).write(to: root.appendingPathComponent("app/big.js"))
        #expect(try await cache.file(at: "/app/big.js") == nil)
    }
}
