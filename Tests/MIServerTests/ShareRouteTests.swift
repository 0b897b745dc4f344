import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import mi_server
@testable import PlatformServices

/// Shares through the router: who may share, the recipient's read-only access to that one exam, 410 Gone on every
/// endpoint after expiry or revocation, the expired page, access codes, view counts and the QR code.
@Suite(.serialized) struct ShareRouteTests {
    /// Creates a share as `token`'s owner; returns (id, link token, answer).
    static func share(_ client: any TestClientProtocol, _ token: String, _ body: String) async throws -> (id: String, link: String, answer: [String: Any]) {
        let answer = try await client.object(.post, "/api/v1/shares", token: token, json: body, expect: .created)
        let url = try #require(answer["url"] as? String)
        return (try #require(answer["id"] as? String), String(url.split(separator: "/").last!), answer)
    }

    @Test func aPatientSharesAnExamAndTheRecipientReadsItWithoutAnAccount() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let session = try await PatientAccessRouteTests.patientSession(fixture, client)
            let (id, link, created) = try await Self.share(client, session, #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 3600}"#)
            let url = try #require(created["url"] as? String)
            #expect(url == PatientAccessFixture.publicURL + "/s/" + link)
            #expect(Base64URL.decode(link)?.count == 32)
            #expect(created["requiresAccessCode"] as? Bool == false)
            let png = try #require((created["png"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(try await PatientZBar.decode([UInt8](png)) == url)
            // The page serves the app; the API gives the exam (name masked) and a share session.
            let page = try await client.call(.get, "/s/\(link)")
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let opened = try await client.object(.get, "/api/v1/shares/\(link)")
            #expect((opened["exam"] as? [String: Any])?["patientName"] as? String == "张*")
            let shareSession = try #require(opened["accessToken"] as? String)
            // The share session and the link itself read that exam's series, instances, frames, rendered, file and reports.
            for token in [shareSession, link] {
                try await PatientAccessRouteTests.expectReadable(fixture, client, token: token, study: fixture.ct)
                // ... and nothing else: not the patient's other exam, not the worklist beyond it, no messages, no sharing.
                #expect(try await client.call(.get, "/api/v1/studies/\(fixture.mr.studyUID)", token: token).status == .notFound)
                #expect(try await client.call(.get, "/api/v1/instances/\(fixture.mr.sopUID)/file", token: token).status == .notFound)
                #expect(try await client.call(.get, "/api/v1/studies/\(fixture.ct.studyUID)/history", token: token).status == .ok)
                #expect(try await client.object(.get, "/api/v1/studies/\(fixture.ct.studyUID)/history", token: token)["total"] as? Int == 0)
                #expect(try await client.call(.get, "/api/v1/studies/\(fixture.ct.studyUID)/messages", token: token).status == .forbidden)
                #expect(try await client.call(.post, "/api/v1/shares", token: token,
                                              json: #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 600}"#).status == .forbidden)
                #expect(try await client.call(.get, "/api/v1/shares", token: token).status == .forbidden)
            }
            // The owner's list shows it with its view count; each opening counts.
            _ = try await client.object(.post, "/api/v1/shares/\(link)/open")
            let list = try await client.object(.get, "/api/v1/shares", token: session)
            let item = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(item["id"] as? String == id && item["viewCount"] as? Int == 2 && item["url"] as? String == url)
            // The patient account owns the same list.
            #expect(try await client.object(.get, "/api/v1/shares", token: try await fixture.token(for: "patient"))["total"] as? Int == 1)
        }
    }

