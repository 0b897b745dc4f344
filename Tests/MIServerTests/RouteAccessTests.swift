import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PlatformServices
@testable import mi_server

/// Every role against the routes: what each may do, what each is refused, and the error shapes.
@Suite struct RouteAccessTests {
    @Test func anonymousCallersGetPublicDataOnly() async throws {
        try await TestServer.with { _, client in
            let hospitals = try await client.execute(uri: "/api/v1/hospitals", method: .get)
            #expect(hospitals.status == .ok)
            let items = try TestServer.json(hospitals)["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["id"] as? String } == ["h1", "h2"])
            for path in ["/api/v1/studies", "/api/v1/me", "/api/v1/users", "/api/v1/registrations", "/api/v1/audit"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(try TestServer.json(response)["error"] as? String == "unauthorized")
            }
        }
    }

    @Test func doctorsSeeTheirScopeAndNothingElse() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "doctor").accessToken   // scope: hospital h1
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            let worklist = try TestServer.json(try await get("/api/v1/studies"))
            #expect(worklist["total"] as? Int == 1)
            #expect((worklist["items"] as? [[String: Any]])?.first?["studyInstanceUID"] as? String == server.studyH1)
            #expect(try await get("/api/v1/studies/\(server.studyH1)").status == .ok)
            for path in ["/api/v1/studies/\(server.studyH2)", "/api/v1/studies/\(server.studyH2)/series",
                         "/api/v1/instances/\(server.instanceH2)/frames/1", "/api/v1/instances/\(server.instanceH2)/file",
                         "/api/v1/instances/\(server.instanceH2)/rendered"] {
                #expect(try await get(path).status == .notFound, "\(path)")
            }
            let frame = try await get("/api/v1/instances/\(server.instanceH1)/frames/1")
            #expect(frame.status == .ok)
            #expect(frame.headers[.contentType] == "application/vnd.mi-frame")
            let decoded = try FrameWireDecoding.decode(Array(buffer: frame.body))
            #expect(decoded == [1024, 16, 169, -1])
            let file = try await get("/api/v1/instances/\(server.instanceH1)/file")
            #expect(Array(Array(buffer: file.body)[128..<132]) == [0x44, 0x49, 0x43, 0x4D])
            for path in ["/api/v1/users", "/api/v1/registrations", "/api/v1/audit", "/api/v1/clients", "/api/v1/settings/security"] {
                #expect(try await get(path).status == .forbidden, "\(path)")
            }
            let order = try await client.execute(uri: "/api/v1/integration/orders", method: .post,
                                                 headers: TestServer.bearer(token).merging([.contentType: "application/json"]),
                                                 body: ByteBuffer(string: #"{"accessionNumber":"X","patientId":"P","patientName":"A","modality":"CT","scheduledTime":"2026-12-01T09:00:00+08:00"}"#))
            #expect(order.status == .forbidden)
        }
    }

