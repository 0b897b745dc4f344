/// Decodes one PackBits segment (PS3.5 §G.3) a window at a time, so that the segments of a frame can be decoded side
/// by side into small buffers that stay in cache and be interleaved from there, instead of each going through a
/// frame-sized plane.
///
/// A window receives whole runs: the last run may end up to `PackBits.maximumRun - 1` bytes past the window, so the
/// buffer needs that much room beyond it; those bytes are moved to the start of the buffer by the next `fill`.
/// Errors are those of `PackBits.decode` on the same segment and count.
struct PackBitsStream {
    private let source: UnsafePointer<UInt8>
    private let end: Int
    private let segmentOffset: Int
    private var position = 0
    /// Bytes decoded in total so far, including `carried`.
    private var produced = 0
    /// Bytes of the last run that went past the previous window, waiting after it in the buffer.
    private var carried = 0
    /// Where those bytes are in the buffer (the previous window's size).
    private var carriedFrom = 0

    /// Bytes of room a buffer needs past the window.
    static let overhang = PackBits.maximumRun

    /// Reads `segment`, which starts at `segmentOffset` in the frame (for the offsets of errors).
    /// - Throws: `.invalidPixelData` for an empty segment.
    init(_ segment: UnsafeRawBufferPointer, segmentOffset: Int) throws(DicomError) {
        guard let base = segment.baseAddress, segment.count > 0 else {
            throw DicomError(.invalidPixelData, at: segmentOffset, "empty RLE segment")
        }
        source = base.assumingMemoryBound(to: UInt8.self)
        end = segment.count
        self.segmentOffset = segmentOffset
    }

    /// Decodes the next `count` bytes of the segment into `buffer[0..<count]`; `buffer` must have room for
    /// `count + overhang` bytes and be the same buffer as in the previous call. `total` is the number of bytes the
    /// whole segment must yield, for the error message.
    /// - Throws: `.invalidPixelData` when the segment ends early or a run needs bytes past its end.
    @inline(__always)
    mutating func fill(_ buffer: UnsafeMutablePointer<UInt8>, count: Int, total: Int) throws(DicomError) {
        if carried > 0 {
            UnsafeMutableRawPointer(buffer).copyMemory(from: buffer + carriedFrom, byteCount: carried)
        }
        var o = carried
        let src = source
        var i = position
        while o < count {
            guard i < end else {
                throw DicomError(.invalidPixelData, at: segmentOffset + i,
                                 "RLE segment decodes to \(produced + o) bytes, \(total) expected")
            }
            let header = Int(Int8(bitPattern: src[i]))
            i &+= 1
            if header >= 0 {
                let length = header &+ 1
                guard length <= end &- i else {
                    throw DicomError(.invalidPixelData, at: segmentOffset + i - 1, "literal run of \(length) bytes overruns the RLE segment")
                }
                if length <= 16 && i &+ 16 <= end {
                    // Short literal runs, the common case in noisy planes: one 16-byte copy instead of a memcpy call.
                    UnsafeMutableRawPointer(buffer + o).storeBytes(
                        of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                } else {
                    (buffer + o).update(from: src + i, count: length)
                }
                o &+= length
                i &+= length
            } else if header != -128 {
                guard i < end else {
                    throw DicomError(.invalidPixelData, at: segmentOffset + i - 1, "replicate run without its byte at the end of the RLE segment")
                }
                let value = src[i]
                i &+= 1
                let length = 1 &- header
                if length <= 16 {
                    UnsafeMutableRawPointer(buffer + o).storeBytes(of: SIMD16<UInt8>(repeating: value), as: SIMD16<UInt8>.self)
                } else {
                    (buffer + o).update(repeating: value, count: length)
                }
                o &+= length
            }
            // -128 is a no-op (PS3.5 §G.3.1).
        }
        position = i
        carried = o &- count
        carriedFrom = count
        produced &+= o &- carried
    }
}
