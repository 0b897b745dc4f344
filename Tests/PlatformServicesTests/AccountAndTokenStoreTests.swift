import Crypto
import Foundation
import Testing
@testable import PlatformServices

/// Accounts, registrations and the OAuth server's persistence on both engines.
@Suite struct AccountAndTokenStoreTests {
    @Test(arguments: TestDatabases.Engine.allCases)
    func registrationWaitsForApprovalThenBecomesADoctorOfItsHospital(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let request = RegistrationRequest(name: "李医生", phone: "13912345678", hospitalId: "h2", department: "放射科", title: "主治医师",
                                              username: "dr.li", password: "Strong#Pass1")
            let registration = try await store.register(request)
            #expect(registration.status == .pending)
            await #expect { try await store.authenticate(username: "dr.li", password: "Strong#Pass1") } throws: {
                ($0 as? PlatformError)?.code == .accountNotActive && ($0 as? PlatformError)?.accountState == .pendingApproval
            }
            await #expect { try await store.register(request) } throws: { ($0 as? PlatformError)?.code == .conflict }
            var wrongDepartment = request
            wrongDepartment.username = "dr.li2"
            wrongDepartment.department = "骨科"
            await #expect { try await store.register(wrongDepartment) } throws: { ($0 as? PlatformError)?.parameter == "department" }
            let (approved, user) = try await store.approveRegistration(registration.id, decidedBy: "admin")
            #expect(approved.status == .approved && approved.userId == user.id)
            #expect(user.roles == [.doctor] && user.accessScope == .hospital("h2"))
            #expect(try await store.authenticate(username: "DR.LI", password: "Strong#Pass1").id == user.id)
            await #expect { try await store.approveRegistration(registration.id, decidedBy: "admin") } throws: { ($0 as? PlatformError)?.code == .conflict }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func rejectedRegistrationsAreToldWhy(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let registration = try await store.register(RegistrationRequest(name: "王", phone: "13900000001", hospitalId: "h1", department: "骨科",
                                                                            title: "医师", username: "wang", password: "Strong#Pass1"))
            _ = try await store.rejectRegistration(registration.id, reason: "执业证书不符", decidedBy: "admin")
            do {
                _ = try await store.authenticate(username: "wang", password: "Strong#Pass1")
                Issue.record("a rejected registration logged in")
            } catch let error as PlatformError {
                #expect(error.code == .accountNotActive && error.accountState == .rejected)
                #expect(error.message.contains("执业证书不符"))
            }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aRejectionWithoutAReasonIsRefusedAndLeavesTheRegistrationPending(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let registration = try await store.register(RegistrationRequest(name: "赵", phone: "13900000003", hospitalId: "h1", department: "骨科",
                                                                            title: "医师", username: "zhao", password: "Strong#Pass1"))
            for blank in ["", "  \n\t "] {
                await #expect { try await store.rejectRegistration(registration.id, reason: blank, decidedBy: "admin") } throws: {
                    ($0 as? PlatformError)?.parameter == "reason"
                }
            }
            #expect(try await store.registration(registration.id).status == .pending)
            #expect(try await store.rejectRegistration(registration.id, reason: "  证书不符 ", decidedBy: "admin").reason == "证书不符")
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func failedLoginsLockTheAccountForAWhile(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            try await store.createUser(username: "doc", password: "Strong#Pass1", name: "Doc", roles: [.doctor])
            for _ in 0..<5 {
                await #expect { try await store.authenticate(username: "doc", password: "nope") } throws: { ($0 as? PlatformError)?.code == .unauthenticated }
            }
            await #expect { try await store.authenticate(username: "doc", password: "Strong#Pass1") } throws: { ($0 as? PlatformError)?.code == .tooManyRequests }
            let later = try await Clock.$taskOffset.withValue(901) { try await store.authenticate(username: "doc", password: "Strong#Pass1") }
            #expect(later.username == "doc")
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func tokensFollowTheAccount(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let server = AuthorizationServer(issuer: "https://mi.test", store: store, signer: try await TokenSigner.load(from: store))
            _ = try await store.registerClient(clientId: "web", name: "Web", confidential: false, redirectURIs: ["https://mi.test/cb"],
                                               grantTypes: [.authorizationCode, .refreshToken])
            let user = try await store.createUser(username: "doc", password: "Strong#Pass1", name: "Doc", roles: [.doctor], scope: .hospital("h1"))
            let verifier = SecureRandom.token()
            let challenge = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
            let request = try await server.validateAuthorization(["response_type": "code", "client_id": "web", "redirect_uri": "https://mi.test/cb",
                                                                  "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid offline_access unknown"])
            #expect(request.scope == "openid offline_access api")
            let redirect = try await server.issueCode(for: request, user: user)
            let code = try #require(URLComponents(string: redirect)?.queryItems?.first { $0.name == "code" }?.value)
            let tokens = try await server.token(["grant_type": "authorization_code", "code": code, "client_id": "web", "code_verifier": verifier],
                                                authenticatedClient: nil)
            let principal = try await server.authenticate(bearer: tokens.accessToken)
            #expect(principal.userId == user.id && principal.scope == .hospital("h1"))
            let rotated = try await server.token(["grant_type": "refresh_token", "refresh_token": tokens.refreshToken!, "client_id": "web"],
                                                 authenticatedClient: nil)
            // A new signing key is not made on restart: a second signer verifies the first one's tokens.
            let reloaded = AuthorizationServer(issuer: "https://mi.test", store: store, signer: try await TokenSigner.load(from: store))
            #expect(try await reloaded.authenticate(bearer: rotated.accessToken).userId == user.id)
            // Deactivation ends every session at once: access token and refresh token.
            _ = try await store.deactivateUser(user.id)
            await #expect { try await server.authenticate(bearer: rotated.accessToken) } throws: { ($0 as? PlatformError)?.code == .unauthenticated }
            await #expect { try await server.token(["grant_type": "refresh_token", "refresh_token": rotated.refreshToken!, "client_id": "web"],
                                                   authenticatedClient: nil) } throws: { ($0 as? OAuthError)?.error == "invalid_grant" }
            #expect(try await server.introspect(token: rotated.accessToken).active == false)
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func theAuditLogFiltersAndNeverLosesOrder(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            for i in 0..<5 {
                await store.audit(.studyView, actor: i % 2 == 0 ? "a" : "b", patientId: "P\(i)", studyUID: "1.2.\(i)")
            }
            await store.audit(.loginFailure, actor: "b", outcome: "failure")
            var query = AuditQuery()
            query.actor = "b"
            let b = try await store.auditEvents(query)
            #expect(b.total == 3)
            #expect(b.items.first?.action == "login.failure")
            query = AuditQuery()
            query.action = "study.view"
            query.limit = 2
            let page = try await store.auditEvents(query)
            #expect(page.total == 5 && page.items.map(\.patientId) == ["P4", "P3"])
        }
    }
}
