import Foundation
import Hummingbird
import PlatformServices

/// `/oauth/*` and `/.well-known/*`: the authorization server's HTTP face. Every rule lives in `AuthorizationServer`.
struct OAuthRoutes {
    let platform: Platform
    var authorization: AuthorizationServer { platform.authorization }

    func register(on router: Router<AppRequestContext>) {
        router.get("/.well-known/oauth-authorization-server") { _, _ in
            try JSONResponse.make(authorization.metadata(), headers: [.cacheControl: "public, max-age=300"])
        }
        router.get("/.well-known/jwks.json") { _, _ in
            try JSONResponse.make(await authorization.signer.jwks(), headers: [.cacheControl: "public, max-age=300"])
        }
        router.get("/oauth/authorize") { request, _ in
            var parameters: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { if parameters[String(name)] == nil { parameters[String(name)] = String(value) } }
            return try await authorize(parameters, login: nil, context: nil)
        }
        router.post("/oauth/authorize") { request, context in
            let form = try await FormBody.read(request, context: context)
            return try await authorize(form, login: (form["username"] ?? "", form["password"] ?? ""), context: context)
        }
        router.post("/oauth/token") { request, context in
            try await token(request, context: context)
        }
        router.post("/oauth/revoke") { request, context in
            let form = try await FormBody.read(request, context: context)
            let client = try await clientFor(request, form: form)
            if let token = form["token"], !token.isEmpty {
                try await authorization.revoke(token: token, client: client)
                await platform.store.audit(.logout, actor: client.clientId, detail: "token revoked", clientIP: context.clientIP)
            } else {
                return try oauthError(OAuthError("invalid_request", "token is required"))
            }
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
        router.post("/oauth/introspect") { request, context in
            let form = try await FormBody.read(request, context: context)
            guard let credentials = basicCredentials(request),
                  (try await platform.store.authenticateClient(credentials.user, secret: credentials.password)) != nil else {
                return try oauthError(OAuthError("invalid_client", "introspection needs a confidential client (HTTP Basic)", status: 401))
            }
            guard let token = form["token"], !token.isEmpty else { return try oauthError(OAuthError("invalid_request", "token is required")) }
            return try JSONResponse.make(try await authorization.introspect(token: token))
        }
    }

    /// The client of a revoke request: a confidential one by HTTP Basic, a public one by `client_id`.
    private func clientFor(_ request: Request, form: [String: String]) async throws -> OAuthClient {
        if let credentials = basicCredentials(request) {
            guard let client = try await platform.store.authenticateClient(credentials.user, secret: credentials.password) else {
                throw oauthAPIError(OAuthError("invalid_client", "client authentication failed", status: 401))
            }
            return client
        }
        guard let id = form["client_id"], let client = try await platform.store.client(id), !client.confidential else {
            throw oauthAPIError(OAuthError("invalid_client", "client authentication failed", status: 401))
        }
        return client
    }

    private func token(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.read(request, context: context)
        var client: OAuthClient?
        if let credentials = basicCredentials(request) {
            client = try await platform.store.authenticateClient(credentials.user, secret: credentials.password)
            guard client != nil else { return try oauthError(OAuthError("invalid_client", "client authentication failed", status: 401)) }
        }
        let response: TokenResponse
        do {
            response = try await authorization.token(form, authenticatedClient: client)
        } catch {
            return try oauthError(error)
        }
        return try JSONResponse.make(response, headers: [.cacheControl: "no-store", .init("Pragma")!: "no-cache"])
    }

    /// RFC 6749 §5.2 error body (`error`, `error_description`), plus `message` like every other error of ours.
    private func oauthError(_ error: OAuthError) throws -> Response {
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if error.status == 401 { headers[.wwwAuthenticate] = "Basic realm=\"oauth\"" }
        return try JSONResponse.make(["error": error.error, "error_description": error.description, "message": error.description],
                                     status: .init(code: error.status), headers: headers)
    }

    private func oauthAPIError(_ error: OAuthError) -> APIError {
        APIError(.init(code: error.status), error.error, error.description)
    }

    // MARK: Authorization endpoint with its login page

    private func authorize(_ parameters: [String: String], login: (username: String, password: String)?, context: AppRequestContext?) async throws -> Response {
        let request: AuthorizationServer.AuthorizationRequest
        do {
            request = try await authorization.validateAuthorization(parameters)
        } catch {
            switch error {
            case .showToUser(let message):
                return LoginPage.error(message)
            case .redirect(let uri, let code, let description, let state):
                let location = AuthorizationServer.appendQuery(uri, ["error": code, "error_description": description, "state": state])
                return Response(status: .found, headers: [.location: location])
            }
        }
        guard let login else { return LoginPage.form(parameters: parameters, error: nil, client: request.client) }
        let address = context?.clientIP ?? ""
        if let ticket = parameters["consent_ticket"] {
            return await answerConsent(ticket: ticket, allow: parameters["decision"] == "allow", request: request, parameters: parameters, address: address)
        }
        guard await platform.loginThrottle.allows(address) else {
            return LoginPage.form(parameters: parameters, error: "登录尝试过多，请稍后再试 / Too many attempts; wait a few minutes.",
                                  client: request.client, status: .tooManyRequests)
        }
        do {
            let user = try await platform.store.authenticate(username: login.username, password: login.password)
            await platform.store.audit(.loginSuccess, actor: user.username, actorID: user.id, detail: "client \(request.client.clientId)", clientIP: address)
            if try await authorization.needsConsent(request, user: user) {
                let ticket = try await authorization.beginConsent(request, user: user)
                return LoginPage.consent(parameters: parameters, ticket: ticket, client: request.client, user: user, scope: request.scope)
            }
            let location = try await authorization.issueCode(for: request, user: user)
            return Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
        } catch let error as PlatformError {
            if error.code == .unauthenticated { await platform.loginThrottle.recordFailure(address) }
            await platform.store.audit(.loginFailure, actor: String(login.username.prefix(64)), outcome: "failure", detail: error.message, clientIP: address)
            let message: String
            switch error.code {
            case .unauthenticated: message = "用户名或密码错误 / Wrong username or password."
            case .tooManyRequests: message = "尝试次数过多，账户暂时锁定 / \(error.message)"
            case .accountNotActive: message = "\(Self.inChinese(error.accountState)) / \(error.message)"
            default: message = error.message
            }
            let status: HTTPResponse.Status = error.code == .tooManyRequests ? .tooManyRequests : (error.code == .accountNotActive ? .forbidden : .unauthorized)
            return LoginPage.form(parameters: parameters, error: message, client: request.client, status: status)
        }
    }
}

extension OAuthRoutes {
    /// The consent page's answer: back to the client with a code (allowed) or `access_denied`; an expired or
    /// reused ticket sends the user back to the login form.
    func answerConsent(ticket: String, allow: Bool, request: AuthorizationServer.AuthorizationRequest, parameters: [String: String],
                       address: String) async -> Response {
        do {
            let (location, user) = try await authorization.completeConsent(ticket: ticket, for: request, allow: allow)
            await platform.store.audit(allow ? .consentGrant : .consentDeny, actor: user.username, actorID: user.id,
                                       detail: "client \(request.client.clientId) scope \(request.scope)", clientIP: address)
            return Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
        } catch {
            return LoginPage.form(parameters: parameters, error: "登录已过期，请重新登录 / The sign-in has expired; sign in again.",
                                  client: request.client, status: .unauthorized)
        }
    }

