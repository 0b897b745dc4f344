/// The 64-byte header that starts every RLE frame (PS3.5 §G.5): the number of segments, then sixteen little-endian
/// UInt32 offsets of which the first `segmentCount` locate the segments, measured from the start of the header.
struct RLEHeader: Sendable, Hashable {
    /// Header length in bytes, which is also the offset of the first segment.
    static let length = 64
    /// At most 15 segments fit in the header.
    static let maximumSegmentCount = 15

    /// Where each segment starts and ends in the frame (relative to the frame's first byte).
    var segments: [Range<Int>]

    /// Reads and validates the header of `frame`: the segment count must be `expectedSegments` (one per byte of each
    /// sample, PS3.5 §G.2), the first offset 64, and offsets increasing and inside the frame.
    init(_ frame: UnsafeRawBufferPointer, expectedSegments: Int) throws(DicomError) {
        guard frame.count >= RLEHeader.length else {
            throw DicomError(.invalidPixelData, at: 0, "RLE frame of \(frame.count) bytes is shorter than its 64-byte header")
        }
        func word(_ i: Int) -> Int { Int(UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        let count = word(0)
        guard count >= 1, count <= RLEHeader.maximumSegmentCount else {
            throw DicomError(.invalidPixelData, at: 0, "RLE header gives \(count) segments; 1 to 15 allowed")
        }
        guard count == expectedSegments else {
            throw DicomError(.invalidPixelData, at: 0, "RLE header gives \(count) segments; the image needs \(expectedSegments)")
        }
        var starts: [Int] = []
        starts.reserveCapacity(count)
        for i in 1...count {
            let offset = word(i)
            if i == 1, offset != RLEHeader.length {
                throw DicomError(.invalidPixelData, at: 4, "first RLE segment starts at \(offset), not 64")
            }
            if let previous = starts.last, offset <= previous {
                throw DicomError(.invalidPixelData, at: 4 * i, "RLE segment \(i) starts at \(offset), not after segment \(i - 1) at \(previous)")
            }
            guard offset < frame.count else {
                throw DicomError(.invalidPixelData, at: 4 * i, "RLE segment \(i) starts at \(offset), past the frame's \(frame.count) bytes")
            }
            starts.append(offset)
        }
        segments = starts.indices.map { i in starts[i]..<(i + 1 < starts.count ? starts[i + 1] : frame.count) }
    }

    /// The header bytes for segments of the given lengths, laid out one after another from offset 64.
    static func encode(segmentLengths: [Int]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        func put(_ value: Int, at i: Int) {
            let v = UInt32(value)
            for k in 0..<4 { out[4 * i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        }
        put(segmentLengths.count, at: 0)
        var offset = length
        for (i, n) in segmentLengths.enumerated() {
            put(offset, at: i + 1)
            offset += n
        }
        return out
    }
}
