import Foundation
import Hummingbird
import PlatformServices

/// `mi-server demo --test-clock` only: end-to-end tests move the server's clock forward (`Clock.advance`) to see a
/// share or a session expire without waiting. Not registered otherwise, so it answers 404 on every real server.
struct TestClockRoutes {
    struct Now: Encodable {
        var now: String
        var epochSeconds: Int64
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("test/clock") { _, _ in
            try JSONResponse.make(Now(now: APITime.string(Clock.epochSeconds()), epochSeconds: Clock.epochSeconds()))
        }
        api.post("test/clock") { request, _ in
            struct Body: Decodable { var advanceSeconds: Int64 }
            let body = try await JSONBody.decode(Body.self, request, limit: 1024)
            guard (0...(366 * 86_400)).contains(body.advanceSeconds) else {
                throw APIError.badParameter("advanceSeconds", "must be 0...31622400 (the clock only moves forward)")
            }
            Clock.advance(by: body.advanceSeconds)
            return try JSONResponse.make(Now(now: APITime.string(Clock.epochSeconds()), epochSeconds: Clock.epochSeconds()))
        }
    }
}
