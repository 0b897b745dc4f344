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
        // Each segment is decoded into a contiguous plane, where runs are plain copies and fills, then the planes are
        // interleaved in one pass: faster than writing every byte `stride` apart. 8-bit single-sample frames, whose
        // one plane is the output, skip the scratch planes.
        let direct = segmentCount == 1
        let planes = direct ? out : UnsafeMutablePointer<UInt8>.allocate(capacity: segmentCount * pixels)
        defer { if !direct { planes.deallocate() } }
        let result = encoded.withUnsafeBytes { frame in
            Result { () throws(DicomError) in
                let header = try RLEHeader(frame, expectedSegments: segmentCount)
                for (index, range) in header.segments.enumerated() {
                    try PackBits.decode(UnsafeRawBufferPointer(rebasing: frame[range]), segmentOffset: range.lowerBound,
                                        into: planes + index * pixels, count: pixels, stride: 1)
                }
            }
        }
        try result.get()
        if !direct { RLECodec.interleave(planes, segments: segmentCount, count: pixels, d, into: out) }
        return d.photometricInterpretation
    }

    /// Writes byte `i` of each decoded segment plane to where `placement` puts it.
    private static func interleave(_ planes: UnsafeMutablePointer<UInt8>, segments: Int, count: Int, _ d: ImageDescriptor,
                                   into out: UnsafeMutablePointer<UInt8>) {
        if segments == 2 && d.samplesPerPixel == 1 {
            // 16-bit grey, the common case: most significant plane first, samples little endian.
            let high = planes, low = planes + count
            let raw = UnsafeMutableRawPointer(out)
            for i in 0..<count {
                raw.storeBytes(of: (UInt16(high[i]) << 8 | UInt16(low[i])).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
            return
        }
        for index in 0..<segments {
            let (start, stride) = placement(ofSegment: index, d)
            let plane = planes + index * count
            var o = start
            for i in 0..<count {
                out[o] = plane[i]
                o += stride
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
