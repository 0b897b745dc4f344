/// Decoded pixels of one frame, in the layout `PixelCodec` defines, with the descriptor that now applies to them.
public struct DecodedFrame: Sendable {
    /// Samples, little endian, each `descriptor.bytesPerSample` wide, colour-by-pixel.
    public var bytes: [UInt8]
    /// The image description of `bytes`: Photometric Interpretation as decoded, Planar Configuration 0.
    public var descriptor: ImageDescriptor
}

extension DicomFile {
    /// Decodes frame `index` (0-based) of the Pixel Data.
    ///
    /// Native pixels are copied (colour-by-plane data interleaved, 1-bit data spread to one byte per pixel);
    /// encapsulated pixels go through the codec registered for the file's transfer syntax, and fail with
    /// `.unsupportedTransferSyntax` naming the syntax when there is none.
    public func decodedFrame(_ index: Int, registry: CodecRegistry = .standard) throws(DicomError) -> DecodedFrame {
        var descriptor = try ImageDescriptor(dataSet)
        let encoded = try dataSet.frameBytes(at: index)
        let length = descriptor.decodedFrameLength
        let output: [UInt8]
        if case .encapsulated? = dataSet.pixelDataElement?.value {
            guard let codec = registry.codec(for: transferSyntax.uid) else {
                throw DicomError(.unsupportedTransferSyntax, "no decoder for \(transferSyntax.name) (\(transferSyntax.uid))")
            }
            // A codec that writes every byte of a frame it decodes gets the buffer uninitialised: zero-filling a
            // large frame costs about as much as decoding an RLE one. Others get zeros, as before.
            let writesEveryByte = codec is RLECodec || codec is JPEGCodec || codec is JPEGLSCodec
            var result: Result<String, DicomError> = .success("")
            let decode = { (buffer: UnsafeMutableRawBufferPointer) in
                result = Result { () throws(DicomError) -> String in try codec.decode(encoded, descriptor: descriptor, into: buffer) }
            }
            if writesEveryByte {
                output = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                    decode(UnsafeMutableRawBufferPointer(buffer))
                    initialized = length   // UInt8 needs no initialisation; on failure the array is dropped
                }
            } else {
                var zeroed = [UInt8](repeating: 0, count: length)
                zeroed.withUnsafeMutableBytes { decode($0) }
                output = zeroed
            }
            descriptor.photometricInterpretation = try result.get()
        } else {
            var native = [UInt8](repeating: 0, count: length)
            try NativePixels.copy(encoded, descriptor: descriptor, into: &native)
            output = native
        }
        descriptor.planarConfiguration = 0
        if descriptor.bitsAllocated == 1 { descriptor.bitsAllocated = 8; descriptor.bitsStored = 1; descriptor.highBit = 0 }
        return DecodedFrame(bytes: output, descriptor: descriptor)
    }
}

/// Native (uncompressed) pixel layout conversions.
enum NativePixels {
    /// Copies a native frame into the decoded layout.
    static func copy(_ frame: ArraySlice<UInt8>, descriptor d: ImageDescriptor, into output: inout [UInt8]) throws(DicomError) {
        if d.bitsAllocated == 1 {
            guard frame.count * 8 >= d.pixelCount * d.samplesPerPixel else { throw DicomError(.invalidPixelData, "1-bit frame too short") }
            for i in 0..<min(output.count, d.pixelCount * d.samplesPerPixel) {
                output[i] = frame[frame.startIndex + i >> 3] >> (i & 7) & 1
            }
            return
        }
        guard frame.count >= output.count else {
            throw DicomError(.invalidPixelData, "frame has \(frame.count) bytes, \(output.count) expected")
        }
        if d.samplesPerPixel > 1 && d.planarConfiguration == 1 {
            let plane = d.pixelCount * d.bytesPerSample
            let s = d.samplesPerPixel, b = d.bytesPerSample
            for p in 0..<d.pixelCount {
                for c in 0..<s {
                    for k in 0..<b { output[(p * s + c) * b + k] = frame[frame.startIndex + c * plane + p * b + k] }
                }
            }
        } else {
            output.withUnsafeMutableBufferPointer { out in
                _ = out.initialize(from: frame.prefix(out.count))
            }
        }
    }
}