    @Test func anExpiredShareIs410OnEveryEndpointAndItsPageSaysSo() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let doctor = try await fixture.token(for: "doctor")
            let (_, link, _) = try await Self.share(client, doctor, #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 120}"#)
            let shareSession = try #require(try await client.object(.get, "/api/v1/shares/\(link)")["accessToken"] as? String)
            try await Clock.$taskOffset.withValue(121) { () async throws in
                try await Self.expectGone(fixture, client, link: link, sessions: [shareSession, link])
                #expect(try await client.object(.get, "/api/v1/shares", token: doctor)["total"] as? Int == 0)
            }
        }
    }

    @Test func aRevokedShareIs410AtOnce() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let session = try await PatientAccessRouteTests.patientSession(fixture, client)
            let end = APITime.string(Clock.epochSeconds() + 7200)
            let (id, link, _) = try await Self.share(client, session, #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresAt": "\#(end)"}"#)
            let shareSession = try #require(try await client.object(.get, "/api/v1/shares/\(link)")["accessToken"] as? String)
            // Only the owner revokes.
            #expect(try await client.call(.delete, "/api/v1/shares/\(id)", token: try await fixture.token(for: "doctor")).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/shares/\(id)", token: shareSession).status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/shares/\(id)").status == .unauthorized)
            #expect(try await client.call(.delete, "/api/v1/shares/\(id)", token: session).status == .noContent)
            try await Self.expectGone(fixture, client, link: link, sessions: [shareSession, link])
            #expect(try await client.object(.get, "/api/v1/shares", token: session)["total"] as? Int == 0)
        }
    }

    /// Every endpoint the share could reach answers 410 with the JSON error; the API and the page too.
    static func expectGone(_ fixture: PatientAccessFixture, _ client: any TestClientProtocol, link: String, sessions: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for token in sessions {
            for path in PatientAccessRouteTests.readPaths(fixture, fixture.ct) + ["/api/v1/studies/\(fixture.ct.studyUID)/history", "/api/v1/studies"] {
                let answer = try await client.call(.get, path, token: token)
                #expect(answer.status == .gone, "\(path)", sourceLocation: sourceLocation)
                #expect(!(answer.headers[.contentType] ?? "").hasPrefix("image/") && answer.headers[.contentType] != "application/dicom",
                        sourceLocation: sourceLocation)
            }
        }
        #expect(try await client.object(.get, "/api/v1/shares/\(link)", expect: .gone)["error"] as? String == "gone", sourceLocation: sourceLocation)
        #expect(try await client.call(.post, "/api/v1/shares/\(link)/open").status == .gone, sourceLocation: sourceLocation)
        let page = try await client.call(.get, "/s/\(link)")
        #expect(page.status == .gone, sourceLocation: sourceLocation)
        let html = String(buffer: page.body)
        #expect(html.contains("data-testid=\"share-expired\"") && html.contains("此分享链接已过期") && html.contains("This share link has expired"),
                sourceLocation: sourceLocation)
    }

    @Test func theTestClockExistsOnlyWhenTheDemoAsksForIt() async throws {
        try await PatientAccessFixture.withApp { _, client throws in
            #expect(try await client.call(.post, "/api/v1/test/clock", json: #"{"advanceSeconds": 3600}"#).status == .notFound)
        }
    }

    @Test func unknownShareLinksShowTheExpiredPageAndTheAPISaysNotFound() async throws {
        try await PatientAccessFixture.withApp { _, client in
            let unknown = SecureRandom.token()
            let page = try await client.call(.get, "/s/\(unknown)")
            #expect(page.status == .gone && String(buffer: page.body).contains("data-testid=\"share-expired\""))
            #expect(try await client.call(.get, "/api/v1/shares/\(unknown)").status == .notFound)
            #expect(try await client.call(.get, "/api/v1/studies", token: unknown).status == .unauthorized)
        }
    }

    @Test func accessCodesAreAskedForCheckedAndThrottled() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let session = try await PatientAccessRouteTests.patientSession(fixture, client)
            let (_, link, created) = try await Self.share(client, session, #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 86400, "accessCode": "2468"}"#)
            #expect(created["requiresAccessCode"] as? Bool == true)
            #expect(try await client.object(.get, "/api/v1/shares/\(link)", expect: .unauthorized)["error"] as? String == "access_code_required")
            // Without the code the link is no bearer token.
            #expect(try await client.call(.get, "/api/v1/studies/\(fixture.ct.studyUID)", token: link).status == .unauthorized)
            let wrong = try await client.call(.get, "/api/v1/shares/\(link)", headers: [.init("X-Access-Code")!: "1357"])
            #expect(wrong.status == .forbidden)
            let right = try await client.object(.post, "/api/v1/shares/\(link)/open", json: #"{"accessCode": "2468"}"#)
            let shareSession = try #require(right["accessToken"] as? String)
            try await PatientAccessRouteTests.expectReadable(fixture, client, token: shareSession, study: fixture.ct)
            for _ in 1..<AttemptLimit.shareAccessCode.failures {
                #expect(try await client.call(.post, "/api/v1/shares/\(link)/open", json: #"{"accessCode": "0000"}"#).status == .forbidden)
            }
            #expect(try await client.call(.post, "/api/v1/shares/\(link)/open", json: #"{"accessCode": "2468"}"#).status == .tooManyRequests)
        }
    }

    @Test func whoMayShareWhat() async throws {
        try await PatientAccessFixture.withApp { fixture, client in
            let body = { (uid: String) in #"{"studyUID": "\#(uid)", "expiresIn": 600}"# }
            let doctor = try await fixture.token(for: "doctor"), east = try await fixture.token(for: "east")
            let patient = try await fixture.token(for: "patient"), admin = try await fixture.token(for: "admin")
            let integration = try await fixture.integrationToken()
            #expect(try await client.call(.post, "/api/v1/shares", token: doctor, json: body(fixture.other.studyUID)).status == .created)
            #expect(try await client.call(.post, "/api/v1/shares", token: east, json: body(fixture.other.studyUID)).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/shares", token: patient, json: body(fixture.ct.studyUID)).status == .created)
            #expect(try await client.call(.post, "/api/v1/shares", token: patient, json: body(fixture.other.studyUID)).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/shares", token: admin, json: body(fixture.ct.studyUID)).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/shares", token: integration, json: body(fixture.ct.studyUID)).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/shares", json: body(fixture.ct.studyUID)).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/shares", token: admin).status == .forbidden)
            // Ends: at least a minute ahead, at most the policy's maximum; codes of 4–6 digits.
            for (json, parameter) in [
                (#"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 30}"#, "expiresIn"),
                (#"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 2678400}"#, "expiresIn"),
                (#"{"studyUID": "\#(fixture.ct.studyUID)", "expiresAt": "2001-01-01T00:00:00Z"}"#, "expiresAt"),
                (#"{"studyUID": "\#(fixture.ct.studyUID)", "expiresAt": "tomorrow"}"#, "expiresAt"),
                (#"{"studyUID": "\#(fixture.ct.studyUID)", "expiresIn": 600, "accessCode": "12"}"#, "accessCode"),
                (#"{"expiresIn": 600}"#, "studyUID"),
            ] {
                let answer = try await client.object(.post, "/api/v1/shares", token: patient, json: json, expect: .badRequest)
                #expect(answer["parameter"] as? String == parameter, "\(json)")
            }
            let asked = Clock.epochSeconds() + 7200
            let atEnd = try await client.object(.post, "/api/v1/shares", token: patient,
                                                json: #"{"studyUID": "\#(fixture.ct.studyUID)", "expiresAt": \#(asked)}"#, expect: .created)
            #expect((atEnd["expiresAt"] as? String).flatMap(APITime.parse) == asked, "the moment asked for, whole seconds")
        }
    }
}
