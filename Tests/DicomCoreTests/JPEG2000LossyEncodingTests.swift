import Foundation
import Testing
@testable import DicomCore

/// Irreversible JPEG 2000 encoding (1.2.840.10008.1.2.4.91 with `EncodeOptions.compressionRatio`): the 9/7 wavelet,
/// the ICT and scalar quantization to a target size. OpenJPEG (`opj_decompress`) must read our streams as we do, the
/// size must meet the ratio, and the error must grow as the ratio does.
@Suite struct JPEG2000LossyEncodingTests {
    /// A synthetic frame in the decoded layout and its descriptor.
    static func frame(components c: Int, bits: Int, signed: Bool, width w: Int, height h: Int) -> ([UInt8], ImageDescriptor) {
        let s = JPEG2000CodecTests.syntheticFrame(components: c, bits: bits, signed: signed, width: w, height: h, seed: 5)
        return (s.frame, s.descriptor)
    }

    /// The samples of a decoded frame as integers (sign-extended from `bits`).
    static func samples(_ bytes: [UInt8], _ d: ImageDescriptor) -> [Int] {
        let b = d.bytesPerSample
        return stride(from: 0, to: bytes.count, by: b).map { i in
            var v = Int(bytes[i]) | (b == 2 ? Int(bytes[i + 1]) << 8 : 0)
            v &= (1 << d.bitsStored) - 1
            if d.isSigned && v >> (d.bitsStored - 1) == 1 { v -= 1 << d.bitsStored }
            return v
        }
    }

    /// Encodes `frame` at `ratio` and decodes it back with our decoder: the encoding and the mean squared error.
    static func roundTrip(_ frame: [UInt8], _ d: ImageDescriptor, ratio: Double?, syntax: String = JPEG2000Codec.lossyUID) throws
        -> (encoded: EncodedFrame, mse: Double) {
        let encoded = try frame.withUnsafeBytes {
            try JPEG2000Codec().encode($0, descriptor: d, transferSyntaxUID: syntax, options: EncodeOptions(compressionRatio: ratio))
        }
        var back = [UInt8](repeating: 0, count: d.decodedFrameLength)
        _ = try back.withUnsafeMutableBytes { try JPEG2000Codec().decode(encoded.bytes[...], descriptor: d, into: $0) }
        let a = samples(frame, d), b = samples(back, d)
        let mse = zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(a.count)
        return (encoded, mse)
    }

    @Test(arguments: [(1, 12, false, 256, 200, 8.0), (1, 16, true, 97, 75, 12.0), (3, 8, false, 70, 45, 6.0), (1, 8, false, 64, 64, 4.0)])
    func anIrreversibleEncodingFitsItsRatioAndOpenJPEGDecodesItAsWeDo(_ c: Int, _ bits: Int, _ signed: Bool, _ w: Int, _ h: Int,
                                                                      _ ratio: Double) throws {
        let (frame, d) = Self.frame(components: c, bits: bits, signed: signed, width: w, height: h)
        let (encoded, mse) = try Self.roundTrip(frame, d, ratio: ratio)
        let label = "\(c)x\(bits)\(signed ? "s" : "u") \(w)x\(h) at \(ratio):1"
        #expect(encoded.bytes.count <= Int(Double(d.decodedFrameLength) / ratio), "\(label): \(encoded.bytes.count) bytes")
        // PSNR over the samples' full range: the synthetic images are noisy, so not far above 30 dB at these ratios.
        let peak = Double((1 << bits) - 1)
        let psnr = 10 * log10(peak * peak / max(mse, 1e-9))
        #expect(psnr > 28, "\(label): PSNR \(psnr) dB")
        let a = encoded.attributeChanges
        #expect(a.string(Tag(0x0028, 0x2110)) == "01")
        #expect(a.string(Tag(0x0028, 0x2114)) == "ISO_15444_1")
        #expect((Double(a.string(Tag(0x0028, 0x2112)) ?? "") ?? 0) >= ratio - 0.005, "the ratio reached")
        #expect(a.string(.photometricInterpretation) == (c == 3 ? "YBR_ICT" : nil))
        // Floating point rounding may differ by one between the two decoders, not more.
        try JPEG2000CodecTests.expectMatchesOpenJPEG(encoded.bytes, tolerance: 1, label)
    }

