import DicomCore
import Foundation
import Testing
@testable import DicomNetwork

@Suite(.serialized) struct AssociationPoolTests {
    static let echo = [PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle])]

    @Test func sequentialOperationsReuseOneAssociation() async throws {
        try await withServer { server in
            let pool = AssociationPool(client: loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "POOL"), contexts: Self.echo)
            for _ in 1...5 {
                let status = try await pool.withAssociation { a in try await a.echo() }
                #expect(status == .success)
            }
            #expect(await pool.openAssociations == 1)
            #expect(server.activeAssociations == 1, "one association served all five echoes")
            await pool.close()
            try await Task.sleep(for: .milliseconds(200))
            #expect(server.activeAssociations == 0, "close released it")
        }
    }

    @Test func concurrentOperationsStayWithinTheLimit() async throws {
        try await withServer { server in
            let pool = AssociationPool(client: loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "POOL"),
                                       contexts: Self.echo, maximumAssociations: 2)
            try await withThrowingTaskGroup(of: DIMSEStatus.self) { group in
                for _ in 1...8 {
                    group.addTask {
                        try await pool.withAssociation { a in
                            #expect(server.activeAssociations <= 2)
                            try await Task.sleep(for: .milliseconds(20))
                            return try await a.echo()
                        }
                    }
                }
                for try await status in group { #expect(status == .success) }
            }
            #expect(await pool.openAssociations <= 2)
            await pool.close()
        }
    }

    @Test func anAssociationTheServerDroppedIsReplaced() async throws {
        try await withServer({ c in c.timeouts = AssociationTimeouts(artim: .seconds(5), idle: .milliseconds(300)) }) { server in
            let pool = AssociationPool(client: loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "POOL"), contexts: Self.echo)
            _ = try await pool.withAssociation { a in try await a.echo() }
            try await Task.sleep(for: .milliseconds(800))  // the server's idle timeout aborts the pooled association
            let status = try await pool.withAssociation { a in try await a.echo() }
            #expect(status == .success)
            await pool.close()
        }
    }

    @Test func aFailingOperationDropsItsAssociation() async throws {
        try await withServer { server in
            let pool = AssociationPool(client: loopbackClient(port: server.port, calledAE: "MI-SCP", callingAE: "POOL"), contexts: Self.echo)
            await #expect(throws: DicomNetworkError(.operationFailed)) {
                try await pool.withAssociation { _ -> Int in throw DicomNetworkError(.operationFailed, "the caller gave up") }
            }
            #expect(await pool.openAssociations == 0)
            let status = try await pool.withAssociation { a in try await a.echo() }
            #expect(status == .success)
            await pool.close()
        }
    }
}
