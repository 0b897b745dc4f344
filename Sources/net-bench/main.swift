// A release-build stand-in for `mi-cli store-scp` and `mi-cli store` that depends on DicomNetwork only, so
// Scripts/bench-store-scp.sh can build it in minutes instead of building PlatformServices and its dependencies.
// It calls the same SDK entry points as mi-cli's thin commands (DicomServer + FileStorageHandler, DicomClient.store).
//
//     net-bench store-scp --aet A --port P --dir D [--host H] [--on-event-loop no]
//     net-bench store HOST PORT FILES/FOLDERS... --aec CALLED [--aet CALLING] [--parallel N] [--sender copying]
//
// `--on-event-loop no` answers C-STORE on the association's task instead of in the channel pipeline (mi-cli uses the pipeline);
// `--sender copying` sends each file the way DicomClient.store did before it streamed slices and read ahead (read
// into Data, copy to an array, copy the data set out), so one script run compares both ways on the same machine state.
import DicomCore
import DicomNetwork
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("net-bench: \(message)\n".utf8))
    exit(2)
}

/// Splits `--name value` options from positional arguments.
func parse(_ arguments: ArraySlice<String>) -> (positional: [String], options: [String: String]) {
    var positional: [String] = [], options: [String: String] = [:]
    var i = arguments.startIndex
    while i < arguments.endIndex {
        let a = arguments[i]
        if a.hasPrefix("--") {
            guard i + 1 < arguments.endIndex else { fail("\(a) needs a value") }
            options[String(a.dropFirst(2))] = arguments[i + 1]
            i += 2
        } else {
            positional.append(a)
            i += 1
        }
    }
    return (positional, options)
}

func files(under paths: [String]) -> [String] {
    var result: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("no such file: \(path)") }
        guard isDirectory.boolValue else { result.append(path); continue }
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var sub: ObjCBool = false
            let full = path + "/" + name
            if FileManager.default.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.append(full) }
        }
        result += found.sorted()
    }
    return result
}

/// The earlier sender, for comparison: one association, each file read whole into `Data`, copied, its data set copied out.
func copyingStore(_ client: DicomClient, _ files: [String]) async throws -> StoreReport {
    var items: [(path: String, sopClass: String, sopInstance: String, syntax: String)] = []
    for path in files {
        let read = DicomFile.readPartial(contentsOf: path, options: .headerOnly)
        guard let file = read.file, let sopClass = file.fileMetaInformation.uid(.mediaStorageSOPClassUID),
              let sopInstance = file.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) else { continue }
        items.append((path, sopClass, sopInstance, file.transferSyntax.uid))
    }
    var proposals: [PresentationContextProposal] = []
    for i in items where !proposals.contains(where: { $0.abstractSyntax == i.sopClass && $0.transferSyntaxes == [i.syntax] }) {
        proposals.append(PresentationContextProposal(id: UInt8(proposals.count * 2 + 1), abstractSyntax: i.sopClass, transferSyntaxes: [i.syntax]))
    }
    return try await client.withAssociation(proposals) { a in
        var report = StoreReport()
        for i in items {
            guard let data = FileManager.default.contents(atPath: i.path) else { continue }
            let bytes = [UInt8](data)
            let read = DicomFile.readPartial(bytes: bytes, options: .headerOnly)
            let status = try await a.store(sopClassUID: i.sopClass, sopInstanceUID: i.sopInstance, transferSyntax: i.syntax,
                                           dataSet: Array(bytes[read.dataSetOffset...]))
            if status.isSuccess { report.stored += 1 }
        }
        return report
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: net-bench store-scp|store ...") }
let (positional, options) = parse(arguments[2...])
switch arguments[1] {
case "store-scp":
    guard let port = options["port"].flatMap(Int.init), let dir = options["dir"] else { fail("store-scp needs --port and --dir") }
    var config = DicomServerConfiguration(aeTitle: options["aet"] ?? "MI-STORE-SCP", port: port)
    config.host = options["host"] ?? "0.0.0.0"
    let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("net-bench store-scp: \($0)\n".utf8)) }
    config.log = log
    config.storage = FileStorageHandler(directory: dir, log: log)
    config.writesFilesOnEventLoop = options["on-event-loop"] != "no"
    let configuration = config
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            let server = try await DicomServer.bind(configuration)
            try await server.run()
        } catch {
            log("\(error)")
        }
        done.signal()
    }
    done.wait()
    exit(2)
case "store":
    guard positional.count >= 3, let port = Int(positional[1]), let called = options["aec"] else { fail("store needs HOST PORT PATHS... --aec") }
    let client = DicomClient(host: positional[0], port: port, calledAE: called, callingAE: options["aet"] ?? "MI-SCU")
    let list = files(under: Array(positional[2...]))
    let parallel = options["parallel"].flatMap(Int.init) ?? 1
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var code: Int32 = 0
    Task.detached {
        do {
            let report = options["sender"] == "copying" ? try await copyingStore(client, list) : try await client.store(files: list, parallel: parallel)
            print("stored \(report.stored + report.warnings) of \(list.count) files")
            if !report.failures.isEmpty { code = 1 }
        } catch {
            FileHandle.standardError.write(Data("net-bench store: \(error)\n".utf8))
            code = 2
        }
        done.signal()
    }
    done.wait()
    exit(code)
default:
    fail("unknown command \(arguments[1])")
}
