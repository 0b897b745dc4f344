import Crypto
import Foundation

/// Where a folder import sends each file: the store itself, or a server's upload API.
public protocol ImportDestination: Sendable {
    /// A stable name for the destination, so that a folder imported into two places keeps one journal for each.
    var identity: String { get }
    /// Imports one file; a `PlatformError` names why it was refused.
    func importFile(at url: URL) async throws -> IngestOutcome.Kind
}

/// Imports straight into a database and storage folder through `PlatformStore.ingest(fileAt:source:)`.
public struct StoreImportDestination: ImportDestination {
    public let store: PlatformStore
    /// The `source` recorded with each instance.
    public let source: String
    public let identity: String

    /// `identity` should name the database and the storage (without passwords).
    public init(store: PlatformStore, identity: String, source: String = "import") {
        self.store = store
        self.identity = identity
        self.source = source
    }

    public func importFile(at url: URL) async throws -> IngestOutcome.Kind {
        try await store.ingest(fileAt: url.path, source: source, audit: IngestAudit(actor: source)).kind
    }
}

/// What a folder import did.
public struct ImportSummary: Sendable {
    /// One file that could not be imported, and why.
    public struct Failure: Sendable, Hashable {
        /// Relative to the imported folder.
        public var path: String
        public var reason: String
    }

    /// The last progress snapshot (counts, bytes, elapsed time).
    public var progress: ImportProgress
    /// Files refused, in folder order.
    public var failures: [Failure]
    /// Files left out without trying: DICOMDIR media directories (an index of the other files, not an instance).
    public var ignored: [String]
    /// The journal used.
    public var journal: URL

    public var stored: Int { progress.stored }
    public var duplicates: Int { progress.duplicates }
    public var skipped: Int { progress.skipped }
    public var failed: Int { progress.failed }

    /// Failure reasons with how many files gave each, most frequent first.
    public var failureReasons: [(reason: String, count: Int)] {
        Dictionary(grouping: failures, by: \.reason).map { ($0.key, $0.value.count) }.sorted { ($1.count, $0.reason) < ($0.count, $1.reason) }
    }
}

/// Imports every file under a folder, recursively and in parallel, into an `ImportDestination`; resumable through an
/// `ImportJournal` (a rerun skips what an earlier run finished, so a crash or Ctrl-C loses nothing).
///
/// ```swift
/// let destination = StoreImportDestination(store: store, identity: "sqlite:/var/lib/mi/index.sqlite")
/// let summary = try await FolderImport(folder: URL(fileURLWithPath: "/media/cdrom"), destination: destination,
///                                      options: .init(jobs: 4)).run { print($0.line) }
/// print(summary.stored, summary.duplicates, summary.failed)
/// ```
///
/// Hidden files and folders (`.name`) are left out, which also keeps the journal out of its own import.
public struct FolderImport: Sendable {
    public struct Options: Sendable {
        /// Files in flight at once.
        public var jobs: Int
        /// The journal; by default `FOLDER/.mi-import-<destination hash>.journal`.
        public var journal: URL?
        /// The least time between two progress callbacks (the last one always comes).
        public var progressInterval: Double

        public init(jobs: Int = 4, journal: URL? = nil, progressInterval: Double = 0.2) {
            self.jobs = jobs
            self.journal = journal
            self.progressInterval = progressInterval
        }
    }

    public let folder: URL
    public let destination: any ImportDestination
    public let options: Options

    public init(folder: URL, destination: any ImportDestination, options: Options = Options()) {
        self.folder = folder.standardizedFileURL
        self.destination = destination
        self.options = options
    }

    /// The default journal of `destination` in `folder`.
    public static func defaultJournal(folder: URL, destination: any ImportDestination) -> URL {
        let digest = SHA256.hash(data: Data(destination.identity.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return folder.appendingPathComponent(".mi-import-\(digest).journal")
    }

    /// One file found in the folder.
    struct Entry: Sendable {
        var url: URL
        var key: ImportJournal.Key
    }

    /// Regular files under the folder, in path order; hidden entries left out. Throws when the folder is unreadable.
    func scan() throws(PlatformError) -> [Entry] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PlatformError(.notFound, "\(folder.path) is not a folder")
        }
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else {
            throw PlatformError(.notFound, "cannot read \(folder.path)")
        }
        let base = folder.path.hasSuffix("/") ? folder.path : folder.path + "/"
        var entries: [Entry] = []
        for case let url as URL in enumerator {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            let relative = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : url.lastPathComponent
            let modified = values.contentModificationDate.map { Int64(($0.timeIntervalSince1970 * 1e9).rounded()) } ?? 0
            entries.append(Entry(url: url, key: .init(path: relative, size: Int64(values.fileSize ?? 0), modified: modified)))
        }
        return entries.sorted { $0.key.path < $1.key.path }
    }

    /// Runs the import. `progress` is called from the import's task, at most every `progressInterval` seconds and
    /// once at the end; keep it quick.
    public func run(progress: @Sendable (ImportProgress) -> Void = { _ in }) async throws -> ImportSummary {
        let journal = try ImportJournal(url: options.journal ?? Self.defaultJournal(folder: folder, destination: destination))
        let entries = try scan()
        var state = ImportProgress(filesTotal: 0, bytesTotal: 0)
        var pending: [Entry] = []
        var ignored: [String] = []
        for entry in entries {
            if entry.url.lastPathComponent.uppercased() == "DICOMDIR" { ignored.append(entry.key.path); continue }
            state.filesTotal += 1
            state.bytesTotal += entry.key.size
            if journal.contains(entry.key) {
                state.skipped += 1
                state.bytesSkipped += entry.key.size
            } else {
                pending.append(entry)
            }
        }
        var failures: [ImportSummary.Failure] = []
        let start = ContinuousClock.now
        var lastReport = start
        func elapsed() -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        progress(state)

        let destination = self.destination
        let jobs = max(1, options.jobs)
        let interval = Duration.milliseconds(Int64(options.progressInterval * 1000))
        try await withThrowingTaskGroup(of: (Entry, Result<IngestOutcome.Kind, PlatformError>).self) { group in
            var next = 0
            func launch() {
                guard next < pending.count else { return }
                let entry = pending[next]
                next += 1
                group.addTask {
                    do {
                        return (entry, .success(try await destination.importFile(at: entry.url)))
                    } catch let error as PlatformError {
                        return (entry, .failure(error))
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        return (entry, .failure(PlatformError(.storageFailure, String(describing: error))))
                    }
                }
            }
            for _ in 0..<jobs { launch() }
            while let (entry, result) = try await group.next() {
                state.processed += 1
                state.bytesProcessed += entry.key.size
                switch result {
                case .success(let kind):
                    if kind == .stored { state.stored += 1 } else { state.duplicates += 1 }
                    journal.record(entry.key, outcome: kind.rawValue)
                case .failure(let error):
                    state.failed += 1
                    failures.append(.init(path: entry.key.path, reason: error.message))
                }
                launch()
                let now = ContinuousClock.now
                if now - lastReport >= interval {
                    lastReport = now
                    state.elapsed = elapsed()
                    progress(state)
                }
            }
        }
        journal.sync()
        state.elapsed = elapsed()
        progress(state)
        return ImportSummary(progress: state, failures: failures.sorted { $0.path < $1.path }, ignored: ignored, journal: journal.url)
    }
}
