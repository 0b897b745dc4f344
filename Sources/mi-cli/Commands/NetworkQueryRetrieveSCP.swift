import ArgumentParser
import DicomNetwork
import Foundation

/// `mi-cli qr-scp --aet A --port P --dir D [--peer AET=HOST:PORT ...]`: a Query/Retrieve SCP over a folder, like dcmqrscp.
struct QueryRetrieveSCP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qr-scp",
        abstract: "Answer C-FIND, C-MOVE and C-GET (Patient Root and Study Root) over a folder of DICOM files.",
        discussion: """
            The folder is indexed once at start (headers up to Pixel Data). C-MOVE sends to the AEs given with --peer; \
            others are answered A801 (move destination unknown). Answers C-ECHO too. Runs until interrupted; \
            exit code 2 if the port cannot be bound.
            """
    )

    @Option(name: .customLong("aet"), help: "Our AE title.") var aeTitle = "MI-QR-SCP"
    @Option(help: "Port to listen on.") var port: Int
    @Option(help: "Folder of DICOM files to serve.") var dir: String
    @Option(help: "Address to bind.") var host = "0.0.0.0"
    @Option(name: .customLong("peer"), help: "A C-MOVE destination AET=HOST:PORT (repeatable).") var peers: [String] = []
    @Option(name: .customLong("allow-calling"), help: "Accept only these calling AE titles (repeatable); any by default.") var allowCalling: [String] = []
    @Option(help: "Associations served at once.") var maxAssociations = 64

    /// `AET=HOST:PORT` parsed.
    static func destination(_ text: String) throws -> (String, (host: String, port: Int)) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...]),
              (1...65535).contains(port), (1...16).contains(parts[0].count) else {
            throw ValidationError("--peer takes AET=HOST:PORT, got \(text)")
        }
        return (parts[0], (String(parts[1][..<colon]), port))
    }

    func validate() throws {
        for peer in peers { _ = try Self.destination(peer) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else { throw ValidationError("no such folder: \(dir)") }
    }

    func run() throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("mi-cli qr-scp: \($0)\n".utf8)) }
        var destinations: [String: (host: String, port: Int)] = [:]
        for peer in peers {
            let (ae, address) = try Self.destination(peer)
            destinations[ae] = address
        }
        let archive = FolderQueryRetrieveHandler(directory: dir, destinations: destinations)
        for skipped in archive.skipped { log("not indexed: \(skipped.path): \(skipped.reason)") }
        var config = DicomServerConfiguration(aeTitle: aeTitle, port: port)
        config.host = host
        if !allowCalling.isEmpty { config.allowedCallingAEs = Set(allowCalling) }
        config.maximumAssociations = maxAssociations
        config.log = log
        config.query = archive
        config.retrieve = archive
        let configuration = config
        try runNetwork("qr-scp") {
            let server = try await DicomServer.bind(configuration)
            log("listening on \(configuration.host):\(server.port) as \(configuration.aeTitle), \(archive.count) instances from \(archive.directory)")
            try await server.run()
        }
    }
}