    /// The Chinese half of the login page's answer to an account that may not sign in, so that a doctor reads why.
    static func inChinese(_ state: PlatformError.AccountState?) -> String {
        switch state {
        case .pendingApproval: "注册正在等待管理员审核"
        case .rejected: "注册未通过审核"
        case .deactivated: "账户已停用，请联系管理员"
        case .closed: "账户已注销"
        case nil: "账户不可用"
        }
    }
}

/// The login page of `/oauth/authorize`: a plain HTML form (`username`, `password`) that posts back the
/// authorization request, mobile-first, no script needed.
enum LoginPage {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static let style = """
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#0f1720;color:#e6edf3;
        display:flex;min-height:100vh;align-items:center;justify-content:center}main{width:min(92vw,380px);background:#17212b;
        border-radius:14px;padding:28px 24px;box-shadow:0 8px 30px #0008}h1{font-size:20px;margin:0 0 4px}p.sub{margin:0 0 20px;color:#8b9bab;font-size:14px}
        label{display:block;font-size:14px;margin:14px 0 6px;color:#b6c2cf}input{box-sizing:border-box;width:100%;padding:12px;border-radius:8px;
        border:1px solid #2d3b48;background:#0f1720;color:#e6edf3;font-size:16px}button{margin-top:22px;width:100%;padding:12px;border:0;
        border-radius:8px;background:#2f81f7;color:#fff;font-size:16px;font-weight:600}.err{background:#3d1d20;color:#ffb4b4;padding:10px 12px;
        border-radius:8px;font-size:14px}a{color:#58a6ff}button.secondary{margin-top:10px;background:#2d3b48}ul{padding-left:20px;color:#b6c2cf}
        """

