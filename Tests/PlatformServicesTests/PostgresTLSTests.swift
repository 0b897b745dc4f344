import Foundation
import Testing
@testable import PlatformServices

/// TLS to PostgreSQL follows the URL's `sslmode`: the test cluster speaks no TLS, so `prefer` (the default) and
/// `disable` connect in the clear, while `require` and `verify-full` refuse to go on without encryption.
@Suite struct PostgresTLSTests {
    static func url(_ mode: String?) throws -> String {
        var components = URLComponents(string: try TestDatabases.postgresURL)!
        if let mode { components.queryItems = [URLQueryItem(name: "sslmode", value: mode)] }
        return components.string!
    }

    @Test(arguments: [nil, "prefer", "allow", "disable"])
    func modesThatAllowPlainConnectionsConnectToAServerWithoutTLS(_ mode: String?) async throws {
        let database = try await PlatformDatabase.open(url: try Self.url(mode), readers: 1)
        let one = try await database.read { try await $0.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
        await database.close()
        #expect(one == 1)
    }

    @Test(arguments: ["require", "verify-ca", "verify-full"])
    func modesThatRequireTLSRefuseAServerWithoutIt(_ mode: String) async throws {
        await #expect { _ = try await PlatformDatabase.open(url: try Self.url(mode), readers: 1) } throws: { error in
            (error as? PlatformError)?.code == .storageFailure
        }
    }

    @Test func anUnknownModeIsAClearError() async throws {
        await #expect { _ = try await PlatformDatabase.open(url: try Self.url("sometimes"), readers: 1) } throws: { error in
            (error as? PlatformError)?.code == .invalidArgument && (error as? PlatformError)?.parameter == "database"
        }
    }
}
