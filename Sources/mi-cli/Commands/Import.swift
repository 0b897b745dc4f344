import ArgumentParser
import Foundation
import PlatformServices

/// `mi-cli import FOLDER (--server URL --client-id ID --client-secret S | --database URL --storage DIR) [--jobs N]`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a folder of DICOM files (recursively, in parallel, resumable) into a server or straight into a database.",
        discussion: """
            Server mode uploads each file to POST /api/v1/instances with a client-credentials token (a client with the \
            integration role). Direct mode writes through the store into a database (sqlite:PATH or postgres://...) and a \
            storage folder; the database needs a hospital (the server's first start or the admin creates one).
            A journal (FOLDER/.mi-import-<destination>.journal, or --journal) records finished files: run the same command \
            again after a crash or Ctrl-C and it carries on where it stopped. Exit codes: 0 all imported, 1 some failed, \
            2 nothing could start (bad folder, credentials, database).
            """
    )

    @Argument(help: "The folder to import (searched recursively; hidden files and DICOMDIR are left out).") var folder: String
    @Option(help: "Server base URL (server mode), e.g. https://films.example.org.") var server: String?
    @Option(help: "OAuth client id (server mode).") var clientId: String?
    @Option(help: "OAuth client secret (server mode); or set MI_CLIENT_SECRET.") var clientSecret: String?
    @Option(help: "Database URL (direct mode): sqlite:PATH or postgres://user:pass@host:port/db.") var database: String?
    @Option(help: "Storage folder (direct mode).") var storage: String?
    @Option(help: "Files imported at once.") var jobs = 4
    @Option(help: "Journal file (default: in the folder, one per destination).") var journal: String?

    var secret: String? { clientSecret ?? ProcessInfo.processInfo.environment["MI_CLIENT_SECRET"] }

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1...64") }
        switch (server, database) {
        case (.some, nil):
            guard clientId != nil, secret != nil else { throw ValidationError("server mode needs --client-id and --client-secret") }
            guard storage == nil else { throw ValidationError("--storage belongs to direct mode (--database)") }
            guard let url = URL(string: server!), url.scheme == "http" || url.scheme == "https" else { throw ValidationError("--server must be an http(s) URL") }
        case (nil, .some):
            guard storage != nil else { throw ValidationError("direct mode needs --storage") }
            guard clientId == nil, clientSecret == nil else { throw ValidationError("--client-id and --client-secret belong to server mode (--server)") }
        case (.some, .some): throw ValidationError("give --server or --database, not both")
        case (nil, nil): throw ValidationError("give --server URL (with --client-id, --client-secret) or --database URL --storage DIR")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: self.folder)
        let options = FolderImport.Options(jobs: jobs, journal: journal.map { URL(fileURLWithPath: $0) })
        let server = self.server.flatMap(URL.init(string:)), clientId = self.clientId, secret = self.secret
        let database = self.database, storage = self.storage
        let terminal = isatty(2) == 1
        let summary: ImportSummary = try runImport {
            let destination: any ImportDestination
            var store: PlatformStore?
            if let server, let clientId, let secret {
                let upload = HTTPUploadDestination(server: server, clientId: clientId, clientSecret: secret, connections: options.jobs)
                try await upload.authenticate()
                destination = upload
            } else {
                let opened = try await PlatformStore.open(database: database!, storage: storage!)
                store = opened
                destination = StoreImportDestination(store: opened, identity: "\(PlatformStore.redacted(database!)) \(URL(fileURLWithPath: storage!).standardizedFileURL.path)",
                                                     source: "import:\(NSUserName())")
            }
            let renderer = ProgressRenderer(terminal: terminal)
            let result: ImportSummary
            do {
                result = try await FolderImport(folder: folder, destination: destination, options: options).run { renderer.show($0) }
            } catch {
                await store?.database.close()
                throw error
            }
            renderer.finish()
            await store?.database.close()
            return result
        }
        emit(Self.describe(summary))
        if summary.failed > 0 { throw ExitCode(1) }
    }

    static func describe(_ summary: ImportSummary) -> String {
        let p = summary.progress
        var lines = [String(format: "imported %d files (%.1f MB) in %.1f s: %d stored, %d duplicates, %d failed, %d skipped (finished by an earlier run)",
                            p.processed, Double(p.bytesProcessed) / 1e6, p.elapsed, p.stored, p.duplicates, p.failed, p.skipped)]
        if p.processed > 0 { lines.append(String(format: "rate: %.1f files/s, %.1f MB/s", p.filesPerSecond, p.megabytesPerSecond)) }
        if !summary.ignored.isEmpty { lines.append("left out: \(summary.ignored.count) DICOMDIR file(s)") }
        if !summary.failures.isEmpty {
            lines.append("failed:")
            for (reason, count) in summary.failureReasons { lines.append("  \(count) × \(reason)") }
            for failure in summary.failures.prefix(20) { lines.append("  \(failure.path): \(failure.reason)") }
            if summary.failures.count > 20 { lines.append("  … and \(summary.failures.count - 20) more") }
        }
        lines.append("journal: \(summary.journal.path)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Draws the progress bar in place on a terminal, or a plain line every few seconds otherwise.
final class ProgressRenderer: Sendable {
    let terminal: Bool
    private let lastLine = ManagedAtomicTime()

    init(terminal: Bool) { self.terminal = terminal }

    func show(_ progress: ImportProgress) {
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.bar(width: Self.columns()))".utf8))
        } else if lastLine.due(every: 5, done: progress.filesDone, total: progress.filesTotal) {
            FileHandle.standardError.write(Data((progress.line + "\n").utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func columns() -> Int {
        var size = winsize()
        return ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}

/// When the last plain progress line was written, to write one every few seconds and the final one once.
final class ManagedAtomicTime: @unchecked Sendable {
    private var last = Date.distantPast
    private var finished = false
    private let lock = NSLock()

    func due(every seconds: Double, done: Int, total: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if done == total {
            defer { finished = true }
            return !finished
        }
        let now = Date()
        guard now.timeIntervalSince(last) >= seconds else { return false }
        last = now
        return true
    }
}

/// Runs the async import from the synchronous root command; a failure to start exits with 2 and a clear message.
func runImport<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        box.done.signal()
    }
    box.done.wait()
    switch box.result! {
    case .success(let value): return value
    case .failure(let error as PlatformError):
        FileHandle.standardError.write(Data("mi-cli: import: \(error.message)\n".utf8))
        throw ExitCode(2)
    case .failure(let error):
        if error is ExitCode { throw error }
        FileHandle.standardError.write(Data("mi-cli: import: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