    @Test func aHigherRatioGivesASmallerCodestreamThatUsesItsBudgetAndALargerError() throws {
        let (frame, d) = Self.frame(components: 1, bits: 12, signed: false, width: 256, height: 256)
        var previous: (bytes: Int, mse: Double)?
        for ratio in [4.0, 8, 16, 32, 64] {
            let (encoded, mse) = try Self.roundTrip(frame, d, ratio: ratio)
            let target = Double(d.decodedFrameLength) / ratio
            #expect(Double(encoded.bytes.count) <= target && Double(encoded.bytes.count) >= 0.9 * target,
                    "\(ratio):1 gave \(encoded.bytes.count) bytes for a budget of \(Int(target))")
            if let previous {
                #expect(encoded.bytes.count < previous.bytes)
                #expect(mse >= previous.mse, "\(ratio):1 MSE \(mse) after \(previous.mse)")
            }
            previous = (encoded.bytes.count, mse)
        }
    }

    @Test func framesTooSmallForTheirBudgetAreStillEncodedAtTheCoarsestStepAndDecode() throws {
        for (w, h, c) in [(1, 1, 1), (2, 3, 1), (5, 1, 3), (3, 7, 1)] {
            let (frame, d) = Self.frame(components: c, bits: 8, signed: false, width: w, height: h)
            let (encoded, mse) = try Self.roundTrip(frame, d, ratio: 2)
            #expect(!encoded.bytes.isEmpty && mse.isFinite, "\(w)x\(h)x\(c)")
            // The codestream's own markers outweigh a few samples: the ratio written says so (below 1).
            #expect((Double(encoded.attributeChanges.string(Tag(0x0028, 0x2112)) ?? "") ?? 9) < 1)
        }
    }

    @Test func theLosslessOnlySyntaxIgnoresTheRatioAndStaysExact() throws {
        let (frame, d) = Self.frame(components: 1, bits: 12, signed: false, width: 64, height: 48)
        let (encoded, mse) = try Self.roundTrip(frame, d, ratio: 10, syntax: JPEG2000Codec.losslessUID)
        #expect(mse == 0)
        #expect(encoded.attributeChanges.string(Tag(0x0028, 0x2110)) == nil)
    }

    @Test(arguments: [1.0, 0.5, -3, .nan, .infinity])
    func aRatioThatIsNotAboveOneIsRefused(_ ratio: Double) throws {
        let (frame, d) = Self.frame(components: 1, bits: 8, signed: false, width: 16, height: 16)
        #expect(throws: DicomError.self) { _ = try Self.roundTrip(frame, d, ratio: ratio) }
    }

    @Test func forward97ThenInverse97GivesTheLineBackAtEveryLength() {
        var random = JPEG2000CodecTests.SplitMix(state: 23)
        for n in 1...70 {
            let original = (0..<n).map { _ in Float(Int(random.next() % 2001) - 1000) }
            var line = original
            var scratch = [Float](repeating: 0, count: n + 8)
            line.withUnsafeMutableBufferPointer { lp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    J2KWavelet.forward97(lp.baseAddress!, n: n, step: 1, scratch: sp.baseAddress!)
                    J2KWavelet.inverse97(lp.baseAddress!, n: n, step: 1, parity: 0, scratch: sp.baseAddress!)
                }
            }
            // The inverse scales high-pass samples by OpenJPEG's 0.812866 rather than 1/K: a few parts in 10^5.
            let worst = zip(line, original).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 0.1, "length \(n): off by \(worst)")
        }
    }
}
