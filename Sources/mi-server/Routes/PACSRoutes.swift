import DicomNetwork
import Foundation
import Hummingbird
import PlatformServices

/// PACS links for administrators: list, add, change, remove, and "test connection" (C-ECHO).
struct PACSRoutes {
    let platform: Platform
    var store: PlatformStore { platform.store }

    struct NodeBody: Decodable { var name: String?; var aeTitle: String?; var host: String?; var port: Int? }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("pacs-nodes") { _, context in
            _ = try context.require(.administrator)
            let nodes = try await store.pacsNodes()
            return try JSONResponse.make(Page(items: nodes, total: nodes.count))
        }
        api.post("pacs-nodes") { request, context in
            let admin = try context.require(.administrator)
            let body = try await JSONBody.decode(NodeBody.self, request)
            guard let name = body.name, let aeTitle = body.aeTitle, let host = body.host, let port = body.port else {
                throw APIError.badParameter(body.name == nil ? "name" : body.aeTitle == nil ? "aeTitle" : body.host == nil ? "host" : "port", "is required")
            }
            let node = try await store.addPACSNode(name: name, aeTitle: aeTitle, host: host, port: port)
            await store.audit(.pacsNodeChange, actor: admin.name, actorID: admin.userId, detail: "added \(node.name) \(node.aeTitle)@\(node.host):\(node.port)",
                              clientIP: context.clientIP)
            return try JSONResponse.make(node, status: .created)
        }
        api.get("pacs-nodes/:id") { _, context in
            _ = try context.require(.administrator)
            return try JSONResponse.make(try await store.pacsNode(try context.parameters.require("id")))
        }
        api.patch("pacs-nodes/:id") { request, context in
            let admin = try context.require(.administrator)
            let body = try await JSONBody.decode(NodeBody.self, request)
            let node = try await store.updatePACSNode(try context.parameters.require("id"), name: body.name, aeTitle: body.aeTitle, host: body.host, port: body.port)
            await store.audit(.pacsNodeChange, actor: admin.name, actorID: admin.userId, detail: "changed \(node.name) \(node.aeTitle)@\(node.host):\(node.port)",
                              clientIP: context.clientIP)
            return try JSONResponse.make(node)
        }
        api.delete("pacs-nodes/:id") { _, context in
            let admin = try context.require(.administrator)
            let id = try context.parameters.require("id")
            let node = try await store.pacsNode(id)
            try await store.deletePACSNode(id)
            await store.audit(.pacsNodeChange, actor: admin.name, actorID: admin.userId, detail: "removed \(node.name)", clientIP: context.clientIP)
            return Response(status: .noContent)
        }
        api.post("pacs-nodes/:id/echo") { _, context in
            _ = try context.require(.administrator)
            let node = try await store.pacsNode(try context.parameters.require("id"))
            var client = DicomClient(host: node.host, port: node.port, calledAE: node.aeTitle, callingAE: platform.config.dicom?.aeTitle ?? "MI_SERVER")
            client.timeouts.connect = .seconds(5)
            let started = ContinuousClock.now
            struct Echo: Encodable { var success: Bool; var message: String; var roundTripMs: Double? }
            do {
                let status = try await client.echo()
                let elapsed = (ContinuousClock.now - started).components
                let ms = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
                return try JSONResponse.make(Echo(success: status == .success, message: status == .success ? "C-ECHO succeeded" : "C-ECHO status \(status)",
                                                  roundTripMs: (ms * 10).rounded() / 10))
            } catch {
                return try JSONResponse.make(Echo(success: false, message: "C-ECHO failed: \(error)", roundTripMs: nil))
            }
        }
    }
}
