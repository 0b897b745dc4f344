import Foundation
import Hummingbird

/// The web app's own paths. The app routes in the browser with the History API (`web/app/router.js`), so a reload,
/// a bookmark or a link to `/studies/{uid}` must answer with the app's `index.html`, as `/` does; the OAuth redirect
/// URI `/app/callback` is one of them. The patient links `/p/{token}` and shares `/s/{token}` are served by
/// `PublicPageRoutes`, which first checks that the link is still live. Static files are served before the router (`FileMiddleware`), so these
/// patterns never hide a file.
struct WebAppRoutes {
    /// Keep in step with `ROUTES` in `web/app/router.js`.
    static let paths = ["/app/callback", "/register", "/worklist", "/me", "/studies/:uid", "/studies/:uid/reports",
                        "/admin", "/admin/registrations", "/admin/users", "/admin/audit", "/admin/clients", "/admin/pacs", "/admin/settings",
                        "/admin/hospitals",
                        "/messages", "/patient", "/patient/retrieve", "/patient/exams/:uid", "/patient/exams/:uid/images",
                        "/patient/exams/:uid/report"]

    let webRoot: String

    func register(on router: Router<AppRequestContext>) {
        for path in Self.paths {
            router.get(RouterPath(path)) { _, _ in try indexPage() }
        }
    }

    /// `index.html`, read per request: it is small, and a changed web root shows at once.
    private func indexPage() throws -> Response {
        guard let data = FileManager.default.contents(atPath: webRoot + "/index.html") else {
            throw APIError(.notFound, "not_found", "the web app is not installed")
        }
        return bytesResponse([UInt8](data), contentType: "text/html; charset=utf-8", headers: [.cacheControl: "no-cache"])
    }
}
