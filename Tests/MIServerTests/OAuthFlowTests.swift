import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing
@testable import PlatformServices
@testable import mi_server

/// The authorization server end to end through HTTP: code + PKCE, refresh rotation with reuse detection, client
/// credentials, revocation, introspection, metadata and keys, and tokens that must not work.
@Suite struct OAuthFlowTests {
    @Test func theLoginPageIsAFormWithUsernameAndPassword() async throws {
        try await TestServer.with { _, client in
            let (_, challenge) = TestServer.pkce()
            let uri = "/oauth/authorize?response_type=code&client_id=mi-web&redirect_uri=\(TestServer.redirect)&code_challenge=\(challenge)&code_challenge_method=S256&state=x"
            let page = try await client.execute(uri: uri, method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("name=\"username\"") && html.contains("name=\"password\"") && html.contains("type=\"password\""))
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            // An unregistered redirect URI is shown to the user, never followed.
            let bad = try await client.execute(uri: "/oauth/authorize?response_type=code&client_id=mi-web&redirect_uri=https://evil.example/cb&code_challenge=\(challenge)&code_challenge_method=S256", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.headers[.location] == nil)
            // A missing PKCE challenge goes back to the client as an error.
            let noPKCE = try await client.execute(uri: "/oauth/authorize?response_type=code&client_id=mi-web&redirect_uri=\(TestServer.redirect)&state=x", method: .get)
            #expect(noPKCE.status == .found)
            #expect(TestServer.query(noPKCE.headers[.location] ?? "")["error"] == "invalid_request")
        }
    }

