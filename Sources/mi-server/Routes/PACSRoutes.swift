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
                return try JSONResponse.make(Echo(success: status == .success, message: status == .success ? "C-ECHO succeeded" : "C-ECHO 返回状态 \(status) / C-ECHO answered status \(status)",
                                                  roundTripMs: (ms * 10).rounded() / 10))
            } catch {
                // The page shows a sentence; the log keeps NIO's and the association's own words.
                context.logger.warning("C-ECHO to \(node.aeTitle)@\(node.host):\(node.port) failed: \(String(reflecting: error))")
                return try JSONResponse.make(Echo(success: false, message: Self.echoFailure(error, host: node.host, port: node.port, aeTitle: node.aeTitle),
                                                  roundTripMs: nil))
            }
        }
    }

    /// A failed "test connection" as one sentence, Chinese then English: what could not be done and why, in the
    /// words an administrator checks a PACS link with (host and port, AE titles), never NIO's error text.
    static func echoFailure(_ error: any Error, host: String, port: Int, aeTitle: String) -> String {
        let address = "\(host):\(port)"
        guard let error = error as? DicomNetworkError else { return "C-ECHO 失败 / C-ECHO failed" }
        switch error.code {
        case .connectionRefused: return "无法连接 \(address)（连接被拒绝）/ Cannot connect to \(address) (connection refused)"
        case .connectFailed: return "无法连接 \(address)（主机不可达或名称无法解析）/ Cannot connect to \(address) (host unreachable or unknown)"
        case .timeout: return "\(address) 未在时限内应答（超时）/ \(address) did not answer in time (timed out)"
        case .associationRejected:
            let (chinese, english) = rejectionReason(error.rejection, aeTitle: aeTitle)
            return "\(address) 拒绝了关联（\(chinese)）/ \(address) rejected the association (\(english))"
        case .noPresentationContext: return "\(address) 不支持验证服务（C-ECHO）/ \(address) does not accept Verification (C-ECHO)"
        case .operationFailed: return "C-ECHO 返回失败状态 / C-ECHO answered a failure status" + (error.status.map { " 0x" + String($0, radix: 16, uppercase: true) } ?? "")
        case .aborted, .connectionClosed: return "\(address) 中断了连接 / \(address) closed the connection"
        default: return "与 \(address) 的 DICOM 通信出错 / DICOM exchange with \(address) failed"
        }
    }

    /// PS3.8 §9.3.4 Table 9-21: the reasons an administrator can act on, by source and reason.
    static func rejectionReason(_ rejection: AssociateReject?, aeTitle: String) -> (String, String) {
        guard let rejection else { return ("未说明原因", "no reason given") }
        switch (rejection.source, rejection.reason) {
        case (1, 7): return ("对方不认识被叫 AE 名称 \(aeTitle)", "called AE title \(aeTitle) not recognized")
        case (1, 3): return ("对方不认识本平台的 AE 名称", "our calling AE title not recognized")
        case (1, 2): return ("不支持的应用上下文", "application context not supported")
        case (3, 1), (3, 2): return ("对方繁忙，请稍后再试", "the peer is busy; try again later")
        default: return (rejection.result == 2 ? "暂时拒绝" : "永久拒绝", rejection.result == 2 ? "rejected for now" : "rejected permanently")
        }
    }
}
