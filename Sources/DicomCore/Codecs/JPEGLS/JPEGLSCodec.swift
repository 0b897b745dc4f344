/// JPEG-LS lossless and near-lossless (ITU-T T.87, ISO/IEC 14495-1; PS3.5 §8.2.3, §A.4.3).
///
/// Decodes 2–16-bit samples of 1 or more components in every interleave mode, with custom presets (LSE type 1),
/// restart markers and one scan per component. Encodes 1 and 3 components in the interleave mode of
/// `EncodeOptions.jpeglsInterleave`, by default 8-bit colour sample-interleaved (ILV 2) and everything else one scan
/// per component (ILV 0). NEAR comes from `EncodeOptions.nearLossless`.
///
/// ```swift
/// let frame = try file.decodedFrame(0)          // through CodecRegistry.standard
/// let encoded = try JPEGLSCodec().encode(raw, descriptor: d, transferSyntaxUID: JPEGLSCodec.nearLosslessUID,
///                                        options: EncodeOptions(nearLossless: 2))
/// ```
public struct JPEGLSCodec: PixelCodec {
    /// JPEG-LS Lossless Image Compression.
    public static let losslessUID = "1.2.840.10008.1.2.4.80"
    /// JPEG-LS Lossy (Near-Lossless) Image Compression.
    public static let nearLosslessUID = "1.2.840.10008.1.2.4.81"

    /// The codec; it holds no state, so one value serves every thread.
    public init() {}

    /// JPEG-LS Lossless and JPEG-LS Near-Lossless.
    public var transferSyntaxUIDs: [String] { [Self.losslessUID, Self.nearLosslessUID] }

    /// Decodes one JPEG-LS codestream; the frame header must match `descriptor` (size, components, at most Bits
    /// Allocated bits). Returns `descriptor.photometricInterpretation`: JPEG-LS in DICOM carries no colour transform.
    public func decode(_ encoded: ArraySlice<UInt8>, descriptor: ImageDescriptor, into output: UnsafeMutableRawBufferPointer) throws(DicomError) -> String {
        try descriptor.validate()
        guard descriptor.bytesPerSample <= 2 else {
            throw DicomError(.invalidPixelData, "JPEG-LS holds at most 16 bits per sample, Bits Allocated is \(descriptor.bitsAllocated)")
        }
        guard output.count == descriptor.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "output buffer of \(output.count) bytes, \(descriptor.decodedFrameLength) expected")
        }
        let result = encoded.withUnsafeBufferPointer { bytes in
            Result { () throws(DicomError) in
                var decoder = JPEGLSDecoder(bytes, descriptor: descriptor, output: output)
                try decoder.decode()
            }
        }
        try result.get()
        return descriptor.photometricInterpretation
    }

    /// Encodes one frame with P = Bits Stored (at least 2) and NEAR = `options.nearLossless` (0 for `losslessUID`).
    /// Colour frames use `options.jpeglsInterleave` when given. Signed samples (Pixel Representation 1) are coded as
    /// their low P bits, two's complement (PS3.5 §8.2.3: JPEG-LS itself knows no sign).
    /// Near-lossless encodings set Lossy Image Compression, its ratio and method `ISO_14495_1`.
    public func encode(_ frame: UnsafeRawBufferPointer, descriptor d: ImageDescriptor, transferSyntaxUID uid: String, options: EncodeOptions) throws(DicomError) -> EncodedFrame {
        guard uid == Self.losslessUID || uid == Self.nearLosslessUID else {
            throw DicomError(.unsupportedTransferSyntax, "JPEG-LS cannot encode \(uid)")
        }
        try d.validate()
        let near = options.nearLossless
        guard near == 0 || uid == Self.nearLosslessUID else {
            throw DicomError(.invalidValue, "NEAR \(near) needs JPEG-LS Near-Lossless (\(Self.nearLosslessUID))")
        }
        guard d.bytesPerSample <= 2, d.bitsStored <= 16 else {
            throw DicomError(.invalidPixelData, "JPEG-LS holds at most 16 bits per sample, Bits Allocated is \(d.bitsAllocated)")
        }
        guard d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            throw DicomError(.invalidPixelData, "JPEG-LS encoding of \(d.samplesPerPixel) samples per pixel")
        }
        guard frame.count >= d.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame has \(frame.count) bytes, \(d.decodedFrameLength) expected")
        }
        let precision = max(2, d.bitsStored)
        let parameters = try JPEGLSParameters(bitsPerSample: precision, near: near)
        let ilv: Int
        if d.samplesPerPixel == 1 {
            ilv = 0
        } else if let chosen = options.jpeglsInterleave {
            ilv = chosen.rawValue
        } else {
            ilv = d.bitsStored <= 8 ? 2 : 0
        }
        let bytes = JPEGLSEncoder(frame: frame, descriptor: d, precision: precision, parameters: parameters, interleave: ilv).encode()

        var changes = DataSet()
        if d.samplesPerPixel > 1 { try changes.setInt(0, for: .planarConfiguration) }
        if near > 0 {
            let raw = d.pixelCount * d.samplesPerPixel * ((d.bitsStored + 7) / 8)
            try changes.setLossyCompression(originalBytes: raw, compressedBytes: bytes.count, method: "ISO_14495_1")
        }
        return EncodedFrame(bytes: bytes, attributeChanges: changes)
    }
}