    @Test func authorizationCodeWithPKCEGivesTokensThatReachTheAPI() async throws {
        try await TestServer.with { _, client in
            let tokens = try await TestServer.login(client, "doctor")
            #expect(tokens.refreshToken != nil)
            #expect(tokens.scope.split(separator: " ").contains("offline_access"))
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(tokens.accessToken))
            #expect(me.status == .ok)
            #expect(try TestServer.json(me)["username"] as? String == "doctor")
        }
    }

    @Test func theCodeNeedsTheRightVerifierAndWorksOnce() async throws {
        try await TestServer.with { _, client in
            let (verifier, challenge) = TestServer.pkce()
            let login = try await TestServer.submitLogin(client, username: "doctor", password: TestServer.passwords["doctor"]!, challenge: challenge, state: "st8")
            let query = TestServer.query(try #require(login.headers[.location]))
            #expect(query["state"] == "st8")
            let code = try #require(query["code"])
            let exchange = { (verifier: String) in
                try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.formHeaders, body: TestServer.form([
                    "grant_type": "authorization_code", "code": code, "redirect_uri": TestServer.redirect, "client_id": "mi-web", "code_verifier": verifier]))
            }
            let wrong = try await exchange(TestServer.pkce().verifier)
            #expect(wrong.status == .badRequest)
            #expect(try TestServer.json(wrong)["error"] as? String == "invalid_grant")
            // The failed attempt used the code up: even the right verifier fails now (a code is single-use).
            let again = try await exchange(verifier)
            #expect(again.status == .badRequest)
        }
    }

    @Test func refreshRotatesAndAReusedRefreshTokenRevokesTheSession() async throws {
        try await TestServer.with { _, client in
            let first = try await TestServer.login(client, "doctor")
            let refresh = { (token: String) in
                try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.formHeaders,
                                         body: TestServer.form(["grant_type": "refresh_token", "refresh_token": token, "client_id": "mi-web"]))
            }
            let rotated = try await refresh(try #require(first.refreshToken))
            #expect(rotated.status == .ok)
            let second = try JSONDecoder().decode(TokenResponse.self, from: Data(buffer: rotated.body))
            #expect(second.refreshToken != first.refreshToken)
            // The old one comes back: theft assumed, the whole family is revoked, including the new token.
            let reuse = try await refresh(first.refreshToken!)
            #expect(reuse.status == .badRequest)
            let afterReuse = try await refresh(try #require(second.refreshToken))
            #expect(afterReuse.status == .badRequest)
            #expect(try TestServer.json(afterReuse)["error"] as? String == "invalid_grant")
        }
    }

    @Test func clientCredentialsNeedTheSecretAndAConfidentialClient() async throws {
        try await TestServer.with { server, client in
            let token = try await server.integrationToken(client)
            let studies = try await client.execute(uri: "/api/v1/studies", method: .get, headers: TestServer.bearer(token))
            #expect(studies.status == .ok)
            #expect(try TestServer.json(studies)["total"] as? Int == 2)
            let wrongSecret = try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.basic("mi-integration", "nope"),
                                                       body: TestServer.form(["grant_type": "client_credentials"]))
            #expect(wrongSecret.status == .unauthorized)
            #expect(try TestServer.json(wrongSecret)["error"] as? String == "invalid_client")
            let publicClient = try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.formHeaders,
                                                        body: TestServer.form(["grant_type": "client_credentials", "client_id": "mi-web"]))
            #expect(publicClient.status == .badRequest)
            #expect(try TestServer.json(publicClient)["error"] as? String == "unauthorized_client")
            let password = try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.formHeaders,
                                                    body: TestServer.form(["grant_type": "password", "client_id": "mi-web", "username": "doctor", "password": "x"]))
            #expect(try TestServer.json(password)["error"] as? String == "unsupported_grant_type")
        }
    }

    @Test func revocationStopsAccessAndRefreshTokensAtOnce() async throws {
        try await TestServer.with { _, client in
            let tokens = try await TestServer.login(client, "doctor")
            for token in [tokens.accessToken, tokens.refreshToken!] {
                let revoke = try await client.execute(uri: "/oauth/revoke", method: .post, headers: TestServer.formHeaders,
                                                      body: TestServer.form(["token": token, "client_id": "mi-web"]))
                #expect(revoke.status == .ok)
            }
            let api = try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(tokens.accessToken))
            #expect(api.status == .unauthorized)
            let refresh = try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.formHeaders,
                                                   body: TestServer.form(["grant_type": "refresh_token", "refresh_token": tokens.refreshToken!, "client_id": "mi-web"]))
            #expect(refresh.status == .badRequest)
        }
    }

    @Test func introspectionAnswersConfidentialClientsOnly() async throws {
        try await TestServer.with { server, client in
            let tokens = try await TestServer.login(client, "doctor")
            let ask = { (token: String, headers: HTTPFields) in
                try await client.execute(uri: "/oauth/introspect", method: .post, headers: headers, body: TestServer.form(["token": token]))
            }
            let basic = TestServer.basic("mi-integration", server.integrationSecret)
            let active = try TestServer.json(try await ask(tokens.accessToken, basic))
            #expect(active["active"] as? Bool == true)
            #expect(active["username"] as? String == "doctor")
            #expect(active["client_id"] as? String == "mi-web")
            #expect(try TestServer.json(try await ask(tokens.refreshToken!, basic))["active"] as? Bool == true)
            #expect(try TestServer.json(try await ask("garbage", basic))["active"] as? Bool == false)
            #expect(try await ask(tokens.accessToken, TestServer.formHeaders).status == .unauthorized)
        }
    }

    @Test func expiredForgedAndTamperedTokensAreRefused() async throws {
        try await TestServer.with { _, client in
            let tokens = try await TestServer.login(client, "doctor")
            // Expired: the same token an hour later.
            let later = try await Clock.$taskOffset.withValue(3600) {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(tokens.accessToken))
            }
            #expect(later.status == .unauthorized)
            #expect(later.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            // Forged: right claims, another key.
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: ES256PrivateKey(), kid: "forged")
            let parts = tokens.accessToken.split(separator: ".")
            let claims = try JSONDecoder().decode(AccessTokenClaims.self, from: Data(try #require(Base64URL.decode(String(parts[1])))))
            let forged = try await keys.sign(claims, kid: "forged")
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(forged)).status == .unauthorized)
            // Tampered: the payload changed under the real signature.
            var payload = try JSONSerialization.jsonObject(with: Data(try #require(Base64URL.decode(String(parts[1]))))) as! [String: Any]
            payload["sub"] = "someone-else"
            let tampered = "\(parts[0]).\(Base64URL.encode(try JSONSerialization.data(withJSONObject: payload))).\(parts[2])"
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(tampered)).status == .unauthorized)
            // alg=none.
            let none = Base64URL.encode(Data(#"{"alg":"none","typ":"at+jwt"}"#.utf8)) + "." + parts[1] + "."
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: TestServer.bearer(none)).status == .unauthorized)
        }
    }

    @Test func metadataAndKeysLetAnotherPartyVerifyOurTokens() async throws {
        try await TestServer.with { _, client in
            let metadata = try TestServer.json(try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get))
            #expect(metadata["issuer"] as? String == "http://localhost:8080")
            #expect(metadata["token_endpoint"] as? String == "http://localhost:8080/oauth/token")
            #expect(metadata["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect((metadata["grant_types_supported"] as? [String])?.contains("password") == false)
            let jwks = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            let verifier = JWTKeyCollection()
            try await verifier.add(jwksJSON: String(buffer: jwks.body))
            let tokens = try await TestServer.login(client, "doctor")
            let claims = try await verifier.verify(tokens.accessToken, as: AccessTokenClaims.self)
            #expect(claims.client_id == "mi-web")
            #expect(claims.aud.value == ["mi-api"])
            let header = try JSONSerialization.jsonObject(with: Data(try #require(Base64URL.decode(String(tokens.accessToken.split(separator: ".")[0]))))) as! [String: Any]
            #expect(header["typ"] as? String == "at+jwt" && header["alg"] as? String == "ES256")
        }
    }

    @Test func wrongPasswordsAreThrottledAndPendingAccountsAreTold() async throws {
        try await TestServer.with { server, client in
            let (_, challenge) = TestServer.pkce()
            let wrong = try await TestServer.submitLogin(client, username: "doctor", password: "wrong-password-1", challenge: challenge)
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("login-error"))
            #expect(wrong.headers[.location] == nil)
            for _ in 0..<4 { _ = try await TestServer.submitLogin(client, username: "doctor", password: "wrong-password-1", challenge: challenge) }
            // Five failures lock the account, even for the right password.
            let locked = try await TestServer.submitLogin(client, username: "doctor", password: TestServer.passwords["doctor"]!, challenge: challenge)
            #expect(locked.status == .tooManyRequests)
            // A pending registration is told it waits for approval.
            _ = try await server.platform.store.register(RegistrationRequest(name: "新医生", phone: "13900000000", hospitalId: "h1", department: "放射科",
                                                                             title: "住院医师", username: "newdoc", password: "Newdoc#2026"))
            let pending = try await TestServer.submitLogin(client, username: "newdoc", password: "Newdoc#2026", challenge: challenge)
            #expect(pending.status == .forbidden)
            #expect(String(buffer: pending.body).contains("审核"))
        }
    }

    @Test func theLoginPageSaysWhyADeactivatedOrRejectedAccountCannotSignIn() async throws {
        try await TestServer.with { server, client in
            let (_, challenge) = TestServer.pkce()
            let store = server.platform.store
            let doctor = try #require(try await store.users(matching: "doctor").items.first { $0.username == "doctor" })
            _ = try await store.deactivateUser(doctor.id)
            let deactivated = try await TestServer.submitLogin(client, username: "doctor", password: TestServer.passwords["doctor"]!, challenge: challenge)
            #expect(deactivated.status == .forbidden)
            #expect(String(buffer: deactivated.body).contains("账户已停用"))
            let registration = try await store.register(RegistrationRequest(name: "新医生", phone: "13900000000", hospitalId: "h1", department: "放射科",
                                                                            title: "住院医师", username: "refused", password: "Refused#2026"))
            _ = try await store.rejectRegistration(registration.id, reason: "证书未核验", decidedBy: "admin")
            let rejected = try await TestServer.submitLogin(client, username: "refused", password: "Refused#2026", challenge: challenge)
            #expect(rejected.status == .forbidden)
            let html = String(buffer: rejected.body)
            #expect(html.contains("注册未通过审核") && html.contains("证书未核验"))
        }
    }

    /// The Chinese text follows the account's state, not words in the English message: a rejection whose reason says
    /// "waiting" still reads as a rejection.
    @Test func theLoginPageWordsEachAccountStateFromItsCode() async throws {
        try await TestServer.with { server, client in
            let (_, challenge) = TestServer.pkce()
            let store = server.platform.store
            let pending = try await store.register(RegistrationRequest(name: "等待", phone: "13900000002", hospitalId: "h1", department: "放射科",
                                                                       title: "住院医师", username: "waits", password: "Waits#20261"))
            let pendingPage = String(buffer: try await TestServer.submitLogin(client, username: "waits", password: "Waits#20261", challenge: challenge).body)
            #expect(pendingPage.contains("注册正在等待管理员审核"))
            _ = try await store.rejectRegistration(pending.id, reason: "still waiting for the licence; deactivated elsewhere", decidedBy: "admin")
            let rejectedPage = String(buffer: try await TestServer.submitLogin(client, username: "waits", password: "Waits#20261", challenge: challenge).body)
            #expect(rejectedPage.contains("注册未通过审核") && !rejectedPage.contains("等待管理员审核") && !rejectedPage.contains("账户已停用"))
            let doctor = try #require(try await store.users(matching: "doctor2").items.first)
            _ = try await store.deactivateUser(doctor.id)
            let deactivatedPage = String(buffer: try await TestServer.submitLogin(client, username: "doctor2", password: TestServer.passwords["doctor2"]!,
                                                                                  challenge: challenge).body)
            #expect(deactivatedPage.contains("账户已停用，请联系管理员"))
            // A closed account's password is gone, so its login reads as a wrong password; the wording still exists for the code.
            #expect(OAuthRoutes.inChinese(.closed) == "账户已注销")
            let states = Set(PlatformError.AccountState.allCases.map { OAuthRoutes.inChinese($0) })
            #expect(states.count == PlatformError.AccountState.allCases.count && !states.contains(OAuthRoutes.inChinese(nil)))
        }
    }
}
