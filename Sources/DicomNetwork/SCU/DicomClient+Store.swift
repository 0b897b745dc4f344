import DicomCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The outcome of storing files.
public struct StoreReport: Sendable {
    /// Files stored with Success.
    public var stored = 0
    /// Files stored with a warning status.
    public var warnings = 0
    /// Files not stored, with why.
    public var failures: [(file: String, reason: String)] = []

    /// Makes an empty report.
    public init() {}

    mutating func merge(_ other: StoreReport) {
        stored += other.stored
        warnings += other.warnings
        failures += other.failures
    }
}

/// A file's identity, read from its header, used to propose presentation contexts before the bytes are read.
struct StoreCandidate: Sendable {
    var path: String
    var sopClassUID: String
    var sopInstanceUID: String
    var transferSyntax: String
}

extension DicomClient {
    /// C-STORE of Part 10 files over `parallel` associations.
    ///
    /// Each file is proposed in its own transfer syntax first (so the data set goes out byte for byte as in the file),
    /// with uncompressed syntaxes as the fallback; a file in an uncompressed syntax the peer did not accept is
    /// re-encoded in the accepted one. `progress` gets (done, total) after each file, on the association's event
    /// loop (the store loop runs there to avoid thread hops between requests), so it should return quickly.
    public func store(files: [String], parallel: Int = 1, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> StoreReport {
        var report = StoreReport()
        var candidates: [StoreCandidate] = []
        for path in files {
            // File Meta Information names the instance; only a file without it (or without its UIDs) is read further.
            var read = DicomFile.readPartial(contentsOf: path, options: .fileMetaOnly)
            if read.file?.fileMetaInformation.uid(.mediaStorageSOPClassUID) == nil || read.file?.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) == nil {
                read = DicomFile.readPartial(contentsOf: path, options: .headerOnly)
            }
            guard let file = read.file, read.error == nil || read.file?.fileMetaInformation.isEmpty == false else {
                report.failures.append((path, "not a DICOM file: \(read.error.map { "\($0)" } ?? "unreadable")"))
                continue
            }
            let sopClass = file.fileMetaInformation.uid(.mediaStorageSOPClassUID) ?? file.dataSet.uid(.sopClassUID)
            let sopInstance = file.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) ?? file.dataSet.uid(.sopInstanceUID)
            guard let sopClass, let sopInstance else {
                report.failures.append((path, "no SOP Class or SOP Instance UID"))
                continue
            }
            candidates.append(StoreCandidate(path: path, sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: file.transferSyntax.uid))
        }
        let total = candidates.count
        guard total > 0 else { return report }
        let lanes = max(1, min(parallel, total))
        let counter = Counter()
        let chunks = (0..<lanes).map { lane in Array(candidates[(total * lane / lanes)..<(total * (lane + 1) / lanes)]) }
        let reports = try await withThrowingTaskGroup(of: StoreReport.self) { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask {
                    try await self.storeOnOneAssociation(chunk) {
                        let done = counter.increment()
                        progress?(done, total)
                    }
                }
            }
            var all: [StoreReport] = []
            for try await r in group { all.append(r) }
            return all
        }
        for r in reports { report.merge(r) }
        return report
    }

    private func storeOnOneAssociation(_ files: [StoreCandidate], onEach: @Sendable () -> Void) async throws -> StoreReport {
        // Contexts: one per (class, syntax of the file), and one uncompressed fallback per class (PS3.8 allows 128).
        var proposals: [PresentationContextProposal] = []
        var nextID: UInt8 = 1
        func propose(_ sopClass: String, _ syntaxes: [String]) {
            guard !proposals.contains(where: { $0.abstractSyntax == sopClass && $0.transferSyntaxes == syntaxes }), nextID < 255 else { return }
            proposals.append(PresentationContextProposal(id: nextID, abstractSyntax: sopClass, transferSyntaxes: syntaxes))
            nextID &+= 2
        }
        for f in files { propose(f.sopClassUID, [f.transferSyntax]) }
        for f in files { propose(f.sopClassUID, TransferSyntaxUID.uncompressed) }
        guard proposals.count <= 128 else { throw DicomNetworkError(.noPresentationContext, "more than 128 presentation contexts needed; store fewer SOP classes per run") }

        return try await withAssociation(proposals) { a in
            // On the channel's event loop: each response resumes this loop and its next request is written with no thread hop.
            try await withTaskExecutorPreference(EventLoopTaskExecutor(a.channel.eventLoop)) {
                try await self.storeFiles(files, on: a, onEach: onEach)
            }
        }
    }

    private func storeFiles(_ files: [StoreCandidate], on a: Association, onEach: @Sendable () -> Void) async throws -> StoreReport {
        var report = StoreReport()
        // The next file is read while the peer answers the current one: reading is the sender's only real work.
        let parameters = a.parameters
        var next: Task<LoadedFile, Never>? = files.first.map { f in Task(executorPreference: globalConcurrentExecutor) { LoadedFile.read(f, for: parameters) } }
        for (n, f) in files.enumerated() {
            defer { onEach() }
            let loaded = await next!.value
            next = n + 1 < files.count ? Task(executorPreference: globalConcurrentExecutor) { [g = files[n + 1]] in LoadedFile.read(g, for: parameters) } : nil
            do {
                let status = try await a.store(loaded)
                if status.isSuccess { report.stored += 1 } else if status.isWarning { report.warnings += 1 } else {
                    report.failures.append((f.path, "C-STORE answered \(status)"))
                }
            } catch let error as DicomNetworkError where error.code == .noPresentationContext || error.code == .fileIO || error.code == .dataSet {
                report.failures.append((f.path, "\(error)"))
            }
        }
        return report
    }
}

