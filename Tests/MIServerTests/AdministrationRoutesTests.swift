import Hummingbird
import HummingbirdTesting
import PlatformServices
import Testing
@testable import mi_server

@Suite struct AdministrationRoutesTests {
    /// The API fuzz run had an administrator drop its own role and lose the administration.
    @Test func administratorsCannotRemoveTheirOwnAdministratorRole() async throws {
        try await withTestPlatform { platform in
            let admin = try await platform.store.createUser(username: "root", password: "Admin#2026", name: "Root", roles: [.administrator])
            let token = try await accessToken(for: admin, on: platform)
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            try await Application(router: buildRouter(platform)).test(.router) { client in
                try await client.execute(uri: "/api/v1/users/\(admin.id)", method: .patch, headers: headers,
                                         body: ByteBuffer(string: #"{"roles":["doctor"]}"#)) { response in
                    #expect(response.status == .conflict)
                }
                try await client.execute(uri: "/api/v1/users/\(admin.id)", method: .patch, headers: headers,
                                         body: ByteBuffer(string: #"{"roles":["administrator","doctor"]}"#)) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await platform.store.user(id: admin.id).roles == [.administrator, .doctor])
        }
    }
}