    @Test func patientsSeeOnlyTheirOwnExams() async throws {
        try await TestServer.with { server, client in
            let token = try await TestServer.login(client, "patient").accessToken
            let worklist = try TestServer.json(try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(token)))
            #expect((worklist["items"] as? [[String: Any]])?.map { $0["studyInstanceUID"] as? String } == [server.studyH1])
            let other = try await client.execute(uri: "/api/v1/instances/\(server.instanceH2)/frames/1", method: .get, headers: TestServer.bearer(token))
            #expect(other.status == .notFound)
        }
    }

    @Test func administratorsManageAccountsButDoNotReadImages() async throws {
        try await TestServer.with { server, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            #expect(try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(admin)).status == .forbidden)
            let users = try TestServer.json(try await client.execute(uri: "/api/v1/users?q=doc", method: .get, headers: TestServer.bearer(admin)))
            #expect(users["total"] as? Int == 2)
            // Registration → approval → the doctor logs in with the password they chose, scoped to their hospital.
            let registration = try await client.execute(uri: "/api/v1/registrations", method: .post, headers: [.contentType: "application/json"],
                                                        body: ByteBuffer(string: #"{"name":"新医生","phone":"13900000000","hospitalId":"h2","department":"放射科","title":"住院医师","username":"newdoc","password":"Newdoc#2026"}"#))
            #expect(registration.status == .created)
            let id = try #require(try TestServer.json(registration)["id"] as? String)
            let pending = try TestServer.json(try await client.execute(uri: "/api/v1/registrations?status=pending", method: .get, headers: TestServer.bearer(admin)))
            #expect((pending["items"] as? [[String: Any]])?.map { $0["username"] as? String } == ["newdoc"])
            let approve = try await client.execute(uri: "/api/v1/registrations/\(id)/approve", method: .post, headers: TestServer.bearer(admin))
            #expect(approve.status == .ok)
            let newdoc = try await TestServer.login(client, "newdoc", password: "Newdoc#2026").accessToken
            let seen = try TestServer.json(try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(newdoc)))
            #expect((seen["items"] as? [[String: Any]])?.map { $0["studyInstanceUID"] as? String } == [server.studyH2])
            // Deactivation stops the open session at once; the audit log has the admin actions.
            let userID = try #require((try TestServer.json(approve)["user"] as? [String: Any])?["id"] as? String)
            #expect(try await client.execute(uri: "/api/v1/users/\(userID)/deactivate", method: .post, headers: TestServer.bearer(admin)).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(newdoc)).status == .unauthorized)
            let audit = try TestServer.json(try await client.execute(uri: "/api/v1/audit?user=admin", method: .get, headers: TestServer.bearer(admin)))
            let actions = Set((audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["registration.approve", "user.deactivate", "login.success"]))
        }
    }

    @Test func aResetPasswordMustBeChangedBeforeAnythingElse() async throws {
        try await TestServer.with { _, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let users = try TestServer.json(try await client.execute(uri: "/api/v1/users?q=doctor2", method: .get, headers: TestServer.bearer(admin)))
            let id = try #require((users["items"] as? [[String: Any]])?.first?["id"] as? String)
            let reset = try TestServer.json(try await client.execute(uri: "/api/v1/users/\(id)/reset-password", method: .post, headers: TestServer.bearer(admin)))
            let temporary = try #require(reset["temporaryPassword"] as? String)
            let token = try await TestServer.login(client, "doctor2", password: temporary).accessToken
            let blocked = try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(token))
            #expect(blocked.status == .forbidden)
            #expect(try TestServer.json(blocked)["error"] as? String == "password_change_required")
            let change = try await client.execute(uri: "/api/v1/me/password", method: .post,
                                                  headers: TestServer.bearer(token).merging([.contentType: "application/json"]),
                                                  body: ByteBuffer(string: "{\"currentPassword\":\"\(temporary)\",\"newPassword\":\"Fresh#Pass2026\"}"))
            #expect(change.status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(token)).status == .ok)
        }
    }

    @Test func integrationsUploadOrderAndReport() async throws {
        try await TestServer.with { server, client in
            let token = try await server.integrationToken(client)
            var image = TestImage()
            image.accession = "ORD-1"
            image.patientID = "P7"
            image.patientName = "Wang^Fang=王^芳"
            let order = try await client.execute(uri: "/api/v1/integration/orders", method: .post,
                                                 headers: TestServer.bearer(token).merging([.contentType: "application/json"]),
                                                 body: ByteBuffer(string: #"{"accessionNumber":"ORD-1","patientId":"P7","patientName":"Wang^Fang=王^芳","modality":"CT","scheduledTime":"2026-12-01T09:00:00+08:00","visitType":"emergency"}"#))
            #expect(order.status == .created)
            let ordered = try TestServer.json(order)
            #expect(ordered["status"] as? String == "scheduled" && ordered["studyDate"] as? String == "2026-12-01" && ordered["studyTime"] as? String == "09:00:00")
            // RIS clocks often write fractional seconds; the order keeps the wall-clock second.
            let fractional = try await client.execute(uri: "/api/v1/integration/orders", method: .post,
                                                      headers: TestServer.bearer(token).merging([.contentType: "application/json"]),
                                                      body: ByteBuffer(string: #"{"accessionNumber":"ORD-2","patientId":"P8","patientName":"Li^Lei","modality":"MR","scheduledTime":"2026-12-02T14:30:05.250+08:00"}"#))
            #expect(fractional.status == .created)
            let fractionalOrder = try TestServer.json(fractional)
            #expect(fractionalOrder["studyDate"] as? String == "2026-12-02" && fractionalOrder["studyTime"] as? String == "14:30:05")
            #expect((fractionalOrder["scheduledAt"] as? NSNumber)?.int64Value == 1_796_193_005)
            let upload = try await client.execute(uri: "/api/v1/instances", method: .post,
                                                  headers: TestServer.bearer(token).merging([.contentType: "application/dicom"]),
                                                  body: ByteBuffer(bytes: try image.bytes()))
            #expect(upload.status == .ok)
            let bad = try await client.execute(uri: "/api/v1/instances", method: .post,
                                               headers: TestServer.bearer(token).merging([.contentType: "application/dicom"]),
                                               body: ByteBuffer(string: "definitely not DICOM"))
            #expect(bad.status == .unprocessableContent)
            #expect(try TestServer.json(bad)["error"] as? String == "invalid_dicom")
            let report = try await client.execute(uri: "/api/v1/integration/reports", method: .post,
                                                  headers: TestServer.bearer(token).merging([.contentType: "application/json"]),
                                                  body: ByteBuffer(string: #"{"accessionNumber":"ORD-1","text":"未见异常"}"#))
            #expect(report.status == .created)
            let study = try TestServer.json(try await client.execute(uri: "/api/v1/studies/\(image.studyUID)", method: .get, headers: TestServer.bearer(token)))
            #expect(study["status"] as? String == "report" && study["visitType"] as? String == "emergency" && study["patientName"] as? String == "王芳")
        }
    }

    @Test func badInputGetsA4xxThatNamesTheProblem() async throws {
        try await TestServer.with { server, client in
            let token = try await server.integrationToken(client)
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: TestServer.bearer(token)) }
            for (query, parameter) in [("dateFrom=2026-02-30", "dateFrom"), ("limit=0", "limit"), ("limit=abc", "limit"), ("sort=size", "sort"),
                                       ("status=done", "status"), ("visitType=vip", "visitType"), ("cursor=zzz", "cursor"),
                                       ("dateFrom=2026-12-01&dateTo=2026-11-01", "dateFrom"), ("modality=C%27T", "modality")] {
                let response = try await get("/api/v1/studies?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(try TestServer.json(response)["parameter"] as? String == parameter, "\(query)")
            }
            let missing = try await get("/api/v1/no-such-thing")
            #expect(missing.status == .notFound)
            #expect(try TestServer.json(missing)["error"] as? String == "not_found")
            #expect(try await get("/api/v1/instances/\(server.instanceH1)/frames/0").status == .badRequest)
            #expect(try await get("/api/v1/instances/\(server.instanceH1)/frames/2").status == .badRequest)
            #expect(try await get("/api/v1/instances/\(server.instanceH1)/rendered?windowCenter=40").status == .badRequest)
            let big = try await client.execute(uri: "/api/v1/registrations", method: .post, headers: [.contentType: "application/json"],
                                               body: ByteBuffer(string: "{\"name\":\"" + String(repeating: "x", count: 300_000) + "\"}"))
            #expect(big.status == .contentTooLarge)
            let malformed = try await client.execute(uri: "/api/v1/registrations", method: .post, headers: [.contentType: "application/json"],
                                                     body: ByteBuffer(string: #"{"name":"A","phone":"1"#))
            #expect(malformed.status == .badRequest)
            let field = try await client.execute(uri: "/api/v1/registrations", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"name":"A","phone":"12","hospitalId":"h1","department":"放射科","title":"T","username":"abc","password":"Abcdefg#1"}"#))
            #expect(try TestServer.json(field)["parameter"] as? String == "phone")
        }
    }
}

/// Decodes the frame wire format independently of the server's encoder (the documented layout).
enum FrameWireDecoding {
    static func decode(_ bytes: [UInt8]) throws -> [Int] {
        guard bytes.count >= 16, bytes[0..<4] == [0x4D, 0x49, 0x46, 0x31] else { throw TestFailure("not MIF1") }
        let columns = Int(bytes[4]) | Int(bytes[5]) << 8, rows = Int(bytes[6]) | Int(bytes[7]) << 8
        let b = Int(bytes[8]), s = Int(bytes[9]), signed = bytes[10] & 1 != 0, predicted = bytes[10] & 2 != 0
        let n = columns * rows * s
        var values = [Int](repeating: 0, count: n)
        let modulus = 1 << (8 * b)
        for i in 0..<n {
            var r = 0
            for k in 0..<b { r |= Int(predicted ? bytes[16 + k * n + i] : bytes[16 + b * i + k]) << (8 * k) }
            let p = !predicted ? 0 : (i % (columns * s) >= s ? values[i - s] : (i >= columns * s ? values[i - columns * s] : 0))
            values[i] = (r + p) % modulus
        }
        return values.map { signed && $0 >= modulus / 2 ? $0 - modulus : $0 }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}
