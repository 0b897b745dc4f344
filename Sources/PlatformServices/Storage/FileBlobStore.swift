import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `BlobStore` in a local folder: each key a file. `put` writes a temporary name, then renames, so readers see the
/// old object or the whole new one; `putNew` writes a key nobody has yet in place.
public struct FileBlobStore: BlobStore {
    /// When `put` returns, relative to the disk.
    public enum Durability: String, Sendable, Hashable, Codable, CaseIterable {
        /// The object is in the filesystem: it survives a crash of the process, and the kernel writes it out within
        /// seconds; a power loss in those seconds loses it. The same level as the index (SQLite in WAL mode with
        /// `synchronous=NORMAL`) and as Orthanc's storage area by default.
        case filesystem
        /// The object and its directory entry are flushed to the device (`fsync`): it survives a power loss. The
        /// default: a Storage SCP must never answer Success for an object it could still lose. Costs a
        /// device flush per object (5–10 ms on the benchmark machine's virtual disk, more than the rest of an ingest).
        case flushed
    }

    /// The folder that holds the objects.
    public let root: URL
    /// When `put` returns.
    public let durability: Durability

    /// How old a temporary file of `put` must be before opening a store removes it: no write takes that long, and
    /// another process on the same folder (`mi-cli import` beside the server) may be writing the younger ones.
    public static let staleTemporaryAge: TimeInterval = 3600

    /// Creates the store, creating `root` if needed, and removes the temporary files a `put` interrupted by a crash
    /// left behind (older than ``staleTemporaryAge``).
    public init(root: URL, durability: Durability = .flushed) throws {
        self.root = root
        self.durability = durability
        let incoming = root.appendingPathComponent(".incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? [] {
            let path = incoming.appendingPathComponent(name).path
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  -modified.timeIntervalSinceNow > Self.staleTemporaryAge else { continue }
            unlink(path)
        }
    }

    private func url(_ key: String) -> URL { root.appendingPathComponent(key) }

    public func put(_ key: String, bytes: [UInt8]) async throws {
        try validateBlobKey(key)
        let target = url(key)
        let folder = target.deletingLastPathComponent().path
        try makeFolder(folder)
        let temporary = root.path + "/.incoming/" + UUID().uuidString
        guard try await writeFile(bytes, to: temporary, exclusive: false) else {
            throw PlatformError(.storageFailure, "cannot store \(key)")
        }
        guard rename(temporary, target.path) == 0 else {
            unlink(temporary)
            throw PlatformError(.storageFailure, "cannot store \(key)")
        }
        try syncFolder(folder)
    }

    /// Creates the file in place (failing if it exists), flushes it and its folder (`flushed`).
    public func putNew(_ key: String, bytes: [UInt8]) async throws {
        try validateBlobKey(key)
        let target = url(key)
        let folder = target.deletingLastPathComponent().path
        try makeFolder(folder)
        guard try await writeFile(bytes, to: target.path, exclusive: true, folder: folder) else {
            throw PlatformError(.storageFailure, "cannot store \(key)")
        }
    }

    /// Threads that wait for the disk: device flushes block neither the cooperative pool nor NIO's shared pool, where
    /// SQLite's statements run.
    private static let diskThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// Writes a whole file (and, with `flushed`, flushes it and then `folder`) on one of `diskThreads`. False when any
    /// step fails; a file it created is removed again then (with `exclusive`, an existing file is never touched).
    private func writeFile(_ bytes: [UInt8], to path: String, exclusive: Bool, folder: String? = nil) async throws -> Bool {
        let flush = durability == .flushed
        return try await Self.diskThreads.runIfActive { () -> Bool in
            let fd = open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC) | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return false }
            var written = 0
            let ok = bytes.withUnsafeBytes { buffer -> Bool in
                while written < buffer.count {
                    let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { return false }
                    written += n
                }
                guard flush else { return true }
                guard fsync(fd) == 0 else { return false }
                guard let folder else { return true }
                let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard directory >= 0 else { return false }
                defer { close(directory) }
                return fsync(directory) == 0
            }
            close(fd)
            if !ok { unlink(path) }
            return ok
        }
    }

    public func put(_ key: String, movingFileAt source: URL) async throws {
        try validateBlobKey(key)
        let target = url(key)
        let folder = target.deletingLastPathComponent().path
        try makeFolder(folder)
        if rename(source.path, target.path) != 0 {
            let bytes = try [UInt8](Data(contentsOf: source))
            try await put(key, bytes: bytes)
            try? FileManager.default.removeItem(at: source)
            return
        }
        if durability == .flushed {
            let fd = open(target.path, O_RDONLY | O_CLOEXEC)
            defer { if fd >= 0 { close(fd) } }
            guard fd >= 0, fsync(fd) == 0 else { throw PlatformError(.storageFailure, "cannot flush \(key)") }
        }
        try syncFolder(folder)
    }

    /// One `mkdir` when the parent exists (the usual case: a series folder), the whole path otherwise.
    private func makeFolder(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A rename is durable only once its folder is flushed (`flushed` only).
    private func syncFolder(_ path: String) throws {
        guard durability == .flushed else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        guard fd >= 0, fsync(fd) == 0 else { throw PlatformError(.storageFailure, "cannot flush the folder \(path)") }
    }

    public func get(_ key: String) async throws -> [UInt8] {
        try validateBlobKey(key)
        guard let data = FileManager.default.contents(atPath: url(key).path) else {
            throw PlatformError(.notFound, "stored object \(key) is missing")
        }
        return [UInt8](data)
    }

    public func localPath(_ key: String) -> String? { url(key).path }

    public func exists(_ key: String) async -> Bool { FileManager.default.fileExists(atPath: url(key).path) }

    public func delete(_ key: String) async throws {
        try validateBlobKey(key)
        try? FileManager.default.removeItem(at: url(key))
    }
}
