/// JPEG 2000 Image Compression (PS3.5 §8.2.4, ISO/IEC 15444-1): 1.2.840.10008.1.2.4.90 (lossless only) and
/// 1.2.840.10008.1.2.4.91; and High-Throughput JPEG 2000 (PS3.5 §8.2.15, ISO/IEC 15444-15):
/// 1.2.840.10008.1.2.4.201 (lossless only) and .202 (lossless only, RPCL with TLM), and, for decoding only, .203.
///
/// Decoding accepts a bare codestream or a JP2 file. Colour images coded with the RCT or ICT come out as RGB; the
/// samples are written as the codestream gives them, so Pixel Representation mismatches (a signed codestream in an
/// unsigned data set, or the reverse) keep their bit patterns.
///
/// ```swift
/// let frame = try file.decodedFrame(0)                          // through CodecRegistry.standard
/// let small = try JPEG2000Decoder.decode(fragment, level: 1)    // half size, for thumbnails
/// ```
public struct JPEG2000Codec: PixelCodec {
    /// JPEG 2000 Image Compression (Lossless Only).
    public static let losslessUID = "1.2.840.10008.1.2.4.90"
    /// JPEG 2000 Image Compression.
    public static let lossyUID = "1.2.840.10008.1.2.4.91"

    /// Makes the codec.
    public init() {}

    /// High-Throughput JPEG 2000 Image Compression (Lossless Only).
    public static let htj2kLosslessUID = "1.2.840.10008.1.2.4.201"
    /// High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only).
    public static let htj2kLosslessRPCLUID = "1.2.840.10008.1.2.4.202"
    /// High-Throughput JPEG 2000 Image Compression.
    public static let htj2kUID = "1.2.840.10008.1.2.4.203"
    /// The HTJ2K syntaxes, all decoded; .201 and .202 are also encoded (losslessly).
    public static let htj2kUIDs = [htj2kLosslessUID, htj2kLosslessRPCLUID, htj2kUID]

    public var transferSyntaxUIDs: [String] { [JPEG2000Codec.losslessUID, JPEG2000Codec.lossyUID] + JPEG2000Codec.htj2kUIDs }

