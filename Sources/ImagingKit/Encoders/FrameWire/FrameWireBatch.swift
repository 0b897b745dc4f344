/// Several viewer frames in one body, `application/vnd.mi-frames`: each frame is a u32 little-endian length and
/// then that many bytes of MIF1 (`FrameWireEncoder`), one after another, in the order they were asked for.
/// One request for many slices: the request rate, not the bandwidth, bounds how fast a CT series arrives.
///
/// ```swift
/// let body = FrameWireBatch.join([try FrameWireEncoder.encode(a), try FrameWireEncoder.encode(b)])
/// ```
public enum FrameWireBatch {
    /// The media type.
    public static let mediaType = "application/vnd.mi-frames"

    /// Frames (each already MIF1) as one body. A frame longer than 4 GiB cannot occur (MIF1's dimensions are u16).
    public static func join(_ frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.reduce(0) { $0 + 4 + $1.count })
        for frame in frames {
            out.append(contentsOf: lengthPrefix(frame.count))
            out.append(contentsOf: frame)
        }
        return out
    }

    /// The four bytes that announce a frame of `count` bytes.
    public static func lengthPrefix(_ count: Int) -> [UInt8] {
        let n = UInt32(truncatingIfNeeded: count)
        return [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
    }

    /// The batch body, gzip'd, from frames already compressed as pieces (`PixelService`'s cache keeps them so):
    /// the same bytes as `join` once gunzipped, without compressing anything again.
    public static func gzipJoin(_ frames: [Gzip.Piece]) throws(ImagingError) -> [UInt8] {
        var pieces: [Gzip.Piece] = []
        pieces.reserveCapacity(2 * frames.count)
        for frame in frames { pieces.append(contentsOf: try gzipPieces(frame)) }
        return Gzip.join(pieces)
    }

    /// A frame's part of a gzip'd batch (its length prefix, then the frame), for a body written as frames become
    /// ready (`Gzip.Member`).
    public static func gzipPieces(_ frame: Gzip.Piece) throws(ImagingError) -> [Gzip.Piece] {
        [try Gzip.Piece(stored: lengthPrefix(frame.count)), frame]
    }
}
