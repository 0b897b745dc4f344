import Foundation
import Hummingbird
import PlatformServices

/// Hospitals, doctor self-registration and its review, the caller's own profile, and user administration.
struct AccountRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("hospitals") { _, _ in
            let hospitals = try await store.hospitals()
            return try JSONResponse.make(Page(items: hospitals, total: hospitals.count))
        }

        // Registration (public) and review (administrators).
        api.post("registrations") { request, context in
            let body = try await JSONBody.decode(RegistrationRequest.self, request)
            let registration = try await store.register(body)
            await store.audit(.registrationCreate, actor: body.username, detail: "registration \(registration.id)", clientIP: context.clientIP)
            return try JSONResponse.make(registration, status: .created)
        }
        api.get("registrations") { request, context in
            _ = try context.require(.administrator)
            let status = try QueryReader(request: request).enumeration("status", RegistrationStatus.self)
            let items = try await store.registrations(status: status)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.post("registrations/:id/approve") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable { var roles: [Role]?; var scope: String? }
            let body = try await optionalJSON(Body.self, request) ?? Body()
            let scope = try body.scope.map { text -> AccessScope in
                guard let scope = AccessScope(stored: text) else { throw APIError.badParameter("scope", "must be all, hospital:ID or department:ID:NAME") }
                return scope
            }
            let (registration, user) = try await store.approveRegistration(try context.parameters.require("id"), roles: body.roles, scope: scope,
                                                                           decidedBy: admin.name)
            await store.audit(.registrationApprove, actor: admin.name, actorID: admin.userId, detail: "\(registration.username) as \(user.roles.map(\.rawValue))",
                              clientIP: context.clientIP)
            struct Result: Encodable { var registration: Registration; var user: UserAccount }
            return try JSONResponse.make(Result(registration: registration, user: user))
        }
        api.post("registrations/:id/reject") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable { var reason: String? }
            let body = try await optionalJSON(Body.self, request) ?? Body()
            let registration = try await store.rejectRegistration(try context.parameters.require("id"), reason: body.reason ?? "", decidedBy: admin.name)
            await store.audit(.registrationReject, actor: admin.name, actorID: admin.userId, detail: "\(registration.username): \(registration.reason)",
                              clientIP: context.clientIP)
            return try JSONResponse.make(registration)
        }

        // The caller's own account.
        api.get("me") { _, context in
            let principal = try context.requirePrincipal()
            guard let id = principal.userId else {
                struct ClientIdentity: Encodable { var clientId: String; var roles: [Role] }
                return try JSONResponse.make(ClientIdentity(clientId: principal.clientId, roles: principal.roles.sorted { $0.rawValue < $1.rawValue }))
            }
            return try JSONResponse.make(try await store.user(id: id))
        }
        api.patch("me") { request, context in
            let principal = try context.requirePrincipal()
            guard let id = principal.userId else { throw APIError(.forbidden, "forbidden", "clients have no profile") }
            struct Body: Decodable { var name: String?; var phone: String?; var department: String?; var title: String? }
            let body = try await JSONBody.decode(Body.self, request)
            return try JSONResponse.make(try await store.updateProfile(userId: id, name: body.name, phone: body.phone,
                                                                       department: body.department, title: body.title))
        }
        api.post("me/password") { request, context in
            let principal = try context.requirePrincipal()
            guard let id = principal.userId else { throw APIError(.forbidden, "forbidden", "clients have no password") }
            struct Body: Decodable { var currentPassword: String; var newPassword: String }
            let body = try await JSONBody.decode(Body.self, request)
            try await store.changePassword(userId: id, current: body.currentPassword, new: body.newPassword)
            await store.audit(.passwordChange, actor: principal.name, actorID: id, clientIP: context.clientIP)
            return Response(status: .noContent)
        }

        // Administration of accounts.
        api.get("users") { request, context in
            _ = try context.require(.administrator)
            let q = QueryReader(request: request)
            return try JSONResponse.make(try await store.users(matching: q.string("q"), limit: try q.int("limit", range: 1...500) ?? 100,
                                                               offset: try q.int("offset", range: 0...1_000_000) ?? 0))
        }
        api.get("users/:id") { _, context in
            _ = try context.require(.administrator)
            return try JSONResponse.make(try await store.user(id: try context.parameters.require("id")))
        }
        api.patch("users/:id") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable { var roles: [Role]?; var scope: String? }
            let body = try await JSONBody.decode(Body.self, request)
            let scope = try body.scope.map { text -> AccessScope in
                guard let scope = AccessScope(stored: text) else { throw APIError.badParameter("scope", "must be all, hospital:ID or department:ID:NAME") }
                return scope
            }
            let id = try context.parameters.require("id")
            // Like deactivating oneself: an administrator who drops their own role may leave no one to manage accounts.
            if id == admin.userId, let roles = body.roles, !roles.contains(.administrator) {
                throw APIError(.conflict, "conflict", "administrators cannot remove their own administrator role")
            }
            let user = try await store.updateAccess(id, roles: body.roles, scope: scope)
            await store.audit(.userUpdate, actor: admin.name, actorID: admin.userId, detail: "\(user.username): roles \(user.roles.map(\.rawValue)) scope \(user.scope)",
                              clientIP: context.clientIP)
            return try JSONResponse.make(user)
        }
        for (path, action) in [("deactivate", AuditAction.userDeactivate), ("reactivate", .userReactivate), ("close", .userClose)] {
            api.post("users/:id/\(path)") { _, context in
                let admin = try context.require(.administrator)
                let id = try context.parameters.require("id")
                guard id != admin.userId else { throw APIError(.conflict, "conflict", "administrators cannot \(path) their own account") }
                let user: UserAccount
                switch action {
                case .userDeactivate: user = try await store.deactivateUser(id)
                case .userReactivate: user = try await store.reactivateUser(id)
                default: user = try await store.closeUser(id)
                }
                await store.audit(action, actor: admin.name, actorID: admin.userId, detail: user.username.isEmpty ? id : user.username, clientIP: context.clientIP)
                return try JSONResponse.make(user)
            }
        }
        api.post("users/:id/reset-password") { _, context in
            let admin = try context.require(.administrator)
            let id = try context.parameters.require("id")
            let temporary = try await store.resetPassword(id)
            await store.audit(.userResetPassword, actor: admin.name, actorID: admin.userId, detail: id, clientIP: context.clientIP)
            return try JSONResponse.make(["temporaryPassword": temporary])
        }
    }
}

/// A JSON body that may be absent (empty body means defaults).
func optionalJSON<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
    let buffer = try await request.body.collect(upTo: 64 * 1024)
    guard buffer.readableBytes > 0 else { return nil }
    do { return try JSONDecoder().decode(T.self, from: Data(buffer: buffer)) } catch let error as DecodingError {
        throw APIError(.badRequest, "invalid_body", ErrorMiddleware.describe(error))
    }
}
