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
    /// Starts storing `bytes` before their key is known, so that the slow part (a file write and its device flush)
    /// overlaps reading the object's header. The result is committed under a key, or discarded.
    func stage(_ bytes: [UInt8]) async throws -> StagedBlob
    /// Makes a staged object visible under `key`, with the same atomicity and durability as `put`.
    func commit(_ staged: StagedBlob, as key: String) async throws
    /// Drops a staged object that will not be committed (a duplicate, an unreadable header).
    func discard(_ staged: StagedBlob) async
}

/// Bytes on their way into a `BlobStore`: staged, then committed under a key or discarded.
public struct StagedBlob: Sendable {
    /// Where the store keeps the bytes meanwhile (a temporary file for `FileBlobStore`); nil when it keeps none.
    public let location: String?
    /// The bytes themselves, for stores that write only on commit.
    let bytes: [UInt8]?
    /// The size in bytes.
    public let size: Int

    init(location: String?, bytes: [UInt8]?, size: Int) {
        self.location = location
        self.bytes = bytes
        self.size = size
    }
}

extension BlobStore {
    /// Stages in memory: `commit` is a `put`.
    public func stage(_ bytes: [UInt8]) async throws -> StagedBlob { StagedBlob(location: nil, bytes: bytes, size: bytes.count) }

    /// A `put` of the staged bytes.
    public func commit(_ staged: StagedBlob, as key: String) async throws {
        guard let bytes = staged.bytes else { throw PlatformError(.storageFailure, "staged object has no bytes") }
        try await put(key, bytes: bytes)
    }

    /// Nothing to drop.
    public func discard(_ staged: StagedBlob) async {}
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
