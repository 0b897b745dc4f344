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
            // One transaction: a refused part (a taken name, a department in use) leaves the hospital as it was.
            let (hospital, changes) = try await store.changeHospital(id, HospitalChange(
                name: body.name, aliases: body.aliases, addDepartments: body.addDepartments ?? [], removeDepartments: body.removeDepartments ?? []))
            if !changes.isEmpty {
                await store.audit(.hospitalChange, actor: admin.name, actorID: admin.userId, detail: "\(id): " + changes.joined(separator: "; "),
                                  clientIP: context.clientIP)
            }
            return try JSONResponse.make(hospital)
        }
    }
}
