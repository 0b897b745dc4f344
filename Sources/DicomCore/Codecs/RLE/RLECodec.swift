/// RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G: decode and encode.
///
/// A frame is a 64-byte header and one PackBits segment per byte of each sample: for each sample in turn (R, G, B or
/// Y, Cb, Cr), its most significant byte plane first (PS3.5 §G.2). Decoding interleaves those planes into the
/// decoded layout (colour-by-pixel, little endian); the Photometric Interpretation is kept as given, since RLE does
/// not transform colour.
///
/// ```swift
/// let codec = RLECodec()
/// let encoded = try codec.encode(frame, descriptor: d, transferSyntaxUID: RLECodec.transferSyntaxUID, options: .init())
/// ```
public struct RLECodec: PixelCodec {
    /// The RLE Lossless transfer syntax UID.
    public static let transferSyntaxUID = "1.2.840.10008.1.2.5"

    /// Makes the codec.
    public init() {}

    public var transferSyntaxUIDs: [String] { [RLECodec.transferSyntaxUID] }

    /// Where segment `index` goes in a decoded frame: its first byte and the distance between its bytes.
    /// Segments run sample by sample, most significant byte first; decoded samples are little endian.
    private static func placement(ofSegment index: Int, _ d: ImageDescriptor) -> (start: Int, stride: Int) {
        let b = d.bytesPerSample
        let sample = index / b, significance = index % b
        return (sample * b + (b - 1 - significance), d.samplesPerPixel * b)
    }

    private static func checkLayout(_ d: ImageDescriptor) throws(DicomError) -> Int {
        guard d.bitsAllocated % 8 == 0 else {
            throw DicomError(.invalidPixelData, "RLE of Bits Allocated \(d.bitsAllocated) is not supported")
        }
        let segments = d.samplesPerPixel * d.bytesPerSample
        guard segments <= RLEHeader.maximumSegmentCount else {
            throw DicomError(.invalidPixelData, "\(d.samplesPerPixel) samples of \(d.bitsAllocated) bits need \(segments) RLE segments; 15 fit")
        }
        return segments
    }

    public func decode(_ encoded: ArraySlice<UInt8>, descriptor d: ImageDescriptor, into output: UnsafeMutableRawBufferPointer) throws(DicomError) -> String {
        let segmentCount = try RLECodec.checkLayout(d)
        guard output.count == d.decodedFrameLength, let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw DicomError(.invalidPixelData, "output buffer of \(output.count) bytes, \(d.decodedFrameLength) expected")
        }
        let pixels = d.pixelCount
        let result = encoded.withUnsafeBytes { frame in
            Result { () throws(DicomError) in
                let header = try RLEHeader(frame, expectedSegments: segmentCount)
                if segmentCount == 1 {
                    // 8-bit single-sample frames: the one plane is the output.
                    let range = header.segments[0]
                    try PackBits.decode(UnsafeRawBufferPointer(rebasing: frame[range]), segmentOffset: range.lowerBound,
                                        into: out, count: pixels, stride: 1)
                    return
                }
                try RLECodec.decodeInterleaving(frame, header.segments, pixels: pixels, d, into: out)
            }
        }
        try result.get()
        return d.photometricInterpretation
    }

    /// Pixels per window of `decodeInterleaving`: the windows of all segments stay in the first-level cache.
    private static let window = 2048

    /// Decodes the segments side by side, a window of pixels at a time, each into a small buffer where runs are plain
    /// copies and fills, and interleaves each window into the output while it is still in cache: faster than writing
    /// every byte `stride` apart, and than decoding whole planes first (which touches three frame-sized buffers).
    private static func decodeInterleaving(_ frame: UnsafeRawBufferPointer, _ ranges: [Range<Int>], pixels: Int, _ d: ImageDescriptor,
                                           into out: UnsafeMutablePointer<UInt8>) throws(DicomError) {
        let segments = ranges.count
        let pitch = window + PackBitsStream.overhang
        let buffers = UnsafeMutablePointer<UInt8>.allocate(capacity: segments * pitch)
        defer { buffers.deallocate() }
        var streams: [PackBitsStream] = []
        streams.reserveCapacity(segments)
        for range in ranges {
            streams.append(try PackBitsStream(UnsafeRawBufferPointer(rebasing: frame[range]), segmentOffset: range.lowerBound))
        }
        try streams.withUnsafeMutableBufferPointer { (streams) throws(DicomError) in
            var done = 0
            while done < pixels {
                let count = min(window, pixels - done)
                for s in 0..<segments {
                    try streams[s].fill(buffers + s * pitch, count: count, total: pixels)
                }
                if segments == 2 && d.samplesPerPixel == 1 {
                    // 16-bit grey, the common case: most significant plane first, samples little endian.
                    let high = buffers, low = buffers + pitch
                    let raw = UnsafeMutableRawPointer(out + 2 * done)
                    for i in 0..<count {
                        raw.storeBytes(of: (UInt16(high[i]) &<< 8 | UInt16(low[i])).littleEndian, toByteOffset: 2 &* i, as: UInt16.self)
                    }
                } else {
                    for s in 0..<segments {
                        let (start, stride) = placement(ofSegment: s, d)
                        let plane = buffers + s * pitch
                        var o = start &+ done &* stride
                        for i in 0..<count {
                            out[o] = plane[i]
                            o &+= stride
                        }
                    }
                }
                done += count
            }
        }
    }

    /// Encodes one frame. Each row of each byte plane is encoded on its own (PS3.5 §G.3.1), and each segment padded
    /// to even length with a zero byte (§G.5).
    ///
    /// Sets Planar Configuration 0 for colour images, as DCMTK's `dcmcrle` does for colour-by-pixel input (it keeps
    /// the input's value; GDCM writes 1). The value means nothing for RLE, whose segments are always by plane, and
    /// decoders ignore it (PS3.3 §C.7.6.3.1.3).
    public func encode(_ frame: UnsafeRawBufferPointer, descriptor d: ImageDescriptor, transferSyntaxUID uid: String, options: EncodeOptions) throws(DicomError) -> EncodedFrame {
        guard uid == RLECodec.transferSyntaxUID else { throw DicomError(.unsupportedTransferSyntax, "RLECodec does not encode \(uid)") }
        let segmentCount = try RLECodec.checkLayout(d)
        guard frame.count >= d.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame of \(frame.count) bytes, \(d.decodedFrameLength) expected")
        }
        // Every segment goes into one buffer sized for the worst case, each row gathered into a contiguous scratch row.
        let rows = d.rows, columns = d.columns
        let capacity = segmentCount * (rows * PackBits.worstCase(columns) + 1)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        let row = UnsafeMutablePointer<UInt8>.allocate(capacity: columns)
        defer { row.deallocate() }
        let source = frame.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var lengths: [Int] = []
        var o = 0
        for index in 0..<segmentCount {
            let segmentStart = o
            let (start, stride) = RLECodec.placement(ofSegment: index, d)
            for r in 0..<rows {
                var p = start &+ r &* columns &* stride
                for c in 0..<columns {
                    row[c] = source[p]
                    p &+= stride
                }
                o &+= PackBits.encode(row, count: columns, into: buffer + o)
            }
            if (o - segmentStart) % 2 == 1 {
                buffer[o] = 0
                o += 1
            }
            lengths.append(o - segmentStart)
        }
        var bytes = RLEHeader.encode(segmentLengths: lengths)
        bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: o))
        var changes = DataSet()
        if d.samplesPerPixel > 1 { try changes.setInt(0, for: .planarConfiguration) }
        return EncodedFrame(bytes: bytes, attributeChanges: changes)
    }
}
