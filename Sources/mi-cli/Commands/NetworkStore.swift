import ArgumentParser
import DicomNetwork
import Foundation

/// `mi-cli store HOST PORT FILES/FOLDERS... --aec --aet [--parallel N]`: C-STORE, like storescu.
struct Store: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send DICOM files to a peer with C-STORE; folders are searched recursively.",
        discussion: "Each file goes in its own transfer syntax when the peer accepts it. Exit codes: 0 all stored, 1 some not stored, 2 no association."
    )

    @OptionGroup var peer: PeerOptions
    @Argument(help: "Files and folders to send.") var paths: [String]
    @Option(help: "Associations used in parallel.") var parallel = 1

    func validate() throws {
        guard (1...32).contains(parallel) else { throw ValidationError("--parallel must be 1...32") }
    }

    func run() throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ValidationError("no such file: \(path)") }
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path)
                var found: [String] = []
                while let name = enumerator?.nextObject() as? String {
                    var sub: ObjCBool = false
                    let full = path + "/" + name
                    if FileManager.default.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.append(full) }
                }
                files += found.sorted()
            } else {
                files.append(path)
            }
        }
        let client = peer.client, parallel = self.parallel, list = files
        let progress = ProgressLine(label: "stored")
        let start = Date()
        let report = try runNetwork("store") { try await client.store(files: list, parallel: parallel) { progress.update($0, $1) } }
        let seconds = Date().timeIntervalSince(start)
        for failure in report.failures { FileHandle.standardError.write(Data("mi-cli: \(failure.file): \(failure.reason)\n".utf8)) }
        emit("stored \(report.stored + report.warnings) of \(files.count) files (\(report.warnings) with warnings) in \(String(format: "%.2f", seconds)) s\n")
        if !report.failures.isEmpty { throw NetworkExit.operationFailed }
    }
}
