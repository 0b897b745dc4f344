import ArgumentParser
import DicomCore
import DicomNetwork
import Foundation

/// The peer every network subcommand talks to: `HOST PORT --aec CALLED [--aet CALLING]`, as DCMTK's tools take them.
struct PeerOptions: ParsableArguments {
    @Argument(help: "The peer's host name or address.") var host: String
    @Argument(help: "The peer's port.") var port: Int
    @Option(name: .customLong("aec"), help: "The called AE title (the peer's).") var calledAE = "ANY-SCP"
    @Option(name: .customLong("aet"), help: "The calling AE title (ours).") var callingAE = "MI-CLI"
    @Option(help: "Seconds to wait for the connection and for each answer.") var timeout = 30

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("PORT must be 1...65535") }
        guard (1...16).contains(calledAE.count), (1...16).contains(callingAE.count) else { throw ValidationError("AE titles are 1 to 16 characters") }
    }

    var client: DicomClient {
        var c = DicomClient(host: host, port: port, calledAE: calledAE, callingAE: callingAE)
        c.timeouts = AssociationTimeouts(artim: .seconds(Int64(timeout)), idle: .seconds(Int64(timeout)), connect: .seconds(Int64(timeout)))
        return c
    }
}

/// Exit codes shared by the network subcommands.
enum NetworkExit {
    /// Some instances or the operation failed (a failure status).
    static let operationFailed = ExitCode(1)
    /// No association: connection refused, timed out, rejected or aborted.
    static let noAssociation = ExitCode(2)
}

/// The result of async work handed back to the blocked synchronous caller; the semaphore orders the accesses.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, Error>?
    let done = DispatchSemaphore(value: 0)
}

/// Runs async SDK work from a synchronous command (the root command is synchronous) and maps network errors to exit codes.
func runNetwork<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        box.done.signal()
    }
    box.done.wait()
    switch box.result! {
    case .success(let value): return value
    case .failure(let error as DicomNetworkError):
        FileHandle.standardError.write(Data("mi-cli: \(what): \(error.code): \(error.detail)\n".utf8))
        switch error.code {
        case .connectFailed, .connectionRefused, .associationRejected, .aborted, .timeout, .connectionClosed, .unexpectedPDU, .noPresentationContext:
            throw NetworkExit.noAssociation
        default:
            throw NetworkExit.operationFailed
        }
    case .failure(let error):
        if error is ExitCode { throw error }
        FileHandle.standardError.write(Data("mi-cli: \(what): \(error)\n".utf8))
        throw NetworkExit.operationFailed
    }
}

/// Query keys as findscu takes them: `-k Keyword=Value`, `-k 0010,0010=Value`, `-k Sequence.Keyword=Value` (one item).
struct QueryKeys: ParsableArguments {
    @Option(name: .customShort("k"), help: "A key: Keyword=Value, GGGG,EEEE=Value or SequenceKeyword.Keyword=Value; an empty value asks for the attribute.")
    var keys: [String] = []

    static func tag(_ name: String) throws -> (Tag, VR) {
        if let tag = Tag(parsing: name) { return (tag, DataDictionary.entry(for: tag)?.vr ?? .UN) }
        guard let entry = DataDictionary.entry(forKeyword: name) else { throw ValidationError("unknown attribute \(name)") }
        return (entry.tag, entry.vr)
    }

    func identifier() throws -> DataSet {
        var ds = DataSet()
        try ds.setString("ISO_IR 192", for: .specificCharacterSet)
        var items: [Tag: DataSet] = [:]
        for key in keys {
            let parts = key.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts[0].split(separator: ".").map(String.init)
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard let last = path.last else { throw ValidationError("empty key") }
            let (tag, vr) = try QueryKeys.tag(last)
            if path.count == 1 {
                if vr == .SQ { ds.set(DataElement(tag: tag, vr: .SQ, value: .sequence([]))) } else { try ds.setString(value, for: tag, vr: vr) }
            } else if path.count == 2 {
                let (sequence, _) = try QueryKeys.tag(path[0])
                var item = items[sequence] ?? DataSet()
                try item.setString(value, for: tag, vr: vr)
                items[sequence] = item
            } else {
                throw ValidationError("keys nest one sequence deep: \(key)")
            }
        }
        for (tag, item) in items { ds.set(DataElement(tag: tag, vr: .SQ, value: .sequence([item]))) }
        return ds
    }
}

/// A progress line on standard error, redrawn in place on a terminal and every 10% otherwise.
struct ProgressLine: Sendable {
    let label: String
    let isTerminal = isatty(2) == 1

    func update(_ done: Int, _ total: Int) {
        if isTerminal {
            // At most one redraw per percent: the update runs on the association's event loop, between requests.
            guard total < 100 || done == total || done * 100 / total != (done - 1) * 100 / total else { return }
            FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if total >= 20, done % max(1, total / 10) == 0 || done == total {
            FileHandle.standardError.write(Data("\(label) \(done)/\(total)\n".utf8))
        }
    }
}
