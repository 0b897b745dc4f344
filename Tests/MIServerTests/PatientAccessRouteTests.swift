import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import mi_server
@testable import PlatformServices

/// The QR integration service, patient links with their second factor, manual retrieval, the patient session on
/// the existing study routes, consult messages and the hospital setting, through the router.
@Suite(.serialized) struct PatientAccessRouteTests {
    static func qr(_ client: any TestClientProtocol, _ token: String, _ body: String) async throws -> [String: Any] {
        try await client.object(.post, "/api/v1/integration/qrcodes", token: token, json: body, expect: .created)
    }

    @Test func theIntegrationServiceReturnsALinkWhoseQRCodesZbarReadsBack() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let token = try await fixture.integrationToken()
            for body in [#"{"accessionNumber": "A1"}"#, #"{"studyInstanceUID": "\#(fixture.ct.studyUID)", "errorCorrection": "H", "scale": 4}"#] {
                let answer = try await Self.qr(client, token, body)
                let url = try #require(answer["url"] as? String)
                #expect(url.hasPrefix(PatientAccessFixture.publicURL + "/p/"))
                #expect(answer["studyInstanceUID"] as? String == fixture.ct.studyUID)
                let png = try #require((answer["png"] as? String).flatMap { Data(base64Encoded: $0) })
                #expect(try await PatientZBar.decode([UInt8](png)) == url)
                let svg = try #require(answer["svg"] as? String)
                #expect(svg.hasPrefix("<?xml") && svg.contains("<svg"))
            }
            // The GET form answers with the PNG itself, the link in a header.
            let image = try await client.call(.get, "/api/v1/integration/qrcodes?accessionNumber=A1&errorCorrection=Q&scale=5", token: token)
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")
            let link = try #require(image.headers[.init("X-Patient-Link")!])
            #expect(try await PatientZBar.decode(Array(buffer: image.body)) == link)
            let svg = try await client.call(.get, "/api/v1/integration/qrcodes?studyInstanceUID=\(fixture.ct.studyUID)&format=svg", token: token)
            #expect(svg.headers[.contentType] == "image/svg+xml")
            // Each call is a new, separately revocable link.
            let links = try await client.object(.get, "/api/v1/integration/patient-links?studyInstanceUID=\(fixture.ct.studyUID)", token: token)
            #expect(links["total"] as? Int == 4)
        }
    }

    @Test func theIntegrationServiceIsForIntegrationsOnly() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let integration = try await fixture.integrationToken()
            #expect(try await client.call(.post, "/api/v1/integration/qrcodes", json: #"{"accessionNumber": "A1"}"#).status == .unauthorized)
            for user in ["doctor", "admin", "patient"] {
                let token = try await fixture.token(for: user)
                #expect(try await client.call(.post, "/api/v1/integration/qrcodes", token: token, json: #"{"accessionNumber": "A1"}"#).status == .forbidden)
                #expect(try await client.call(.get, "/api/v1/integration/qrcodes?accessionNumber=A1", token: token).status == .forbidden)
            }
            #expect(try await client.call(.post, "/api/v1/integration/qrcodes", token: integration, json: #"{"accessionNumber": "NOPE"}"#).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/integration/qrcodes", token: integration, json: #"{}"#).status == .badRequest)
            let bad = try await client.object(.post, "/api/v1/integration/qrcodes", token: integration,
                                              json: #"{"accessionNumber": "A1", "errorCorrection": "X"}"#, expect: .badRequest)
            #expect(bad["parameter"] as? String == "errorCorrection")
            #expect(try await client.call(.get, "/api/v1/integration/qrcodes?accessionNumber=A1&scale=99", token: integration).status == .badRequest)
        }
    }

    /// Over a real socket, without a configured public URL: the link is on the host and port the request came to,
    /// and opening it serves the app.
    @Test func overHTTPTheLinkIsOnTheHostTheRequestCameTo() async throws {
        try await PatientAccessFixture.withApp(.live, publicURL: nil) { fixture, client in
            let port = try #require(client.port)
            let token = try await fixture.integrationToken()
            // The test framework's client always says "Host: localhost"; a client of our own sends the port too.
            let created = try await TestClient.withClient(host: "127.0.0.1", port: port) { raw in
                try await raw.execute(TestClient.Request("/api/v1/integration/qrcodes", method: .post, authority: "127.0.0.1:\(port)",
                                                         headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                                         body: ByteBuffer(string: #"{"accessionNumber": "A1"}"#)))
            }
            #expect(created.head.status == .created)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body ?? ByteBuffer())) as? [String: Any])
            let url = try #require(answer["url"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:\(port)/p/"), "\(url)")
            let png = try #require((answer["png"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(try await PatientZBar.decode([UInt8](png)) == url)
            let path = String(url[try #require(url.range(of: "/p/")).lowerBound...])
            let page = try await client.call(.get, path)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test func theLinkIsAbsoluteOnTheRequestsOwnHostWithoutAPublicURL() throws {
        var config = ServerConfig()
        config.listen.port = 9000
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "films.hospital.local:8443", path: "/api/v1/integration/qrcodes"),
                              body: RequestBody(buffer: ByteBuffer()))
        #expect(PublicLinks.base(request, config: config) == "http://films.hospital.local:8443")
        let hostile = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "evil.example/@x", path: "/"), body: RequestBody(buffer: ByteBuffer()))
        #expect(PublicLinks.base(hostile, config: config) == "http://localhost:9000")
        config.publicURL = "https://films.example.org/"
        #expect(PublicLinks.base(request, config: config) == "https://films.example.org")
    }

    /// Opens and verifies a fresh link to the CT; returns the patient session token.
    static func patientSession(_ fixture: PatientAccessFixture, _ client: any TestClientProtocol) async throws -> String {
        let issued = try await fixture.store.createPatientLink(studyUID: fixture.ct.studyUID, createdBy: "test")
        let entry = try await client.object(.post, "/api/v1/patient-links/\(issued.token)/verify", json: #"{"birthDate": "19800101"}"#)
        return try #require((entry["session"] as? [String: Any])?["accessToken"] as? String)
    }

    @Test func openingAndVerifyingALinkGivesAPatientSessionThatWorksOnTheStudyRoutes() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let integration = try await fixture.integrationToken()
            let url = try #require(try await Self.qr(client, integration, #"{"accessionNumber": "A1"}"#)["url"] as? String)
            let token = String(url.split(separator: "/").last!)
            // Public: the exam with the name masked and its steps; no images yet.
            let opened = try await client.object(.get, "/api/v1/patient-links/\(token)")
            let exam = try #require(opened["exam"] as? [String: Any])
            #expect(exam["patientName"] as? String == "张*")
            #expect((exam["hospital"] as? [String: Any])?["name"] as? String == "演示总医院")
            #expect((exam["steps"] as? [[String: Any]])?.compactMap { $0["step"] as? String } == ["scheduled", "imaging", "report"])
            #expect((exam["steps"] as? [[String: Any]])?.compactMap { $0["current"] as? Bool } == [false, false, true])
            #expect(opened["verification"] as? String == "birthDate")
            #expect(try await client.call(.get, "/api/v1/patient-links/\(SecureRandom.token())").status == .notFound)
            // The wrong birth date is refused; the right one opens a session.
            #expect(try await client.call(.post, "/api/v1/patient-links/\(token)/verify", json: #"{"birthDate": "19800102"}"#).status == .unauthorized)
            let entry = try await client.object(.post, "/api/v1/patient-links/\(token)/verify", json: #"{"birthDate": "1980-01-01"}"#)
            let session = try #require((entry["session"] as? [String: Any])?["accessToken"] as? String)
            #expect((entry["session"] as? [String: Any])?["expiresIn"] as? Int == Int(PatientSession.lifetime))
            // The session reads this patient's exams through the ordinary routes: study, series, instances, frames,
            // rendered, file, reports, the report file, and history.
            try await Self.expectReadable(fixture, client, token: session, study: fixture.ct)
            let history = try await client.object(.get, "/api/v1/studies/\(fixture.ct.studyUID)/history", token: session)
            #expect((history["items"] as? [[String: Any]])?.compactMap { $0["studyInstanceUID"] as? String } == [fixture.mr.studyUID])
            let worklist = try await client.object(.get, "/api/v1/studies", token: session)
            #expect(Set((worklist["items"] as? [[String: Any]])?.compactMap { $0["studyInstanceUID"] as? String } ?? []) == [fixture.ct.studyUID, fixture.mr.studyUID])
            let exams = try await client.object(.get, "/api/v1/patient-access/exams", token: session)
            #expect(exams["total"] as? Int == 2)
            // Another patient's exam does not exist for this session.
            #expect(try await client.call(.get, "/api/v1/studies/\(fixture.other.studyUID)", token: session).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/instances/\(fixture.other.sopUID)/frames/1", token: session).status == .notFound)
            // Signing out ends the session.
            #expect(try await client.call(.delete, "/api/v1/patient-access/session", token: session).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/studies/\(fixture.ct.studyUID)", token: session).status == .unauthorized)
        }
    }

    /// Every read endpoint of an exam answers 200 for `token`.
    static func expectReadable(_ fixture: PatientAccessFixture, _ client: any TestClientProtocol, token: String, study: PatientFixtureInstance,
                               sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for path in readPaths(fixture, study) {
            let answer = try await client.call(.get, path, token: token)
            #expect(answer.status == .ok, "\(path): \(String(buffer: answer.body))", sourceLocation: sourceLocation)
        }
    }

    static func readPaths(_ fixture: PatientAccessFixture, _ study: PatientFixtureInstance) -> [String] {
        var paths = [
            "/api/v1/studies/\(study.studyUID)", "/api/v1/studies/\(study.studyUID)/series", "/api/v1/series/\(study.seriesUID)/instances",
            "/api/v1/instances/\(study.sopUID)/frames/1", "/api/v1/instances/\(study.sopUID)/rendered?format=png",
            "/api/v1/instances/\(study.sopUID)/file", "/api/v1/studies/\(study.studyUID)/reports",
            "/api/v1/patient-access/exams/\(study.studyUID)",
        ]
        if study.studyUID == fixture.ct.studyUID {
            paths += ["/api/v1/reports/\(fixture.reportID)", "/api/v1/reports/\(fixture.reportID)/file"]
        }
        return paths
    }

    @Test func aRevokedLinkIsGoneAndItsPageSaysSo() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let integration = try await fixture.integrationToken()
            let created = try await Self.qr(client, integration, #"{"accessionNumber": "A1"}"#)
            let id = try #require(created["id"] as? String)
            let token = String(try #require(created["url"] as? String).split(separator: "/").last!)
            let page = try await client.call(.get, "/p/\(token)")
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let verified = try await client.object(.post, "/api/v1/patient-links/\(token)/verify", json: #"{"birthDate": "19800101"}"#)
            let session = try #require((verified["session"] as? [String: Any])?["accessToken"] as? String)
            #expect(try await client.call(.delete, "/api/v1/integration/patient-links/\(id)", token: try await fixture.token(for: "doctor")).status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/integration/patient-links/\(id)", token: integration).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/patient-links/\(token)").status == .gone)
            #expect(try await client.call(.get, "/api/v1/studies/\(fixture.ct.studyUID)", token: session).status == .unauthorized)
            let ended = try await client.call(.get, "/p/\(token)")
            #expect(ended.status == .gone && String(buffer: ended.body).contains("data-testid=\"link-expired\""))
        }
    }

    @Test func wrongSecondFactorsAreThrottled() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let issued = try await fixture.store.createPatientLink(studyUID: fixture.ct.studyUID, createdBy: "test")
            for _ in 0..<AttemptLimit.patientVerification.failures {
                #expect(try await client.call(.post, "/api/v1/patient-links/\(issued.token)/verify", json: #"{"birthDate": "20000101"}"#).status == .unauthorized)
            }
            #expect(try await client.call(.post, "/api/v1/patient-links/\(issued.token)/verify", json: #"{"birthDate": "19800101"}"#).status == .tooManyRequests)
        }
    }

    @Test func theHospitalsSecondFactorIsSetByAdministratorsAndUsedByLinks() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            #expect(try await client.object(.get, "/api/v1/hospitals/h1/patient-access")["verification"] as? String == "birthDate")
            let doctor = try await fixture.token(for: "doctor")
            #expect(try await client.call(.put, "/api/v1/hospitals/h1/patient-access", token: doctor, json: #"{"verification": "phoneLast4"}"#).status == .forbidden)
            let admin = try await fixture.token(for: "admin")
            #expect(try await client.call(.put, "/api/v1/hospitals/h1/patient-access", token: admin, json: #"{"verification": "sms"}"#).status == .badRequest)
            _ = try await client.object(.put, "/api/v1/hospitals/h1/patient-access", token: admin, json: #"{"verification": "phoneLast4"}"#)
            try await fixture.store.setPatientPhone(patientKey: "h1/P1", phone: "13912345678")
            let issued = try await fixture.store.createPatientLink(studyUID: fixture.ct.studyUID, createdBy: "test")
            #expect(try await client.object(.get, "/api/v1/patient-links/\(issued.token)")["verification"] as? String == "phoneLast4")
            #expect(try await client.call(.post, "/api/v1/patient-links/\(issued.token)/verify", json: #"{"birthDate": "19800101"}"#).status == .badRequest)
            _ = try await client.object(.post, "/api/v1/patient-links/\(issued.token)/verify", json: #"{"phoneLast4": "5678"}"#)
        }
    }

    @Test func manualRetrievalGivesASessionOrOneGenericFailureAndIsThrottled() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let found = try await client.object(.post, "/api/v1/patient-access/retrieve",
                                                json: #"{"name": "ＺＨＡＮＧ san", "hospitalId": "h1", "examNumber": " a1 ", "examDate": "2026-11-15"}"#)
            #expect((found["exam"] as? [String: Any])?["studyInstanceUID"] as? String == fixture.ct.studyUID)
            let session = try #require((found["session"] as? [String: Any])?["accessToken"] as? String)
            try await Self.expectReadable(fixture, client, token: session, study: fixture.mr)
            var messages = Set<String>()
            let wrongs = [
                #"{"name": "张四", "hospitalId": "h1", "examNumber": "A1", "examDate": "2026-11-15"}"#,
                #"{"name": "张三", "hospitalId": "h2", "examNumber": "A1", "examDate": "2026-11-15"}"#,
                #"{"name": "张三", "hospitalId": "h1", "examNumber": "A2", "examDate": "2026-11-15"}"#,
                #"{"name": "张三", "hospitalId": "h1", "examNumber": "A1", "examDate": "2026-11-14"}"#,
            ]
            for body in wrongs {
                let answer = try await client.object(.post, "/api/v1/patient-access/retrieve", json: body, expect: .notFound)
                messages.insert("\(answer["error"] ?? "")|\(answer["message"] ?? "")")
            }
            #expect(messages.count == 1)
            for _ in wrongs.count..<AttemptLimit.patientRetrieval.failures {
                _ = try await client.object(.post, "/api/v1/patient-access/retrieve", json: wrongs[0], expect: .notFound)
            }
            let throttled = try await client.call(.post, "/api/v1/patient-access/retrieve",
                                                  json: #"{"name": "张三", "hospitalId": "h1", "examNumber": "A1", "examDate": "2026-11-15"}"#)
            #expect(throttled.status == .tooManyRequests)
        }
    }

    @Test func consultMessagesFlowBetweenThePatientAndTheHospitalsDoctors() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let session = try await Self.patientSession(fixture, client)
            let doctor = try await fixture.token(for: "doctor")
            let uid = fixture.ct.studyUID
            let posted = try await client.object(.post, "/api/v1/studies/\(uid)/messages", token: session, json: #"{"body": "请问结果正常吗？"}"#, expect: .created)
            #expect(posted["author"] as? String == "patient")
            let unread = try await client.object(.get, "/api/v1/messages/unread", token: doctor)
            #expect(unread["unread"] as? Int == 1)
            #expect((unread["items"] as? [[String: Any]])?.first?["studyInstanceUID"] as? String == uid)
            #expect(try await client.object(.post, "/api/v1/studies/\(uid)/messages/read", token: doctor)["marked"] as? Int == 1)
            #expect(try await client.object(.get, "/api/v1/messages/unread", token: doctor)["unread"] as? Int == 0)
            _ = try await client.object(.post, "/api/v1/studies/\(uid)/messages", token: doctor, json: #"{"body": "未见异常。"}"#, expect: .created)
            let thread = try await client.object(.get, "/api/v1/studies/\(uid)/messages", token: session)
            #expect((thread["items"] as? [[String: Any]])?.compactMap { $0["author"] as? String } == ["patient", "doctor"])
            #expect(try await client.object(.get, "/api/v1/messages/unread", token: session)["unread"] as? Int == 1)
            // The patient account sees the same thread.
            let account = try await fixture.token(for: "patient")
            #expect(try await client.object(.get, "/api/v1/studies/\(uid)/messages", token: account)["total"] as? Int == 2)
            // Not for: another hospital's doctor (no such exam), administrators, integrations, anonymous callers.
            #expect(try await client.call(.get, "/api/v1/studies/\(uid)/messages", token: try await fixture.token(for: "east")).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/studies/\(uid)/messages", token: try await fixture.token(for: "admin")).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/studies/\(uid)/messages", token: try await fixture.integrationToken(),
                                          json: #"{"body": "x"}"#).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/studies/\(uid)/messages").status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/studies/\(uid)/messages", token: session, json: #"{"body": ""}"#).status == .badRequest)
        }
    }
}
