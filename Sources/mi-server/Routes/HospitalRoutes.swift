import Foundation
import Hummingbird
import PlatformServices

/// Hospitals and departments for administrators: create, rename, aliases, departments added and removed. The
/// public list (`GET /hospitals`, for sign-up) lives with the accounts.
struct HospitalRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("hospitals") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable { var id: String?; var name: String?; var aliases: [String]?; var departments: [String]? }
            let body = try await JSONBody.decode(Body.self, request)
            guard let id = body.id else { throw APIError.badParameter("id", "is required") }
            guard let name = body.name else { throw APIError.badParameter("name", "is required") }
            let hospital = try await store.createHospital(id: id, name: name, aliases: body.aliases ?? [], departments: body.departments ?? [])
            await store.audit(.hospitalChange, actor: admin.name, actorID: admin.userId,
                              detail: "created \(hospital.id) \(hospital.name) departments \(hospital.departments) aliases \(hospital.aliases)",
                              clientIP: context.clientIP)
            return try JSONResponse.make(hospital, status: .created)
        }
        api.patch("hospitals/:id") { request, context in
            let admin = try context.require(.administrator)
            struct Body: Decodable { var name: String?; var aliases: [String]?; var addDepartments: [String]?; var removeDepartments: [String]? }
            let body = try await JSONBody.decode(Body.self, request)
            let id = try context.parameters.require("id")
            var hospital = try await store.hospital(id: id)
            var changes: [String] = []
            if let name = body.name, name != hospital.name {
                hospital = try await store.renameHospital(id, to: name)
                changes.append("renamed to \(hospital.name)")
            }
            if let aliases = body.aliases {
                hospital = try await store.setHospitalAliases(id, aliases)
                changes.append("aliases \(hospital.aliases)")
            }
            for department in body.addDepartments ?? [] {
                hospital = try await store.addDepartment(department, toHospital: id)
                changes.append("added department \(department)")
            }
            for department in body.removeDepartments ?? [] {
                hospital = try await store.removeDepartment(department, fromHospital: id)
                changes.append("removed department \(department)")
            }
            if !changes.isEmpty {
                await store.audit(.hospitalChange, actor: admin.name, actorID: admin.userId, detail: "\(id): " + changes.joined(separator: "; "),
                                  clientIP: context.clientIP)
            }
            return try JSONResponse.make(hospital)
        }
    }
}
