import Hummingbird
import PlatformServices

/// Reads `Authorization: Bearer …`, verifies the token and puts the principal in the context. A bad token is a 401
/// at once (a client must not silently fall back to anonymous). Routes decide what needs which role.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authorization: AuthorizationServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Other schemes (HTTP Basic for OAuth clients) are the routes' business.
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return try await next(request, context)
        }
        var context = context
        do {
            context.principal = try await authorization.authenticate(bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } catch where error.code == .gone {
            // A share that expired or was revoked: every endpoint answers 410 Gone, never the data.
            throw APIError(error)
        } catch {
            throw unauthorized(error.message, error: "invalid_token")
        }
        // A reset password must be changed before anything else (the profile may be read to show the form).
        if context.principal?.mustChangePassword == true {
            let path = request.uri.path
            let allowed = (path == "/api/v1/me" && request.method == .get) || path == "/api/v1/me/password"
            if !allowed { throw APIError(.forbidden, "password_change_required", "change your temporary password first") }
        }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String, error: String) -> APIError {
        var apiError = APIError(.unauthorized, "unauthorized", message)
        apiError.headers[.wwwAuthenticate] = "Bearer error=\"\(error)\""
        return apiError
    }
}

/// Headers every response carries: no sniffing, no framing, a strict referrer policy, no caching of API answers
/// unless a route says otherwise.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil, request.uri.path.hasPrefix("/api/") || request.uri.path.hasPrefix("/oauth/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
