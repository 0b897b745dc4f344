import Foundation
import Hummingbird
import PlatformServices

/// An HTTP error with a JSON body `{ "error": code, "message": text }` (plus `parameter` for bad parameters).
/// Domain errors (`PlatformError`, `OAuthError`) become these at the edge, and only here.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var parameter: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, parameter: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    /// A bad query parameter or body field, named.
    static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "invalid_parameter", "\(name): \(message)", parameter: name)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = ["error": code, "message": message]
        if let parameter { body["parameter"] = parameter }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps a domain error to HTTP.
    init(_ error: PlatformError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .invalidArgument: status = .badRequest
        case .notFound: status = .notFound
        case .forbidden: status = .forbidden
        case .unauthenticated: status = .unauthorized
        case .conflict: status = .conflict
        case .tooManyRequests: status = .tooManyRequests
        case .gone: status = .gone
        case .tooLarge: status = .contentTooLarge
        case .invalidDicom: status = .unprocessableContent
        case .accountNotActive: status = .forbidden
        case .storageFailure: status = .internalServerError
        case .upstreamFailure: status = .badGateway
        }
        self.init(status, error.code.rawValue, error.message, parameter: error.parameter)
    }
}

/// Turns every error into the JSON error shape: domain errors by their code, Hummingbird's own (404, 413...) by
/// status, anything else as a 500 without details (logged, never sent).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as PlatformError {
            throw APIError(error)
        } catch let error as HTTPError {
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .contentTooLarge: code = "too_large"
            case .methodNotAllowed: code = "method_not_allowed"
            case .badRequest: code = "bad_request"
            case .unsupportedMediaType: code = "unsupported_media_type"
            default: code = error.status.code >= 500 ? "server_error" : "bad_request"
            }
            var message = error.body ?? error.status.reasonPhrase
            if error.status == .notFound && error.body == nil { message = "no such resource: \(request.uri.path)" }
            if error.status.code >= 500 { context.logger.error("\(request.method) \(request.uri.path): \(String(reflecting: error))") }
            throw APIError(error.status, code, message)
        } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_body", Self.describe(error))
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            throw APIError(.internalServerError, "server_error", "the server could not complete the request")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "field \(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "the body is not valid JSON" : "field \(path(context.codingPath)) is invalid"
        @unknown default: return "the body is invalid"
        }
    }
}
