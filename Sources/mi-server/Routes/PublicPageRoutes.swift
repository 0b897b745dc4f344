import Foundation
import Hummingbird
import PlatformServices

/// The pages behind the links we hand out: `/s/{token}` (a share) and `/p/{token}` (a patient QR link) serve the
/// web app, which takes it from there; a link that has ended gets a small server-rendered page that says so, with
/// status 410, and never the app.
struct PublicPageRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    func register(on router: Router<AppRequestContext>) {
        router.get("s/:token") { _, context in
            let token = try context.parameters.require("token")
            let state = (try? await store.shareLinkState(token: token)) ?? .gone
            guard case .active = state else { return Self.endedPage(Self.shareExpiredHTML) }
            return try appPage()
        }
        router.get("p/:token") { _, context in
            let token = try context.parameters.require("token")
            do {
                _ = try await store.patientLink(token: token)
            } catch {
                return Self.endedPage(Self.linkEndedHTML)
            }
            return try appPage()
        }
    }

    /// The web app's index.html, not cached (its links carry secrets).
    private func appPage() throws -> Response {
        let root = platform.config.webRoot ?? WebResources.root
        guard let data = FileManager.default.contents(atPath: root + "/index.html") else {
            throw APIError(.notFound, "not_found", "the web app is not installed")
        }
        return bytesResponse([UInt8](data), contentType: "text/html; charset=utf-8", headers: [.cacheControl: "no-store"])
    }

    private static func endedPage(_ html: String) -> Response {
        Response(status: .gone, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func page(testID: String, title: String, heading: String, english: String, advice: String) -> String {
        """
        <!doctype html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(title)</title>
        <style>
        body { margin: 0; padding: 0 12px; font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #f4f6f8; color: #1f2933; }
        main { max-width: 28rem; margin: 18vh auto 0; padding: 2rem 1.5rem; background: #fff; border-radius: 12px; text-align: center;
               box-shadow: 0 1px 4px rgba(0, 0, 0, .08); }
        .icon { display: inline-block; width: 3rem; height: 3rem; color: #9aa5b1; }
        h1 { font-size: 1.35rem; margin: 1rem 0 .25rem; }
        p { margin: .5rem 0; color: #52606d; }
        </style>
        </head>
        <body>
        <main data-testid="\(testID)" role="alert">
        <svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" aria-hidden="true"><path d="M6 3h12M6 21h12M7 3c0 5 10 5 10 9s-10 4-10 9M17 3c0 5-10 5-10 9s10 4 10 9"/></svg>
        <h1>\(heading)</h1>
        <p lang="en">\(english)</p>
        <p>\(advice)</p>
        </main>
        </body>
        </html>

        """
    }

    static let shareExpiredHTML = page(testID: "share-expired", title: "分享已过期 · Share link expired", heading: "此分享链接已过期",
                                       english: "This share link has expired.",
                                       advice: "请联系分享者重新分享。Ask the person who shared it for a new link.")
    static let linkEndedHTML = page(testID: "link-expired", title: "链接已失效 · Link no longer valid", heading: "此链接已失效",
                                    english: "This link is no longer valid.",
                                    advice: "请联系医院获取新的二维码，或使用手动查询。Ask the hospital for a new QR code, or look the exam up by hand.")
}
