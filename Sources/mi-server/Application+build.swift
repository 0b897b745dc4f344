import Foundation
import Hummingbird
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOSSL
import PlatformServices

/// The router with every route and middleware: what `serve`, `demo` and the tests run.
func buildRouter(_ platform: Platform) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: CompressionMiddleware())
    router.add(middleware: ErrorMiddleware())
    let webRoot = platform.config.webRoot ?? WebResources.root
    router.add(middleware: StaticFilesMiddleware(cache: StaticFileCache(root: webRoot)))
    router.add(middleware: FileMiddleware(webRoot, searchForIndexHtml: true))
    router.add(middleware: AuthMiddleware(authorization: platform.authorization))
    router.get("/healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
    OAuthRoutes(platform: platform).register(on: router)
    WebAppRoutes(webRoot: webRoot).register(on: router)
    let api = router.group("api/v1")
    api.get("openapi.json") { _, _ in
        bytesResponse(WebResources.openAPIDocument, contentType: "application/json; charset=utf-8", headers: [.cacheControl: "public, max-age=300"])
    }
    AccountRoutes(platform: platform).register(on: api)
    HospitalRoutes(platform: platform).register(on: api)
    StudyRoutes(platform: platform).register(on: api)
    IntegrationRoutes(platform: platform).register(on: api)
    AdminRoutes(platform: platform).register(on: api)
    PACSRoutes(platform: platform).register(on: api)
    QRCodeRoutes(platform: platform).register(on: api)
    PatientAccessRoutes(platform: platform).register(on: api)
    ShareRoutes(platform: platform).register(on: api)
    PublicPageRoutes(platform: platform).register(on: router)
    if platform.config.testClockControl { TestClockRoutes().register(on: api) }
    return router
}

/// The HTTP(S) application for a platform.
func buildApplication(_ platform: Platform, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    throws -> some ApplicationProtocol {
    let config = platform.config
    let router = buildRouter(platform)
    let configuration = ApplicationConfiguration(address: .hostname(config.listen.host, port: config.listen.port), serverName: nil)
    if let tls = config.tls {
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
        // HTTPS serves HTTP/2 to clients that offer it in ALPN (browsers: every module, API call and frame of a page
        // on one connection, without HTTP/1.1's six-connection queue) and HTTP/1.1 to the others.
        return Application(router: router, server: try .http2Upgrade(tlsConfiguration: tlsConfiguration), configuration: configuration,
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }
    return Application(router: router, server: .http1(), configuration: configuration,
                       onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
}

/// Files shipped with the server: the web client and the OpenAPI document.
enum WebResources {
    static var root: String { Bundle.module.resourceURL!.appendingPathComponent("web").path }
    static let openAPIDocument: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else { return Array("{}".utf8) }
        return [UInt8](data)
    }()
}