    public func decode(_ encoded: ArraySlice<UInt8>, descriptor d: ImageDescriptor, into output: UnsafeMutableRawBufferPointer) throws(DicomError) -> String {
        guard output.count == d.decodedFrameLength, let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw DicomError(.invalidPixelData, "output buffer of \(output.count) bytes, \(d.decodedFrameLength) expected")
        }
        // The sizes are checked from SIZ before decoding (`expecting`), and again here on what came out.
        let image = try JPEG2000Decoder.decode(encoded, expecting: (d.columns, d.rows, d.samplesPerPixel))
        guard image.planes.count >= d.samplesPerPixel else {
            throw DicomError(.invalidPixelData, "codestream has \(image.planes.count) components, Samples per Pixel is \(d.samplesPerPixel)")
        }
        for c in 0..<d.samplesPerPixel where image.widths[c] != d.columns || image.heights[c] != d.rows {
            throw DicomError(.invalidPixelData, "component \(c) is \(image.widths[c])x\(image.heights[c]), the data set says \(d.columns)x\(d.rows)")
        }
        let b = d.bytesPerSample, s = d.samplesPerPixel
        for c in 0..<s {
            image.planes[c].withUnsafeBufferPointer { plane in
                if b == 2 && s == 1 {
                    // The commonest case (one component, up to 16 bits): whole little-endian words, a loop that
                    // vectorises.
                    let words = UnsafeMutableRawPointer(out)
                    for i in 0..<plane.count {
                        words.storeBytes(of: UInt16(truncatingIfNeeded: plane[i]).littleEndian, toByteOffset: 2 &* i, as: UInt16.self)
                    }
                    return
                }
                if b == 2 {
                    // Up to 16 bits without the per-byte inner loop.
                    var o = c * 2
                    for v in plane {
                        out[o] = UInt8(truncatingIfNeeded: v); out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                        o += s * 2
                    }
                    return
                }
                var o = c * b
                for v in plane {
                    var u = UInt32(bitPattern: v)
                    for k in 0..<b { out[o + k] = UInt8(truncatingIfNeeded: u); u >>= 8 }
                    o += s * b
                }
            }
        }
        if image.colourTransformed { return "RGB" }
        return d.photometricInterpretation
    }

    /// Encodes losslessly (5/3 wavelet; RGB through the RCT, giving Photometric Interpretation YBR_RCT) for the
    /// JPEG 2000 syntaxes and HTJ2K .201 (HT code-blocks, LRCP) and .202 (HT code-blocks, RPCL, a lowest resolution
    /// of at most 64x64 and a TLM marker, PS3.5 §10.18). For .91 with `options.compressionRatio`, irreversibly
    /// instead (9/7 wavelet; RGB through the ICT, giving YBR_ICT) into at most the frame's bytes / ratio, with the
    /// finest quantization that fits; the data set then says it is lossy, with the ratio reached.
    public func encode(_ frame: UnsafeRawBufferPointer, descriptor d: ImageDescriptor, transferSyntaxUID uid: String, options: EncodeOptions) throws(DicomError) -> EncodedFrame {
        var j2k = J2KEncoderOptions()
        switch uid {
        case JPEG2000Codec.losslessUID, JPEG2000Codec.lossyUID: break
        case JPEG2000Codec.htj2kLosslessUID: j2k.highThroughput = true
        case JPEG2000Codec.htj2kLosslessRPCLUID: j2k.highThroughput = true; j2k.progression = .rpcl; j2k.tileLengths = true
        default:
            throw DicomError(.unsupportedTransferSyntax, "JPEG2000Codec does not encode \(uid)\(uid == JPEG2000Codec.htj2kUID ? " (HTJ2K .203 is decoded only)" : "")")
        }
        guard d.bitsAllocated % 8 == 0, d.bitsStored <= 16, d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            throw DicomError(.invalidPixelData, "JPEG 2000 encoding of \(d.samplesPerPixel) samples of \(d.bitsStored)/\(d.bitsAllocated) bits is not supported")
        }
        guard frame.count >= d.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame of \(frame.count) bytes, \(d.decodedFrameLength) expected")
        }
        let b = d.bytesPerSample, s = d.samplesPerPixel, bits = d.bitsStored
        var planes = [[Int32]](repeating: [], count: s)
        for c in 0..<s {
            planes[c].reserveCapacity(d.pixelCount)
            for p in 0..<d.pixelCount {
                var v: UInt32 = 0
                for k in 0..<b { v |= UInt32(frame[(p * s + c) * b + k]) << UInt32(8 * k) }
                v &= bits >= 32 ? UInt32.max : (UInt32(1) << UInt32(bits)) - 1
                var value = Int32(bitPattern: v)
                if d.isSigned && v >> UInt32(bits - 1) & 1 == 1 { value -= Int32(1) << Int32(bits) }
                planes[c].append(value)
            }
        }
        let colour = s == 3 && d.photometricInterpretation == "RGB"
        var changes = DataSet()
        if s == 3 { try changes.setInt(0, for: .planarConfiguration) }
        if uid == JPEG2000Codec.lossyUID, let ratio = options.compressionRatio {
            guard ratio.isFinite, ratio > 1 else {
                throw DicomError(.invalidValue, "a JPEG 2000 compression ratio must be above 1, not \(ratio)")
            }
            let target = max(Int((Double(d.decodedFrameLength) / ratio).rounded(.down)), 1)
            let bytes = try J2KEncoder.encodeIrreversible(planes: planes, width: d.columns, height: d.rows, precision: bits,
                                                          isSigned: d.isSigned, colourTransform: colour, targetBytes: target).bytes
            if colour { try changes.setString("YBR_ICT", for: .photometricInterpretation) }
            try changes.setLossyCompression(originalBytes: d.decodedFrameLength, compressedBytes: bytes.count, method: "ISO_15444_1")
            return EncodedFrame(bytes: bytes, attributeChanges: changes)
        }
        let bytes = try J2KEncoder.encode(planes: planes, width: d.columns, height: d.rows, precision: bits, isSigned: d.isSigned,
                                          colourTransform: colour, options: j2k).bytes
        if colour { try changes.setString("YBR_RCT", for: .photometricInterpretation) }
        return EncodedFrame(bytes: bytes, attributeChanges: changes)
    }
}
