import Foundation
import Hummingbird
import HummingbirdTesting
import PlatformServices
import Testing
@testable import mi_server

/// Keeps `Resources/openapi.json` honest: the document the server serves names exactly the routes the router
/// registers, method for method, with the same path parameters. (Schemas are checked against live answers by
/// `Tests/API/run-schemathesis.sh`.)
@Suite struct OpenAPIDocumentTests {
    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    @Test func everyRegisteredRouteIsDocumented() async throws {
        try await withRouter { registered, documented in
            let missing = registered.subtracting(documented)
            #expect(missing.isEmpty, "registered but not in openapi.json: \(missing.sorted())")
        }
    }

    @Test func everyDocumentedOperationIsRegistered() async throws {
        try await withRouter { registered, documented in
            let extra = documented.subtracting(registered)
            #expect(extra.isEmpty, "in openapi.json but not registered: \(extra.sorted())")
        }
    }

    @Test func documentIsOpenAPI31WithItsComponents() throws {
        let document = try Self.parse(WebResources.openAPIDocument)
        #expect(document["openapi"] as? String == "3.1.0")
        let components = document["components"] as? [String: Any]
        let schemas = Set((components?["schemas"] as? [String: Any] ?? [:]).keys)
        for name in ["StudySummary", "SeriesSummary", "InstanceSummary", "InstanceMetadata", "ReportSummary", "UserAccount", "Registration",
                     "Hospital", "AuditEvent", "OAuthClient", "TokenResponse", "Error"] {
            #expect(schemas.contains(name), "components.schemas lacks \(name)")
        }
        let security = Set((components?["securitySchemes"] as? [String: Any] ?? [:]).keys)
        #expect(security.isSuperset(of: ["oauth2", "bearerJWT"]))
    }

    @Test func auditActionsAreTheServersOwn() throws {
        let document = try Self.parse(WebResources.openAPIDocument)
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let documented = (schemas?["AuditAction"] as? [String: Any])?["enum"] as? [String]
        #expect(documented == AuditAction.allCases.map(\.rawValue))
    }

    // MARK: Support

    /// Builds the router on a throwaway platform, fetches the document as the server serves it, and hands over both
    /// sides as `METHOD /path/{parameter}` strings (Hummingbird's `:name` captures print as `{name}`, as in OpenAPI).
    private func withRouter(_ body: (_ registered: Set<String>, _ documented: Set<String>) throws -> Void) async throws {
        try await withTestPlatform { platform in
            let router = buildRouter(platform)
            // The web app's history routes answer with index.html: pages for browsers, not API operations.
            let pages = Set(WebAppRoutes.paths.map { "GET " + $0.replacingOccurrences(of: ":uid", with: "{uid}") })
            let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" }).subtracting(pages)
            #expect(registered.count > 40, "the router lists its routes")
            let served = try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    return Array(buffer: response.body)
                }
            }
            let paths = try Self.parse(served)["paths"] as? [String: [String: Any]] ?? [:]
            let documented = Set(paths.flatMap { path, item in
                item.keys.filter(Self.httpMethods.contains).map { "\($0.uppercased()) \(path)" }
            })
            try body(registered, documented)
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any], "openapi.json is a JSON object")
    }
}
