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
            let n = UInt32(truncatingIfNeeded: frame.count)
            out.append(UInt8(n & 0xFF)); out.append(UInt8((n >> 8) & 0xFF))
            out.append(UInt8((n >> 16) & 0xFF)); out.append(UInt8(n >> 24))
            out.append(contentsOf: frame)
        }
        return out
    }
}
