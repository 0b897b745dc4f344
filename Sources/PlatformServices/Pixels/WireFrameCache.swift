import ImagingKit

/// Recently served viewer frames, kept gzip-ready (`Gzip.Piece` of MIF1) so that a series opened again, or by a
/// second reader, costs neither a read nor a decode: a CT slice of 512 KB keeps as about 10 KB.
///
/// Bounded by the bytes it holds: past the budget, the least recently used quarter goes. An entry is keyed by the
/// stored object (its storage key and transfer syntax: a stored object is never rewritten in place, and a transcoded
/// one has another syntax), the frame number and the payload (planar or packed: `FrameWireEncoder`), so a stale
/// frame cannot be served for a changed object, nor one client's encoding to another.
public actor WireFrameCache {
    /// What identifies one cached frame.
    public struct Key: Hashable, Sendable {
        public var storageKey: String
        public var transferSyntaxUID: String
        public var frame: Int
        /// Whether the frame is MIF1's packed payload.
        public var packed: Bool

        /// The key of frame `number` (1-based) of `instance`, `packed` or planar.
        public init(_ instance: StoredInstance, frame number: Int, packed: Bool = false) {
            storageKey = instance.storageKey
            transferSyntaxUID = instance.transferSyntaxUID
            frame = number
            self.packed = packed
        }
    }

    private struct Entry {
        var piece: Gzip.Piece
        var lastUse: UInt64
    }

    /// The most compressed bytes kept.
    public let budget: Int
    private var entries: [Key: Entry] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0

    /// A cache that keeps at most `budget` compressed bytes (default 64 MB: thousands of CT slices).
    public init(budget: Int = 64 << 20) { self.budget = max(0, budget) }

    /// The cached frame, marked as just used; nil when absent.
    public func piece(_ key: Key) -> Gzip.Piece? {
        guard entries[key] != nil else { return nil }
        clock += 1
        entries[key]!.lastUse = clock
        return entries[key]!.piece
    }

    /// Frames being made for a caller of ``piece(_:orMake:)``, which later callers of the same key wait for.
    private var making: [Key: Task<Gzip.Piece, any Error>] = [:]

    /// The cached frame, or `make`'s, kept for next time. Callers that ask for a frame while another caller's `make`
    /// for it runs wait for that one (readers of a consultation open the same frames at once): each frame is read and
    /// decoded once. A failed `make` fails its waiters too, and the next caller tries again.
    public func piece(_ key: Key, orMake make: @escaping @Sendable () async throws -> Gzip.Piece) async throws -> Gzip.Piece {
        if let piece = piece(key) { return piece }
        if let task = making[key] { return try await task.value }
        let task = Task { try await make() }
        making[key] = task
        defer { making[key] = nil }
        let piece = try await task.value
        insert(piece, for: key)
        return piece
    }

    /// Keeps a frame, evicting the least recently used quarter of the budget when it is exceeded.
    public func insert(_ piece: Gzip.Piece, for key: Key) {
        let size = piece.deflated.count
        guard size <= budget else { return }
        clock += 1
        if let old = entries.updateValue(Entry(piece: piece, lastUse: clock), forKey: key) { bytes -= old.piece.deflated.count }
        bytes += size
        guard bytes > budget else { return }
        // Evicting in bulk keeps the sort rare: one per quarter of the budget inserted.
        for (key, entry) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
            guard bytes > budget * 3 / 4 else { break }
            entries[key] = nil
            bytes -= entry.piece.deflated.count
        }
    }

    /// Number of frames and compressed bytes held.
    public var usage: (frames: Int, bytes: Int) { (entries.count, bytes) }
}