/// A file read ahead of sending: framed as PDUs when its own syntax was accepted, else its bytes; or why it could not be read.
struct LoadedFile: Sendable {
    enum Content: Sendable {
        /// The data set framed for the association, to go out as it is in the file.
        case framed(FramedDataSet)
        /// The whole file, to be sliced or re-encoded when sent.
        case whole([UInt8])
    }

    var candidate: StoreCandidate
    var content: Result<Content, DicomNetworkError>

    /// The whole file.
    static func read(_ f: StoreCandidate) -> LoadedFile {
        LoadedFile(candidate: f, content: Result { () throws(DicomNetworkError) in .whole(try readWholeFile(f.path)) })
    }

    /// The data set framed for an association that accepted the file's own syntax; the whole file otherwise, or when
    /// its File Meta Information no longer matches what the scan saw.
    static func read(_ f: StoreCandidate, for parameters: AssociationParameters) -> LoadedFile {
        guard let context = parameters.context(for: f.sopClassUID, transferSyntax: f.transferSyntax), context.transferSyntax == f.transferSyntax,
              !TransferSyntax(uid: f.transferSyntax).isDeflated else { return read(f) }
        do throws(DicomNetworkError) {
            guard let framed = try readFramed(f, contextID: context.id, fragment: parameters.dataFragmentSize) else { return read(f) }
            return LoadedFile(candidate: f, content: .success(.framed(framed)))
        } catch {
            return LoadedFile(candidate: f, content: .failure(error))
        }
    }
}

/// The file's data set framed as PDUs, or nil when the file is over ``FramedDataSet/maximumLength`` or its File Meta
/// Information does not say where the data set starts in the first 64 KiB or names another instance or syntax than the scan saw.
private func readFramed(_ f: StoreCandidate, contextID: UInt8, fragment: Int) throws(DicomNetworkError) -> FramedDataSet? {
    let fd = open(f.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw DicomNetworkError(.fileIO, "cannot open \(f.path): errno \(errno)") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DicomNetworkError(.fileIO, "cannot stat \(f.path): errno \(errno)") }
    let size = Int(info.st_size)
    // One ByteBuffer holds at most 4 GiB; data sets that large (rare, multi-frame) go the whole-file way.
    guard size <= FramedDataSet.maximumLength else { return nil }
    let prefixSize = Swift.min(size, 64 * 1024)
    let prefix = [UInt8](unsafeUninitializedCapacity: prefixSize) { buffer, count in
        let n = pread(fd, buffer.baseAddress!, prefixSize, 0)
        count = Swift.max(n, 0)
    }
    guard prefix.count == prefixSize else { return nil }
    let meta = DicomFile.readPartial(bytes: prefix, options: .fileMetaOnly)
    guard meta.error == nil, let file = meta.file, file.transferSyntax.uid == f.transferSyntax,
          file.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) == f.sopInstanceUID,
          meta.dataSetOffset < prefixSize || prefixSize == size else { return nil }
    do {
        return try FramedDataSet.read(fd: fd, offset: meta.dataSetOffset, length: size - meta.dataSetOffset, contextID: contextID, fragment: fragment)
    } catch {
        throw DicomNetworkError(.fileIO, "cannot read \(f.path): \(error)")
    }
}

