import Foundation

/// Where original files (DICOM instances, report PDFs, rendered pages) live, addressed by key.
///
/// Keys are relative, slash-separated paths made of `[A-Za-z0-9._-]` segments (`dicom/1.2.3/1.2.4/1.2.5.dcm`).
/// The filesystem implementation is the embedded default; an S3-compatible one plugs in behind the same protocol.
public protocol BlobStore: Sendable {
    /// Stores `bytes` under `key`, atomically: readers see the old object, or the whole new one.
    func put(_ key: String, bytes: [UInt8]) async throws
    /// Stores the file at `source` under `key` (moved when it is on the same volume, else copied).
    func put(_ key: String, movingFileAt source: URL) async throws
    /// The whole object; `PlatformError.notFound` when missing.
    func get(_ key: String) async throws -> [UInt8]
    /// A local file path for the object when the store has one (lets readers map or read just a header).
    func localPath(_ key: String) -> String?
    /// Whether an object exists.
    func exists(_ key: String) async -> Bool
    /// Removes an object; missing objects are not an error.
    func delete(_ key: String) async throws
    /// Stores `bytes` under `key`, a key no object has had (one with a UUID in it): no temporary copy and no rename,
    /// since nobody can be reading the key yet. As durable as `put` when it returns; removed again when it throws.
    func putNew(_ key: String, bytes: [UInt8]) async throws
}

extension BlobStore {
    /// A `put`.
    public func putNew(_ key: String, bytes: [UInt8]) async throws { try await put(key, bytes: bytes) }
}

/// Validates a blob key: no absolute paths, no `..`, no empty segments.
func validateBlobKey(_ key: String) throws {
    let segments = key.split(separator: "/", omittingEmptySubsequences: false)
    guard !key.isEmpty, !key.hasPrefix("/"), segments.allSatisfy({ segment in
        !segment.isEmpty && segment != "." && segment != ".."
            && segment.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D || c == 0x5F
            }
    }) else { throw PlatformError.invalid("key", "invalid storage key") }
}
