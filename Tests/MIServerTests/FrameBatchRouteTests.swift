import Foundation
import Hummingbird
import HummingbirdTesting
import ImagingKit
import Testing
@testable import PlatformServices
@testable import mi_server

/// `GET /api/v1/series/{uid}/frames`: several frames in one answer, each as the single-frame route gives it.
@Suite struct FrameBatchRouteTests {
    /// The series UID of the fixture's hospital-1 instance, as the doctor sees it.
    static func seriesH1(_ server: TestServer, _ get: (String) async throws -> TestResponse) async throws -> String {
        let series = try TestServer.json(try await get("/api/v1/studies/\(server.studyH1)/series"))
        return try #require((series["items"] as? [[String: Any]])?.first?["seriesInstanceUID"] as? String)
    }

    /// Splits `application/vnd.mi-frames`: u32 LE length, then that many bytes, repeated.
    static func split(_ body: [UInt8]) throws -> [[UInt8]] {
        var frames: [[UInt8]] = [], at = 0
        while at < body.count {
            guard body.count - at >= 4 else { throw TestFailure("a length is cut short") }
            let n = Int(body[at]) | Int(body[at + 1]) << 8 | Int(body[at + 2]) << 16 | Int(body[at + 3]) << 24
            at += 4
            guard n <= body.count - at else { throw TestFailure("a frame is cut short") }
            frames.append(Array(body[at..<at + n]))
            at += n
        }
        return frames
    }

