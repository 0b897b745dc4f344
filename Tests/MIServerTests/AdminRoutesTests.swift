import DicomNetwork
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PlatformServices
@testable import mi_server

/// PACS links, OAuth clients, security settings and the audit export, as administrators use them.
@Suite struct AdminRoutesTests {
    @Test func pacsLinksAreManagedAndTestedWithCEcho() async throws {
        var configuration = DicomServerConfiguration(aeTitle: "PEER", port: 0)
        configuration.host = "127.0.0.1"
        configuration.allowedCalledAEs = ["PEER"]
        let peer = try await DicomServer.bind(configuration)
        let serving = Task { try await peer.run() }
        defer { serving.cancel() }
        let peerPort = peer.port
        try await TestServer.with { _, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            let created = try await client.execute(uri: "/api/v1/pacs-nodes", method: .post, headers: json,
                                                   body: ByteBuffer(string: "{\"name\":\"Peer\",\"aeTitle\":\"PEER\",\"host\":\"127.0.0.1\",\"port\":\(peerPort)}"))
            #expect(created.status == .created)
            let id = try #require(try TestServer.json(created)["id"] as? String)
            let echo = try TestServer.json(try await client.execute(uri: "/api/v1/pacs-nodes/\(id)/echo", method: .post, headers: TestServer.bearer(admin)))
            #expect(echo["success"] as? Bool == true)
            #expect((echo["roundTripMs"] as? Double ?? -1) >= 0)
            // A closed port: the test reports failure, it does not error.
            let closed = try await client.execute(uri: "/api/v1/pacs-nodes/\(id)", method: .patch, headers: json, body: ByteBuffer(string: #"{"port":1}"#))
            #expect(closed.status == .ok)
            let failed = try TestServer.json(try await client.execute(uri: "/api/v1/pacs-nodes/\(id)/echo", method: .post, headers: TestServer.bearer(admin)))
            #expect(failed["success"] as? Bool == false)
            #expect(failed["message"] as? String == "无法连接 127.0.0.1:1（连接被拒绝）/ Cannot connect to 127.0.0.1:1 (connection refused)")
            // A listening peer that does not know the AE title says so.
            _ = try await client.execute(uri: "/api/v1/pacs-nodes/\(id)", method: .patch, headers: json,
                                         body: ByteBuffer(string: "{\"port\":\(peerPort),\"aeTitle\":\"NOT_PEER\"}"))
            let rejected = try TestServer.json(try await client.execute(uri: "/api/v1/pacs-nodes/\(id)/echo", method: .post, headers: TestServer.bearer(admin)))
            #expect(rejected["success"] as? Bool == false)
            #expect(rejected["message"] as? String == "127.0.0.1:\(peerPort) 拒绝了关联（对方不认识被叫 AE 名称 NOT_PEER）/ 127.0.0.1:\(peerPort) rejected the association (called AE title NOT_PEER not recognized)")
            let bad = try await client.execute(uri: "/api/v1/pacs-nodes", method: .post, headers: json,
                                               body: ByteBuffer(string: #"{"name":"X","aeTitle":"WAY_TOO_LONG_AE_TITLE","host":"h","port":104}"#))
            #expect(try TestServer.json(bad)["parameter"] as? String == "aeTitle")
            let list = try TestServer.json(try await client.execute(uri: "/api/v1/pacs-nodes", method: .get, headers: TestServer.bearer(admin)))
            #expect(list["total"] as? Int == 1)
            #expect(try await client.execute(uri: "/api/v1/pacs-nodes/\(id)", method: .delete, headers: TestServer.bearer(admin)).status == .noContent)
            let doctor = try await TestServer.login(client, "doctor").accessToken
            #expect(try await client.execute(uri: "/api/v1/pacs-nodes", method: .get, headers: TestServer.bearer(doctor)).status == .forbidden)
        }
        await peer.close()
    }

    @Test func integrationClientsAreCreatedAndTheirSecretsRotated() async throws {
        try await TestServer.with { _, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            let created = try TestServer.json(try await client.execute(uri: "/api/v1/clients", method: .post, headers: json,
                                                                       body: ByteBuffer(string: #"{"clientId":"gw","name":"Gateway","grantTypes":["client_credentials"],"roles":["integration"]}"#)))
            let secret = try #require(created["clientSecret"] as? String)
            let tokenRequest = { (secret: String) in
                try await client.execute(uri: "/oauth/token", method: .post, headers: TestServer.basic("gw", secret),
                                         body: TestServer.form(["grant_type": "client_credentials"]))
            }
            #expect(try await tokenRequest(secret).status == .ok)
            let rotated = try TestServer.json(try await client.execute(uri: "/api/v1/clients/gw/rotate-secret", method: .post, headers: TestServer.bearer(admin)))
            let newSecret = try #require(rotated["clientSecret"] as? String)
            #expect(try await tokenRequest(secret).status == .unauthorized)
            #expect(try await tokenRequest(newSecret).status == .ok)
        }
    }

    @Test func securitySettingsApplyAndTheAuditExportsAsCSV() async throws {
        try await TestServer.with { server, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            var policy = SecurityPolicy()
            policy.passwordMinLength = 12
            let put = try await client.execute(uri: "/api/v1/settings/security", method: .put, headers: json,
                                               body: ByteBuffer(bytes: try JSONEncoder().encode(policy)))
            #expect(put.status == .ok)
            let weak = try await client.execute(uri: "/api/v1/registrations", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: #"{"name":"A","phone":"13900000000","hospitalId":"h1","department":"放射科","title":"T","username":"abcd","password":"Short#12"}"#))
            #expect(try TestServer.json(weak)["parameter"] as? String == "password")
            // A doctor views a study; the CSV export has that row, with the Chinese names intact.
            let doctor = try await TestServer.login(client, "doctor").accessToken
            _ = try await client.execute(uri: "/api/v1/studies/\(server.studyH1)", method: .get, headers: TestServer.bearer(doctor))
            let csv = try await client.execute(uri: "/api/v1/audit.csv?action=study.view", method: .get, headers: TestServer.bearer(admin))
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = String(buffer: csv.body)
            #expect(text.contains("doctor,study.view,success,P1,\(server.studyH1)"))
            // The audit log has no write path.
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                let response = try await client.execute(uri: "/api/v1/audit", method: method, headers: TestServer.bearer(admin))
                #expect(response.status == .notFound || response.status == .methodNotAllowed, "\(method)")
            }
        }
    }
}
