import Foundation
import Hummingbird
import PlatformServices

/// The patient's way in without an account: a QR link with its second factor, or manual retrieval; both end in a
/// short-lived patient session (an opaque bearer token scoped to that patient at that hospital), with which the
/// study, series, instance, frame and report routes work as for a signed-in patient.
struct PatientAccessRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    func register(on api: RouterGroup<AppRequestContext>) {
        // Public: what the QR link opens (the name masked), and the second factor to ask.
        api.get("patient-links/:token") { _, context in
            let token = try context.parameters.require("token")
            let opened = try await store.openPatientLink(token: token)
            await store.audit(.patientLinkOpen, actor: "anonymous", patientId: "", studyUID: opened.exam.studyInstanceUID,
                              clientIP: context.clientIP)
            return try JSONResponse.make(opened)
        }
        api.post("patient-links/:token/verify") { request, context in
            let token = try context.parameters.require("token")
            struct Body: Decodable { var birthDate: String?; var phoneLast4: String? }
            let body = try await JSONBody.decode(Body.self, request, limit: 4096)
            let link = try await store.patientLink(token: token)
            do {
                let entry = try await store.verifyPatientLink(token: token, birthDate: body.birthDate, phoneLast4: body.phoneLast4)
                await store.audit(.patientVerify, actor: "patient-link:\(link.id)", studyUID: link.studyInstanceUID, clientIP: context.clientIP)
                return try JSONResponse.make(entry)
            } catch let error as PlatformError where error.code == .unauthenticated || error.code == .tooManyRequests {
                await store.audit(.patientVerify, actor: "patient-link:\(link.id)", outcome: "failure", studyUID: link.studyInstanceUID,
                                  detail: error.code.rawValue, clientIP: context.clientIP)
                throw error
            }
        }
        // Public: manual retrieval by name, hospital, exam number and date; one generic failure, throttled per client.
        api.post("patient-access/retrieve") { request, context in
            let body = try await JSONBody.decode(PatientRetrievalRequest.self, request, limit: 4096)
            do {
                let found = try await store.retrievePatientExam(body, clientKey: context.clientIP)
                await store.audit(.patientRetrieve, actor: "patient-retrieval", studyUID: found.exam.studyInstanceUID, clientIP: context.clientIP)
                return try JSONResponse.make(found)
            } catch let error as PlatformError where error.code == .notFound || error.code == .tooManyRequests {
                await store.audit(.patientRetrieve, actor: "patient-retrieval", outcome: "failure", detail: error.code.rawValue, clientIP: context.clientIP)
                throw error
            }
        }
        // The patient's session: their exams at the hospital (the patient home and its history), and signing out.
        api.get("patient-access/exams") { _, context in
            let principal = try StudyRoutes.reader(context)
            guard principal.link != nil || principal.has(.patient) else {
                throw APIError(.forbidden, "forbidden", "this is for patients and share recipients")
            }
            let items = try await store.patientExamViews(scope: principal.scope)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.get("patient-access/exams/:uid") { _, context in
            let principal = try StudyRoutes.reader(context)
            return try JSONResponse.make(try await store.patientExamView(try context.parameters.require("uid"), scope: principal.scope))
        }
        api.delete("patient-access/session") { request, context in
            let principal = try context.requirePrincipal()
            guard principal.link != nil, let header = request.headers[.authorization] else {
                throw APIError(.badRequest, "bad_request", "only patient and share sessions end here; accounts sign out with OAuth revocation")
            }
            try await store.endSession(token: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            return Response(status: .noContent)
        }
        // The hospital's second factor: public to read (the patient page asks for the right thing), administrators set it.
        api.get("hospitals/:id/patient-access") { _, context in
            let id = try context.parameters.require("id")
            struct Setting: Codable { var hospitalId: String; var verification: PatientVerificationMethod }
            return try JSONResponse.make(Setting(hospitalId: id, verification: try await store.patientVerification(hospitalId: id)))
        }
        api.put("hospitals/:id/patient-access") { request, context in
            let admin = try context.require(.administrator)
            let id = try context.parameters.require("id")
            struct Setting: Codable { var verification: PatientVerificationMethod }
            let body = try await JSONBody.decode(Setting.self, request, limit: 4096)
            try await store.setPatientVerification(hospitalId: id, method: body.verification)
            await store.audit(.settingsChange, actor: admin.name, actorID: admin.userId, detail: "hospital \(id) patient verification \(body.verification.rawValue)",
                              clientIP: context.clientIP)
            struct Result: Codable { var hospitalId: String; var verification: PatientVerificationMethod }
            return try JSONResponse.make(Result(hospitalId: id, verification: body.verification))
        }

        // Consultation: the patient and the hospital's reading doctors, about one exam.
        api.get("studies/:uid/messages") { _, context in
            let principal = try context.requirePrincipal()
            let uid = try context.parameters.require("uid")
            let items = try await store.consultMessages(studyUID: uid, for: principal)
            return try JSONResponse.make(Page(items: items, total: items.count))
        }
        api.post("studies/:uid/messages") { request, context in
            let principal = try context.requirePrincipal()
            let uid = try context.parameters.require("uid")
            struct Body: Decodable { var body: String }
            let body = try await JSONBody.decode(Body.self, request, limit: 32 * 1024)
            let message = try await store.postConsultMessage(studyUID: uid, body: body.body, by: principal)
            await store.audit(.consultMessage, actor: principal.name, actorID: principal.userId, studyUID: uid, detail: message.id,
                              clientIP: context.clientIP)
            return try JSONResponse.make(message, status: .created)
        }
        api.post("studies/:uid/messages/read") { _, context in
            let principal = try context.requirePrincipal()
            let count = try await store.markConsultRead(studyUID: try context.parameters.require("uid"), by: principal)
            struct Result: Encodable { var marked: Int }
            return try JSONResponse.make(Result(marked: count))
        }
        api.get("messages/unread") { _, context in
            let principal = try context.requirePrincipal()
            let items = try await store.unreadConsults(for: principal)
            struct Result: Encodable { var items: [UnreadConsult]; var total: Int; var unread: Int }
            return try JSONResponse.make(Result(items: items, total: items.count, unread: items.reduce(0) { $0 + $1.unread }))
        }
    }
}
