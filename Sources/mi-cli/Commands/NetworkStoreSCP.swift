import ArgumentParser
import DicomNetwork
import Foundation

/// `mi-cli store-scp --aet A --port P --dir D`: a Storage SCP writing Part 10 files, like storescp.
struct StoreSCP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-scp",
        abstract: "Receive instances with C-STORE and write each as a Part 10 file DIR/<SOP Instance UID>.dcm.",
        discussion: "Answers C-ECHO too. Files are fsynced before Success is answered. Runs until interrupted; exit code 2 if the port cannot be bound."
    )

    @Option(name: .customLong("aet"), help: "Our AE title.") var aeTitle = "MI-STORE-SCP"
    @Option(help: "Port to listen on.") var port: Int
    @Option(help: "Folder for received files (created if missing).") var dir: String
    @Option(help: "Address to bind.") var host = "0.0.0.0"
    @Option(name: .customLong("allow-calling"), help: "Accept only these calling AE titles (repeatable); any by default.") var allowCalling: [String] = []
    @Flag(help: "Accept only associations calling our AE title.") var checkCalled = false
    @Option(help: "Associations served at once.") var maxAssociations = 64

    func run() throws {
        var config = DicomServerConfiguration(aeTitle: aeTitle, port: port)
        config.host = host
        if !allowCalling.isEmpty { config.allowedCallingAEs = Set(allowCalling) }
        if checkCalled { config.allowedCalledAEs = [aeTitle] }
        config.maximumAssociations = maxAssociations
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("mi-cli store-scp: \($0)\n".utf8)) }
        config.log = log
        config.storage = FileStorageHandler(directory: dir, log: log)
        // Like storescp, one process for one folder: each fragment goes to disk as it arrives, answered from the event loop.
        config.writesFilesOnEventLoop = true
        let configuration = config
        try runNetwork("store-scp") {
            let server = try await DicomServer.bind(configuration)
            log("listening on \(configuration.host):\(server.port) as \(configuration.aeTitle), writing to \(configuration.storage.map { ($0 as? FileStorageHandler)?.directory ?? "" } ?? "")")
            try await server.run()
        }
    }
}
