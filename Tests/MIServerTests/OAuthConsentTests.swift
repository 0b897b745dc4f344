import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PlatformServices
@testable import mi_server

/// Clients that are not ours ask the user after sign-in; the answer is kept per user and client, a denial goes back
/// to the client as `access_denied`, and a consent ticket works once, for its own request only.
@Suite struct OAuthConsentTests {
    static let thirdPartyRedirect = "https://partner.example/cb"

    /// Registers a third-party public client and returns a function that starts its sign-in.
    static func partner(_ server: TestServer, _ client: any TestClientProtocol)
        async throws -> @Sendable (_ challenge: String, _ scope: String) async throws -> TestResponse {
        _ = try await server.platform.store.registerClient(clientId: "partner-app", name: "合作方 App", confidential: false,
                                                           redirectURIs: [thirdPartyRedirect], grantTypes: [.authorizationCode], firstParty: false)
        return { challenge, scope in
            try await client.execute(uri: "/oauth/authorize", method: .post, headers: TestServer.formHeaders, body: TestServer.form([
                "response_type": "code", "client_id": "partner-app", "redirect_uri": thirdPartyRedirect, "scope": scope, "state": "p1",
                "code_challenge": challenge, "code_challenge_method": "S256", "username": "doctor", "password": TestServer.passwords["doctor"]!,
            ]))
        }
    }

    static func ticket(_ page: TestResponse) throws -> String {
        let html = String(buffer: page.body)
        let marker = "name=\"consent_ticket\" value=\""
        let start = try #require(html.range(of: marker)).upperBound
        return String(html[start...].prefix { $0 != "\"" })
    }

    static func answer(_ client: any TestClientProtocol, ticket: String, challenge: String, decision: String,
                       scope: String = "openid api") async throws -> TestResponse {
        try await client.execute(uri: "/oauth/authorize", method: .post, headers: TestServer.formHeaders, body: TestServer.form([
            "response_type": "code", "client_id": "partner-app", "redirect_uri": thirdPartyRedirect, "scope": scope, "state": "p1",
            "code_challenge": challenge, "code_challenge_method": "S256", "consent_ticket": ticket, "decision": decision,
        ]))
    }

    @Test func aThirdPartyClientAsksOnceAndTheAnswerIsKept() async throws {
        try await TestServer.with { server, client in
            let signIn = try await Self.partner(server, client)
            let (_, challenge) = TestServer.pkce()
            let page = try await signIn(challenge, "openid api")
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("data-testid=\"consent-allow\"") && html.contains("合作方 App"))
            #expect(html.components(separatedBy: "data-testid=\"consent-scope\"").count - 1 == 2)
            let allowed = try await Self.answer(client, ticket: try Self.ticket(page), challenge: challenge, decision: "allow")
            #expect(allowed.status == .found)
            let location = try #require(allowed.headers[.location])
            #expect(location.hasPrefix(Self.thirdPartyRedirect))
            #expect(TestServer.query(location)["code"] != nil && TestServer.query(location)["state"] == "p1")
            // The same scopes again: no question. More scopes: asked again.
            let again = try await signIn(TestServer.pkce().challenge, "openid api")
            #expect(again.status == .found && TestServer.query(again.headers[.location] ?? "")["code"] != nil)
            let more = try await signIn(TestServer.pkce().challenge, "openid profile api")
            #expect(more.status == .ok && String(buffer: more.body).contains("consent_ticket"))
            var grants = AuditQuery()
            grants.action = AuditAction.consentGrant.rawValue
            let events = try await server.platform.store.auditEvents(grants)
            #expect(events.items.count == 1 && events.items.first?.actor == "doctor")
        }
    }

    @Test func aDenialGoesBackAsAccessDeniedAndTicketsWorkOnceForTheirOwnRequest() async throws {
        try await TestServer.with { server, client in
            let signIn = try await Self.partner(server, client)
            let (_, challenge) = TestServer.pkce()
            let ticket = try Self.ticket(try await signIn(challenge, "openid api"))
            // Another request (another PKCE challenge) cannot use this ticket, and the attempt spends it.
            let stolen = try await Self.answer(client, ticket: ticket, challenge: TestServer.pkce().challenge, decision: "allow")
            #expect(stolen.status == .unauthorized && stolen.headers[.location] == nil)
            #expect(try await Self.answer(client, ticket: ticket, challenge: challenge, decision: "allow").status == .unauthorized)
            let fresh = try Self.ticket(try await signIn(challenge, "openid api"))
            let denied = try await Self.answer(client, ticket: fresh, challenge: challenge, decision: "deny")
            #expect(denied.status == .found)
            let query = TestServer.query(try #require(denied.headers[.location]))
            #expect(query["error"] == "access_denied" && query["code"] == nil && query["state"] == "p1")
            // Denied is not remembered as allowed: the next sign-in asks again.
            #expect(try await signIn(challenge, "openid api").status == .ok)
        }
    }

    @Test func firstPartyClientsNeverAsk() async throws {
        try await TestServer.with { _, client in
            let (_, challenge) = TestServer.pkce()
            let login = try await TestServer.submitLogin(client, username: "doctor", password: TestServer.passwords["doctor"]!, challenge: challenge)
            #expect(login.status == .found && TestServer.query(login.headers[.location] ?? "")["code"] != nil)
        }
    }
}