/// The whole file in one read into a fresh array (no `Data` in between).
private func readWholeFile(_ path: String) throws(DicomNetworkError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw DicomNetworkError(.fileIO, "cannot open \(path): errno \(errno)") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DicomNetworkError(.fileIO, "cannot stat \(path): errno \(errno)") }
    let size = Int(info.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        while done < size {
            let n = read(fd, buffer.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { failed = n < 0; break }
            done += n
        }
        count = done
    }
    guard !failed else { throw DicomNetworkError(.fileIO, "cannot read \(path): errno \(errno)") }
    return bytes
}

extension Association {
    /// C-STORE of one file: its data set bytes as they are, or re-encoded when only another uncompressed syntax was accepted.
    func store(file f: StoreCandidate) async throws -> DIMSEStatus {
        try await store(LoadedFile.read(f))
    }

    /// C-STORE of a file already read: the data set goes out as a slice of the file's bytes, without a copy.
    func store(_ loaded: LoadedFile) async throws -> DIMSEStatus {
        let f = loaded.candidate
        let bytes: [UInt8]
        switch try loaded.content.get() {
        case .framed(let framed):
            let id = nextMessageID()
            var command = CommandSet.request(.cStoreRQ, messageID: id, sopClassUID: f.sopClassUID, hasDataSet: true)
            command.set(.affectedSOPInstanceUID, f.sopInstanceUID)
            try await send(command: command, framedDataSet: framed)
            return try await awaitResponse(to: id).command.status ?? .processingFailure
        case .whole(let whole):
            bytes = whole
        }
        if parameters.context(for: f.sopClassUID, transferSyntax: f.transferSyntax)?.transferSyntax == f.transferSyntax {
            let read = DicomFile.readPartial(bytes: bytes, options: .fileMetaOnly)
            return try await store(sopClassUID: f.sopClassUID, sopInstanceUID: f.sopInstanceUID, transferSyntax: f.transferSyntax,
                                   dataSet: bytes[read.dataSetOffset...])
        }
        guard let context = parameters.context(for: f.sopClassUID) else {
            throw DicomNetworkError(.noPresentationContext, "\(f.sopClassUID) was not accepted")
        }
        let target = TransferSyntax(uid: context.transferSyntax)
        let encoded: [UInt8]
        do {
            let file = try DicomFile(bytes: bytes)
            encoded = try DicomFile.encode(file.dataSet, as: target)
        } catch {
            throw DicomNetworkError(.dataSet, "cannot convert \(f.path) to \(target.name): \(error)")
        }
        return try await store(sopClassUID: f.sopClassUID, sopInstanceUID: f.sopInstanceUID, transferSyntax: target.uid, dataSet: encoded)
    }
}

import NIOConcurrencyHelpers

/// A thread-safe counter for progress across parallel associations.
final class Counter: Sendable {
    private let value = NIOLockedValueBox(0)
    func increment() -> Int { value.withLockedValue { $0 += 1; return $0 } }
}

extension ParseOptions {
    /// Stops at the first element of the data set: File Meta Information and the data set's offset, nothing more.
    static let fileMetaOnly = ParseOptions(stopBefore: Tag(0x0003, 0x0000))
}