/// Writes one frame as a JPEG-LS codestream: SOI, SOF55, one scan per component (ILV 0) or one scan of all
/// components (ILV 1, line by line, or ILV 2, sample by sample), EOI. Default thresholds, so no LSE segment; restart
/// markers only when asked for.
struct JPEGLSEncoder {
    let frame: UnsafeRawBufferPointer
    let descriptor: ImageDescriptor
    let precision: Int
    let parameters: JPEGLSParameters
    let interleave: Int
    /// Lines per restart interval (DRI), 0 for none.
    var restartInterval = 0
    /// Written as an LSE segment when it is not all defaults; `parameters` must have been made from it.
    var preset = JPEGLSParameters.Preset()

    func encode() -> [UInt8] {
        let d = descriptor
        let width = d.columns, height = d.rows, spp = d.samplesPerPixel
        // Worst case: LIMIT + 2 bits a sample, 8 bits stored in 7 after each 0xFF, plus headers, final padding and
        // RSTm markers of every interval.
        let capacity = d.pixelCount * spp * (Int(parameters.limit) + 2) / 7 + 4 * spp * (height + 16) + 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var n = 0
        func put(_ bytes: [Int]) { for b in bytes { buffer[n] = UInt8(truncatingIfNeeded: b); n += 1 } }
        put([0xFF, 0xD8])
        put([0xFF, 0xF7, 0, 8 + 3 * spp, precision, height >> 8, height, width >> 8, width, spp])
        for c in 0..<spp { put([c + 1, 0x11, 0]) }
        if restartInterval > 0 { put([0xFF, 0xDD, 0, 4, restartInterval >> 8, restartInterval]) }
        if preset != JPEGLSParameters.Preset() {
            put([0xFF, 0xF8, 0, 13, 1])
            for v in [preset.maxValue, preset.t1, preset.t2, preset.t3, preset.reset] { put([v >> 8, v]) }
        }

        let scans: [[Int]] = interleave == 0 ? (0..<spp).map { [$0] } : [Array(0..<spp)]
        let mask = Int32((1 << precision) - 1)
        let maxValue = parameters.maxValue
        for scan in scans {
            let ns = scan.count
            put([0xFF, 0xDA, 0, 6 + 2 * ns, ns])
            for c in scan { put([c + 1, 0]) }
            put([Int(parameters.near), interleave, 0])

            let state = JPEGLSState(parameters)
            defer { state.deallocate() }
            // As in the decoder: sample interleaving keeps all components in one line; otherwise (ILV 0 and 1) each
            // component has its own pair of lines and its own run index, and all share the contexts (T.87 §A.2).
            let interleaved = interleave == 2 && ns > 1
            let stride = interleaved ? ns : 1
            let lineSets = interleaved ? 1 : ns
            let lineLength = (width + 2) * stride
            let lines = UnsafeMutablePointer<Int32>.allocate(capacity: (2 * lineSets + 1) * lineLength)
            defer { lines.deallocate() }
            lines.initialize(repeating: 0, count: (2 * lineSets + 1) * lineLength)
            let input = lines + 2 * lineSets * lineLength
            var currentIsFirst = [Bool](repeating: false, count: lineSets)
            var runIndex = [Int](repeating: 0, count: lineSets)
            let lineComponents = interleaved ? [scan] : scan.map { [$0] }
            var encoder = JPEGLSLineEncoder(state: state, writer: JPEGLSBitWriter(buffer, capacity: capacity, start: n))
            let source = frame.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for y in 0..<height {
                if restartInterval > 0 && y > 0 && y % restartInterval == 0 {
                    // RSTm ends the interval; coding restarts as at the top of the scan (T.87 §D.2).
                    encoder.writer.finish()
                    n = encoder.writer.count
                    put([0xFF, 0xD0 + (y / restartInterval - 1) % 8])
                    encoder.writer = JPEGLSBitWriter(buffer, capacity: capacity, start: n)
                    state.resetContexts()
                    lines.update(repeating: 0, count: 2 * lineSets * lineLength)
                    for i in runIndex.indices { runIndex[i] = 0 }
                }
                for set in 0..<lineSets {
                    let pair = lines + 2 * lineLength * set
                    let previous = currentIsFirst[set] ? pair : pair + lineLength
                    let current = currentIsFirst[set] ? pair + lineLength : pair
                    currentIsFirst[set].toggle()
                    // Gather the line's samples, masked to P bits (two's complement samples keep their low bits).
                    if spp == 1 && d.bytesPerSample == 2 {
                        // One 16-bit component, the common case: whole little-endian words, in a loop that vectorises.
                        let row = UnsafeRawPointer(source + 2 * y * width)
                        for x in 0..<width {
                            let v = Int32(UInt16(littleEndian: row.loadUnaligned(fromByteOffset: 2 &* x, as: UInt16.self)))
                            input[x &+ 1] = min(v & mask, maxValue)
                        }
                    } else {
                        for (c, component) in lineComponents[set].enumerated() {
                            var index = y * width * spp + component
                            for x in 1...width {
                                let v: Int32 = d.bytesPerSample == 1 ? Int32(source[index]) : Int32(source[2 * index]) | Int32(source[2 * index + 1]) << 8
                                input[x * stride + c] = min(v & mask, maxValue)
                                index += spp
                            }
                        }
                    }
                    for c in 0..<stride {
                        previous[(width + 1) * stride + c] = previous[width * stride + c]
                        current[c] = previous[stride + c]
                    }
                    if interleaved {
                        encoder.encodeInterleavedLine(input: input, previous: previous, current: current, width: width, components: ns, runIndex: &runIndex[set])
                    } else {
                        encoder.encodeLine(input: input, previous: previous, current: current, width: width, runIndex: &runIndex[set])
                    }
                }
            }
            encoder.writer.finish()
            n = encoder.writer.count
        }
        put([0xFF, 0xD9])
        return Array(UnsafeBufferPointer(start: buffer, count: n))
    }
}
