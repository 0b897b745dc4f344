import Hummingbird
import NIOCore
import PlatformServices

/// The request context every route sees: Hummingbird's core storage plus who is calling.
struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when a valid bearer token came with the request.
    var principal: Principal?
    /// The peer's address, for audit and throttling.
    let remoteAddress: SocketAddress?
    /// Uploads of DICOM objects may be large; JSON bodies are checked per route.
    var maxUploadSize: Int { 512 * 1024 * 1024 }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP as text ("" when unknown).
    var clientIP: String { remoteAddress?.ipAddress ?? "" }

    /// The caller, or 401.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "unauthorized", "an access token is required") }
        return principal
    }

    /// The caller if they hold one of `roles`; 401 without a token, 403 with the wrong role.
    func require(_ roles: Role...) throws -> Principal {
        let principal = try requirePrincipal()
        guard !principal.roles.isDisjoint(with: roles) else {
            throw APIError(.forbidden, "forbidden", "this needs the role \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return principal
    }
}
