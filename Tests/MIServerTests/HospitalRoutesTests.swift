import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PlatformServices
@testable import mi_server

/// `POST /hospitals` and `PATCH /hospitals/{id}`: administrators only, audited, errors that name the field; and the
/// rejection of a registration, which needs a reason.
@Suite struct HospitalRoutesTests {
    @Test func administratorsCreateAndChangeHospitalsThatSignUpThenOffers() async throws {
        try await TestServer.with { _, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            let created = try await client.execute(uri: "/api/v1/hospitals", method: .post, headers: json,
                                                   body: ByteBuffer(string: #"{"id":"west","name":"城西医院","aliases":["West Hospital"],"departments":["超声科"]}"#))
            #expect(created.status == .created)
            #expect(try TestServer.json(created)["departments"] as? [String] == ["超声科"])
            let changed = try await client.execute(uri: "/api/v1/hospitals/west", method: .patch, headers: json,
                                                   body: ByteBuffer(string: #"{"name":"城西人民医院","addDepartments":["放射科"],"removeDepartments":["超声科"]}"#))
            #expect(changed.status == .ok)
            let hospital = try TestServer.json(changed)
            #expect(hospital["name"] as? String == "城西人民医院" && hospital["departments"] as? [String] == ["放射科"])
            // The public list (sign-up's pick list) has it.
            let list = try TestServer.json(try await client.execute(uri: "/api/v1/hospitals", method: .get))
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(items.contains { $0["id"] as? String == "west" && $0["departments"] as? [String] == ["放射科"] })
            let audit = try TestServer.json(try await client.execute(uri: "/api/v1/audit?action=hospital.change", method: .get, headers: TestServer.bearer(admin)))
            #expect(audit["total"] as? Int == 2)
        }
    }

    @Test func badHospitalRequestsNameTheParameterAndConflictsSayWhy() async throws {
        try await TestServer.with { _, client in
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            for (body, parameter) in [(#"{"name":"X"}"#, "id"), (#"{"id":"x"}"#, "name"), (#"{"id":"Bad Id","name":"X"}"#, "id"),
                                      (#"{"id":"x","name":" "}"#, "name"), (#"{"id":"x","name":"X","aliases":[""]}"#, "aliases"),
                                      (#"{"id":"x","name":"X","departments":["a","a"]}"#, "departments")] {
                let response = try await client.execute(uri: "/api/v1/hospitals", method: .post, headers: json, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try TestServer.json(response)["parameter"] as? String == parameter, "\(body)")
            }
            let blankDepartment = try await client.execute(uri: "/api/v1/hospitals/h1", method: .patch, headers: json,
                                                           body: ByteBuffer(string: #"{"addDepartments":[" "]}"#))
            #expect(try TestServer.json(blankDepartment)["parameter"] as? String == "department")
            // The doctor account is scoped to h1, not to a department; a department with a scoped account stays.
            let users = try TestServer.json(try await client.execute(uri: "/api/v1/users?q=doctor2", method: .get, headers: TestServer.bearer(admin)))
            let doctor2 = try #require((users["items"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await client.execute(uri: "/api/v1/users/\(doctor2)", method: .patch, headers: json,
                                         body: ByteBuffer(string: #"{"scope":"department:h2:放射科"}"#))
            let inUse = try await client.execute(uri: "/api/v1/hospitals/h2", method: .patch, headers: json,
                                                 body: ByteBuffer(string: #"{"removeDepartments":["放射科"]}"#))
            #expect(inUse.status == .conflict)
            #expect((try TestServer.json(inUse)["message"] as? String ?? "").contains("scoped"))
            // A rename in the same request as a refused removal is not applied either.
            let before = try TestServer.json(try await client.execute(uri: "/api/v1/hospitals", method: .get))
            let renameAndRemove = try await client.execute(uri: "/api/v1/hospitals/h2", method: .patch, headers: json,
                                                           body: ByteBuffer(string: #"{"name":"改名医院","removeDepartments":["放射科"]}"#))
            #expect(renameAndRemove.status == .conflict)
            let after = try TestServer.json(try await client.execute(uri: "/api/v1/hospitals", method: .get))
            #expect(NSDictionary(dictionary: after) == NSDictionary(dictionary: before))
            let taken = try await client.execute(uri: "/api/v1/hospitals/h2", method: .patch, headers: json,
                                                 body: ByteBuffer(string: #"{"aliases":["Demo General Hospital"]}"#))
            #expect(taken.status == .conflict)
            let missing = try await client.execute(uri: "/api/v1/hospitals/nowhere", method: .patch, headers: json, body: ByteBuffer(string: #"{"name":"X"}"#))
            #expect(missing.status == .notFound)
        }
    }

    @Test func onlyAdministratorsChangeHospitals() async throws {
        try await TestServer.with { server, client in
            let doctor = try await TestServer.login(client, "doctor").accessToken
            let patient = try await TestServer.login(client, "patient").accessToken
            let integration = try await server.integrationToken(client)
            for token in [doctor, patient, integration] {
                let json: HTTPFields = TestServer.bearer(token).merging([.contentType: "application/json"])
                let post = try await client.execute(uri: "/api/v1/hospitals", method: .post, headers: json, body: ByteBuffer(string: #"{"id":"x","name":"X"}"#))
                #expect(post.status == .forbidden)
                let patch = try await client.execute(uri: "/api/v1/hospitals/h1", method: .patch, headers: json, body: ByteBuffer(string: #"{"name":"X"}"#))
                #expect(patch.status == .forbidden)
            }
            let anonymous = try await client.execute(uri: "/api/v1/hospitals", method: .post, headers: [.contentType: "application/json"],
                                                     body: ByteBuffer(string: #"{"id":"x","name":"X"}"#))
            #expect(anonymous.status == .unauthorized)
            #expect(try await server.platform.store.hospitals().map(\.name) == ["演示总医院", "演示东院"])
        }
    }

    @Test func rejectingARegistrationNeedsAReason() async throws {
        try await TestServer.with { server, client in
            let registration = try await server.platform.store.register(RegistrationRequest(name: "新医生", phone: "13900000000", hospitalId: "h1",
                                                                                            department: "放射科", title: "住院医师", username: "newdoc",
                                                                                            password: "Newdoc#2026"))
            let admin = try await TestServer.login(client, "admin").accessToken
            let json: HTTPFields = TestServer.bearer(admin).merging([.contentType: "application/json"])
            for body in ["", #"{}"#, #"{"reason":"   "}"#] {
                let response = try await client.execute(uri: "/api/v1/registrations/\(registration.id)/reject", method: .post, headers: json,
                                                        body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try TestServer.json(response)["parameter"] as? String == "reason", "\(body)")
            }
            let rejected = try await client.execute(uri: "/api/v1/registrations/\(registration.id)/reject", method: .post, headers: json,
                                                    body: ByteBuffer(string: #"{"reason":"证书未核验"}"#))
            #expect(rejected.status == .ok)
            #expect(try TestServer.json(rejected)["reason"] as? String == "证书未核验")
        }
    }
}
