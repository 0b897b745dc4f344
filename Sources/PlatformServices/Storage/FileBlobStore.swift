import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `BlobStore` in a local folder: each key a file, written to a temporary name, flushed, then renamed.
public struct FileBlobStore: BlobStore {
    /// The folder that holds the objects.
    public let root: URL

    /// Creates the store, creating `root` if needed.
    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".incoming"), withIntermediateDirectories: true)
    }

    private func url(_ key: String) -> URL { root.appendingPathComponent(key) }

    public func put(_ key: String, bytes: [UInt8]) async throws {
        try validateBlobKey(key)
        let target = url(key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = root.appendingPathComponent(".incoming/\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw PlatformError(.storageFailure, "cannot create \(temporary.lastPathComponent)") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary.path, target.path) == 0 else {
            unlink(temporary.path)
            throw PlatformError(.storageFailure, "cannot store \(key)")
        }
    }

    public func put(_ key: String, movingFileAt source: URL) async throws {
        try validateBlobKey(key)
        let target = url(key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if rename(source.path, target.path) != 0 {
            let bytes = try [UInt8](Data(contentsOf: source))
            try await put(key, bytes: bytes)
            try? FileManager.default.removeItem(at: source)
        }
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
