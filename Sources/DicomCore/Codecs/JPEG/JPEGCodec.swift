/// JPEG (ITU-T T.81) for the DICOM syntaxes of PS3.5 §A.4.1: baseline and extended DCT decoding, lossless decoding
/// and encoding, baseline encoding. Our own code end to end; only the Swift standard library.
///
/// ```swift
/// let frame = try file.decodedFrame(0)   // JPEG files decode through CodecRegistry.standard
/// ```
public struct JPEGCodec: PixelCodec {
    /// JPEG Baseline (Process 1): decoded and encoded.
    public static let baselineUID = "1.2.840.10008.1.2.4.50"
    /// JPEG Extended (Process 2 & 4): decoded (8 and 12 bits, Huffman coding).
    public static let extendedUID = "1.2.840.10008.1.2.4.51"
    /// JPEG Lossless, Non-Hierarchical (Process 14): decoded and encoded with `EncodeOptions.predictor`.
    public static let losslessUID = "1.2.840.10008.1.2.4.57"
    /// JPEG Lossless, first-order prediction (Process 14, Selection Value 1): decoded and encoded.
    public static let losslessSV1UID = "1.2.840.10008.1.2.4.70"

    /// The codec; it holds no state.
    public init() {}

    public var transferSyntaxUIDs: [String] { [Self.baselineUID, Self.extendedUID, Self.losslessUID, Self.losslessSV1UID] }

    public func decode(_ encoded: ArraySlice<UInt8>, descriptor: ImageDescriptor, into output: UnsafeMutableRawBufferPointer) throws(DicomError) -> String {
        guard output.count >= descriptor.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "output buffer of \(output.count) bytes for a \(descriptor.decodedFrameLength)-byte frame")
        }
        guard descriptor.samplesPerPixel == 1 || descriptor.samplesPerPixel == 3, descriptor.bitsAllocated <= 16, descriptor.bitsAllocated >= 8 else {
            throw DicomError(.invalidPixelData, "JPEG: \(descriptor.samplesPerPixel) samples of \(descriptor.bitsAllocated) bits")
        }
        let result = encoded.withUnsafeBufferPointer { data in
            Result { () throws(DicomError) -> String in
                var decoder = JPEGDecoder(data: data, descriptor: descriptor, output: output)
                return try decoder.decode()
            }
        }
        return try result.get()
    }

    public func encode(_ frame: UnsafeRawBufferPointer, descriptor: ImageDescriptor, transferSyntaxUID uid: String, options: EncodeOptions) throws(DicomError) -> EncodedFrame {
        guard descriptor.numberOfFrames >= 1, frame.count >= descriptor.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame has \(frame.count) bytes, \(descriptor.decodedFrameLength) expected")
        }
        switch uid {
        case Self.losslessUID, Self.losslessSV1UID:
            let predictor = uid == Self.losslessSV1UID ? 1 : options.predictor
            var encoder = JPEGLosslessEncoder(descriptor: descriptor, predictor: predictor)
            encoder.tables = options.losslessHuffmanTables
            let bytes = try encoder.encode(frame)
            var changes = DataSet()
            if descriptor.samplesPerPixel > 1 { try changes.setInt(0, for: .planarConfiguration) }
            return EncodedFrame(bytes: bytes, attributeChanges: changes)
        case Self.baselineUID:
            let (bytes, photometric) = try JPEGBaselineEncoder(descriptor: descriptor, quality: options.quality).encode(frame)
            // PS3.3 §C.7.6.1.1.5: a lossy encoding says so, with its ratio and method.
            var changes = DataSet()
            try changes.setString(photometric, for: .photometricInterpretation, vr: .CS)
            if descriptor.samplesPerPixel > 1 { try changes.setInt(0, for: .planarConfiguration) }
            try changes.setLossyCompression(originalBytes: descriptor.decodedFrameLength, compressedBytes: bytes.count, method: "ISO_10918_1")
            return EncodedFrame(bytes: bytes, attributeChanges: changes)
        default:
            throw DicomError(.unsupportedTransferSyntax, "JPEG: encoding to \(uid) is not supported (decode only)")
        }
    }
}
