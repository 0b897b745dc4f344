import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import mi_server

/// Text answers go gzip-compressed to clients that accept it, and decompress to exactly what an uncompressed request
/// gets; everything else goes as it is.
@Suite struct CompressionTests {
    /// `gzip -dc` of `bytes` (an independent decoder), on a thread of its own: waiting for a process on the
    /// cooperative pool would hold up other tests' tasks. The input goes through a file, so that neither pipe can
    /// fill while the other waits.
    static func gunzip(_ bytes: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { done in
            Thread.detachNewThread {
                done.resume(with: Result {
                    let input = FileManager.default.temporaryDirectory.appendingPathComponent("gunzip-\(UUID().uuidString).gz")
                    try Data(bytes).write(to: input)
                    defer { try? FileManager.default.removeItem(at: input) }
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
                    process.arguments = ["-dc", input.path]
                    let output = Pipe()
                    process.standardOutput = output
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
                    return [UInt8](data)
                })
            }
        }
    }

    @Test func theWebClientsModulesAndTheAPIsJSONAreCompressedWhenAccepted() async throws {
        try await TestServer.with { _, client in
            // A module of the web client and a large JSON answer of the API.
            for (uri, headers) in [("/viewer/viewer.js", HTTPFields()), ("/api/v1/openapi.json", HTTPFields())] {
                let plain = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(plain.status == .ok, "\(uri)")
                #expect(plain.headers[.contentEncoding] == nil, "\(uri) without Accept-Encoding")
                var accepting = headers
                accepting[.acceptEncoding] = "br;q=1, gzip;q=0.8"
                let packed = try await client.execute(uri: uri, method: .get, headers: accepting)
                #expect(packed.status == .ok)
                #expect(packed.headers[.contentEncoding] == "gzip", "\(uri)")
                #expect(packed.headers[.vary]?.contains("Accept-Encoding") == true)
                let body = Array(buffer: packed.body)
                #expect(body.count < plain.body.readableBytes, "\(uri) is smaller compressed")
                #expect(packed.headers[.contentLength] == String(body.count))
                #expect(try await Self.gunzip(body) == Array(buffer: plain.body), "\(uri) decompresses to the same bytes")
            }
        }
    }

    @Test func refusedCodingsBinaryMediaAndSmallBodiesGoAsTheyAre() async throws {
        try await TestServer.with { server, client in
            let refused = try await client.execute(uri: "/viewer/viewer.js", method: .get, headers: [.acceptEncoding: "gzip;q=0, identity"])
            #expect(refused.headers[.contentEncoding] == nil)
            let token = try await TestServer.login(client, "doctor2").accessToken
            var headers = TestServer.bearer(token)
            headers[.acceptEncoding] = "gzip"
            let file = try await client.execute(uri: "/api/v1/instances/\(server.instanceH1)/file", method: .get, headers: headers)
            #expect(file.status == .ok && file.headers[.contentEncoding] == nil, "DICOM goes as stored")
            let health = try await client.execute(uri: "/healthz", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(health.headers[.contentEncoding] == nil, "a tiny body is not worth it")
            #expect(CompressionMiddleware.acceptsGzip("deflate, gzip") && CompressionMiddleware.acceptsGzip("*"))
            #expect(!CompressionMiddleware.acceptsGzip("gzip;q=0") && !CompressionMiddleware.acceptsGzip("br") && !CompressionMiddleware.acceptsGzip(nil))
        }
    }
}