    @Test func aBatchHoldsTheAskedFramesInOrderEachAsTheSingleFrameRouteGivesIt() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            let single = Array(buffer: try await get("/api/v1/instances/\(server.instanceH1)/frames/1").body)
            let batch = try await get("/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1,\(server.instanceH1)/1")
            #expect(batch.status == .ok)
            #expect(batch.headers[.contentType] == "application/vnd.mi-frames")
            let frames = try Self.split(Array(buffer: batch.body))
            #expect(frames == [single, single])
            #expect(try FrameWireDecoding.decode(frames[0]) == [1024, 16, 169, -1])
        }
    }

    @Test func theFirstFrameRouteAnswersAsTheFramesOwnRouteAndNamesIt() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let series = try await Self.seriesH1(server) { path in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            for accept in ["application/vnd.mi-frame", "application/vnd.mi-frame; packing=1"] {
                for encoding in ["identity", "gzip"] {
                    let headers = TestServer.bearer(token).merging([.accept: accept, .acceptEncoding: encoding])
                    let own = try await client.execute(uri: "/api/v1/instances/\(server.instanceH1)/frames/1", method: .get, headers: headers)
                    let first = try await client.execute(uri: "/api/v1/series/\(series)/first-frame", method: .get, headers: headers)
                    #expect(first.status == .ok)
                    #expect(Array(buffer: first.body) == Array(buffer: own.body), "\(accept), \(encoding)")
                    #expect(first.headers[.contentEncoding] == own.headers[.contentEncoding])
                    #expect(first.headers[.contentLocation] == "/api/v1/instances/\(server.instanceH1)/frames/1")
                    #expect(first.headers[.cacheControl] == "private, no-cache")
                }
            }
            let unknown = try await client.execute(uri: "/api/v1/series/1.2.3.4/first-frame", method: .get, headers: TestServer.bearer(token))
            #expect(unknown.status == .notFound)
            let anonymous = try await client.execute(uri: "/api/v1/series/\(series)/first-frame", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func aBatchIsGzippedForClientsThatAcceptIt() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            let plain = Array(buffer: try await get("/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1").body)
            let gzipped = try await client.execute(uri: "/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1", method: .get,
                                                   headers: TestServer.bearer(token).merging([.acceptEncoding: "gzip"]))
            #expect(gzipped.headers[.contentEncoding] == "gzip")
            #expect(try await CompressionTests.gunzip(Array(buffer: gzipped.body)) == plain)
        }
    }

    @Test func aGzippedBatchOfSeveralFramesUnzipsToThePlainBatchBeforeAndAfterItsFramesAreCached() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            let path = "/api/v1/series/\(series)/frames?frames=" + Array(repeating: "\(server.instanceH1)/1", count: 3).joined(separator: ",")
            let plain = Array(buffer: try await get(path).body)
            #expect(await server.platform.pixels.wireCache.usage.frames == 0, "a plain answer is not cached")
            let gzipHeaders = TestServer.bearer(token).merging([.acceptEncoding: "gzip"])
            let first = try await client.execute(uri: path, method: .get, headers: gzipHeaders)
            #expect(await server.platform.pixels.wireCache.usage.frames == 1, "one frame asked three times is kept once")
            let second = try await client.execute(uri: path, method: .get, headers: gzipHeaders)
            #expect(first.headers[.contentEncoding] == "gzip")
            #expect(try await CompressionTests.gunzip(Array(buffer: first.body)) == plain)
            #expect(Array(buffer: second.body) == Array(buffer: first.body))
        }
    }

    @Test func aGzippedBatchEndsWholeBeforeAFrameThatCannotBeDecodedSoThatTheClientAsksForTheRestAlone() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String, headers: HTTPFields) in
                try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token).merging(headers))
            }
            let series = try await Self.seriesH1(server, { try await get($0, [:]) })
            let study = try await server.platform.store.storedInstance(server.instanceH1, scope: .all)
            var broken = TestImage()
            broken.studyUID = study.studyInstanceUID
            broken.seriesUID = series
            broken.instanceNumber = 2
            broken.pixels = [0x00, 0x04]   // 2 bytes for 2x2 16-bit samples
            _ = try await server.platform.store.ingest(bytes: try broken.bytes(), source: "test")
            let good = "\(server.instanceH1)/1"
            let path = "/api/v1/series/\(series)/frames?frames=\(good),\(good),\(broken.sopUID)/1,\(good)"
            let single = Array(buffer: try await get("/api/v1/instances/\(server.instanceH1)/frames/1", [:]).body)

            let answer = try await get(path, [.acceptEncoding: "gzip"])
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentEncoding] == "gzip")
            // A whole gzip member (gzip -dc checks its CRC and length) holding the two frames before the broken one.
            #expect(try Self.split(try await CompressionTests.gunzip(Array(buffer: answer.body))) == [single, single])
            // Alone, the broken frame is an error of its own, and the frame after it is fine.
            #expect(try await get("/api/v1/instances/\(broken.sopUID)/frames/1", [:]).status.code >= 400)
            #expect(Array(buffer: try await get("/api/v1/series/\(series)/frames?frames=\(good)", [:]).body).count == single.count + 4)
        }
    }

    @Test func aGzippedSingleFrameUnzipsToThePlainFrame() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let path = "/api/v1/instances/\(server.instanceH1)/frames/1"
            let plain = try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token))
            let gzipped = try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token).merging([.acceptEncoding: "gzip"]))
            #expect(gzipped.headers[.contentEncoding] == "gzip")
            #expect(try await CompressionTests.gunzip(Array(buffer: gzipped.body)) == Array(buffer: plain.body))
        }
    }

    @Test func framesOfAnotherSeriesOrOutsideTheScopeAreNotFound() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken   // scope: hospital h1
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            #expect(try await get("/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1,\(server.instanceH2)/1").status == .notFound)
            #expect(try await get("/api/v1/series/1.2.3.999/frames?frames=\(server.instanceH1)/1").status == .notFound)
            let patient = try await TestServer.login(client, "patient").accessToken
            let other = try await client.execute(uri: "/api/v1/series/\(series)/frames?frames=\(server.instanceH2)/1", method: .get,
                                                 headers: TestServer.bearer(patient))
            #expect(other.status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1", method: .get).status == .unauthorized)
        }
    }

    @Test func malformedOrOversizedListsAreBadRequests() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            let tooMany = Array(repeating: "\(server.instanceH1)/1", count: StudyRoutes.maximumBatch + 1).joined(separator: ",")
            for query in ["", "?frames=", "?frames=\(server.instanceH1)", "?frames=\(server.instanceH1)/0", "?frames=x/1",
                          "?frames=\(server.instanceH1)/1,", "?frames=\(server.instanceH1)/1/2", "?frames=\(tooMany)",
                          "?frames=\(server.instanceH1)/2"] {
                let response = try await get("/api/v1/series/\(series)/frames\(query)")
                #expect(response.status == .badRequest, "\(query)")
            }
        }
    }

    @Test func theAcceptParameterSelectsThePackedPayloadAndTheAnswerVariesOnAccept() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let path = "/api/v1/instances/\(server.instanceH1)/frames/1"
            let fetch = { (accept: String?, gzip: Bool) async throws -> TestResponse in
                var headers = TestServer.bearer(token)
                if let accept { headers[.accept] = accept }
                if gzip { headers[.acceptEncoding] = "gzip" }
                return try await client.execute(uri: path, method: .get, headers: headers)
            }
            let plain = try await fetch(nil, false)
            let named = try await fetch("application/vnd.mi-frame", false)
            let packed = try await fetch("application/vnd.mi-frame; packing=1", false)
            let otherType = try await fetch("application/vnd.mi-frames; packing=1", false)
            for response in [plain, named, packed, otherType] {
                #expect(response.status == .ok)
                #expect(response.headers[.vary] == "Accept, Accept-Encoding")
                #expect(response.headers[.contentType] == "application/vnd.mi-frame")
            }
            let plainBytes = Array(buffer: plain.body), packedBytes = Array(buffer: packed.body)
            #expect(Array(buffer: named.body) == plainBytes, "without the parameter the bytes are as before")
            #expect(Array(buffer: otherType.body) == plainBytes, "the parameter counts only on this route's media type")
            #expect(plainBytes[10] & 4 == 0)
            #expect(packedBytes[10] & 4 == 4)
            #expect(try FrameWireEncoder.decode(packedBytes).samples == FrameWireEncoder.decode(plainBytes).samples)
            #expect(try FrameWireDecoding.decode(plainBytes) == [1024, 16, 169, -1])

            // gzip on top, and the cache keeps the two payloads apart.
            let packedGzip = try await fetch("application/vnd.mi-frame; packing=1", true)
            let plainGzip = try await fetch(nil, true)
            #expect(packedGzip.headers[.contentEncoding] == "gzip")
            #expect(try await CompressionTests.gunzip(Array(buffer: packedGzip.body)) == packedBytes)
            #expect(try await CompressionTests.gunzip(Array(buffer: plainGzip.body)) == plainBytes)
            let again = try await fetch("text/plain, application/vnd.mi-frame;packing=1;q=0.9", true)
            #expect(try await CompressionTests.gunzip(Array(buffer: again.body)) == packedBytes)
            #expect(await server.platform.pixels.wireCache.usage.frames == 2, "one frame, cached planar and packed")
        }
    }

    @Test func aBatchIsPackedWhenItsMediaTypeIsAskedWithThePackingParameter() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let series = try await Self.seriesH1(server, get)
            let path = "/api/v1/series/\(series)/frames?frames=\(server.instanceH1)/1,\(server.instanceH1)/1"
            let single = Array(buffer: try await client.execute(uri: "/api/v1/instances/\(server.instanceH1)/frames/1", method: .get,
                                                                headers: TestServer.bearer(token).merging([.accept: "application/vnd.mi-frame; packing=1"])).body)
            let plain = try await get(path)
            #expect(plain.headers[.vary] == "Accept, Accept-Encoding")
            #expect(try Self.split(Array(buffer: plain.body)).allSatisfy { $0[10] & 4 == 0 })
            for gzip in [false, true] {
                var headers = TestServer.bearer(token).merging([.accept: "application/vnd.mi-frames; packing=1"])
                if gzip { headers[.acceptEncoding] = "gzip" }
                let batch = try await client.execute(uri: path, method: .get, headers: headers)
                #expect(batch.status == .ok)
                #expect(batch.headers[.vary] == "Accept, Accept-Encoding")
                let body = gzip ? try await CompressionTests.gunzip(Array(buffer: batch.body)) : Array(buffer: batch.body)
                #expect(try Self.split(body) == [single, single], "gzip \(gzip)")
            }
        }
    }

    @Test func onlyPackingEqualToOneOnTheNamedMediaTypeCounts() {
        let type = "application/vnd.mi-frame"
        #expect(StudyRoutes.acceptsPacking("application/vnd.mi-frame; packing=1", mediaType: type))
        #expect(StudyRoutes.acceptsPacking("text/html, Application/VND.mi-frame ;Packing=\"1\"; q=0.5", mediaType: type))
        #expect(!StudyRoutes.acceptsPacking("application/vnd.mi-frame; packing=0", mediaType: type))
        #expect(!StudyRoutes.acceptsPacking("application/vnd.mi-frame", mediaType: type))
        #expect(!StudyRoutes.acceptsPacking("application/vnd.mi-frames; packing=1", mediaType: type))
        #expect(!StudyRoutes.acceptsPacking("*/*; packing=1", mediaType: type))
    }
}