    static func page(_ body: String, status: HTTPResponse.Status) -> Response {
        let html = """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>登录 · Sign in</title><style>\(style)</style></head><body><main>\(body)</main></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                                  .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func form(parameters: [String: String], error: String?, client: OAuthClient, status: HTTPResponse.Status = .ok) -> Response {
        let kept = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"]
        let hidden = kept.compactMap { name in parameters[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\(escape($0))\">" } }.joined()
        let errorHTML = error.map { "<p class=\"err\" role=\"alert\" data-testid=\"login-error\">\(escape($0))</p>" } ?? ""
        return page("""
            <h1>医学影像平台</h1><p class="sub">登录 · Sign in — \(escape(client.name))</p>\(errorHTML)
            <form method="post" action="/oauth/authorize">\(hidden)
            <label for="username">用户名 Username</label><input id="username" name="username" autocomplete="username" required data-testid="login-username"
              value="\(escape(parameters["username"] ?? ""))">
            <label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required data-testid="login-password">
            <button type="submit" data-testid="login-submit">登录 Sign in</button></form>
            <p class="sub" style="margin-top:18px"><a href="/register" data-testid="login-register">医生注册 · Doctor sign-up</a></p>
            """, status: status)
    }

    /// What each scope lets a client do, as the consent page says it.
    static let scopeDescriptions: [String: String] = [
        "openid": "确认您的身份 · Confirm who you are",
        "profile": "读取您的姓名和职业信息 · Read your name and professional details",
        "offline_access": "在您离开后继续访问 · Keep access while you are away",
        "api": "以您的权限读取检查、影像和报告 · Read exams, images and reports with your permissions",
    ]

    /// The consent page for a client that is not ours: who asks, for what, allow or deny.
    static func consent(parameters: [String: String], ticket: String, client: OAuthClient, user: UserAccount, scope: String) -> Response {
        let kept = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"]
        let hidden = kept.compactMap { name in parameters[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\(escape($0))\">" } }.joined()
        let items = scope.split(separator: " ").compactMap { scopeDescriptions[String($0)] }
            .map { "<li data-testid=\"consent-scope\">\(escape($0))</li>" }.joined()
        return page("""
            <h1>授权 · Allow access</h1>
            <p class="sub" data-testid="consent-client"><b>\(escape(client.name))</b> 请求以 \(escape(user.name.isEmpty ? user.username : user.name)) 的身份访问：<br>
            \(escape(client.name)) asks to act for you:</p><ul>\(items)</ul>
            <form method="post" action="/oauth/authorize">\(hidden)<input type="hidden" name="consent_ticket" value="\(escape(ticket))">
            <button type="submit" name="decision" value="allow" data-testid="consent-allow">允许 Allow</button>
            <button type="submit" name="decision" value="deny" class="secondary" data-testid="consent-deny">拒绝 Deny</button></form>
            <p class="sub" style="margin-top:18px">\(escape(client.redirectURIs.first.flatMap { URL(string: $0)?.host } ?? ""))</p>
            """, status: .ok)
    }

    static func error(_ message: String) -> Response {
        page("<h1>无法登录 · Cannot sign in</h1><p class=\"err\">\(escape(message))</p>", status: .badRequest)
    }
}
