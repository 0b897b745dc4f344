import Foundation
import Testing
@testable import DicomCore

/// High-Throughput JPEG 2000 encoding (ITU-T T.814 | ISO/IEC 15444-15): our HT block coder and codestreams,
/// cleanup-only and with SigProp and MagRef passes, decoded by OpenJPEG's `opj_decompress` (the independent oracle
/// for the refinement passes, which OpenJPH's `ojph_compress` never writes), by OpenJPH's `ojph_expand` and by our own
/// decoder; and the .201/.202 transfer syntaxes through the codec registry.
@Suite struct HTJ2KEncoderTests {
    // MARK: Block coder

    /// Every quad the cleanup pass can meet has a codeword, and the decoder's table reads each back as coded.
    @Test func encoderTablesAreDerivedConsistentlyFromTheDecoderTables() {
        for (encoderTable, decoderTable) in [(J2KHTBlockEncoder.initialTable, J2KHTBlockDecoder.initialTable),
                                             (J2KHTBlockEncoder.nonInitialTable, J2KHTBlockDecoder.nonInitialTable)] {
            for c in 0..<8 {
                for rho in (c == 0 ? 1 : 0)..<16 {
                    for uOff in 0...(rho == 0 ? 0 : 1) {
                        for m in 0..<16 where m & ~rho == 0 && (uOff == 0 || m != 0) {
                            let entry = encoderTable[c << 9 | rho << 5 | uOff << 4 | m]
                            #expect(entry != 0, "no codeword: context \(c), rho \(rho), u_off \(uOff), MSBs \(m)")
                            guard entry != 0 else { continue }
                            let codeword = Int(entry & 0xFF), length = Int(entry >> 8 & 0xF)
                            let ek = Int(entry >> 12 & 0xF), e1 = Int(entry >> 16 & 0xF)
                            #expect(m & ek == e1, "EMB pattern contradicts the MSBs")
                            let decoded = decoderTable[c << 7 | codeword]
                            #expect(Int(decoded >> 13) == length && Int(decoded & 0xF) == rho && Int(decoded >> 4 & 1) == uOff
                                    && Int(decoded >> 5 & 0xF) == ek && Int(decoded >> 9 & 0xF) == e1,
                                    "context \(c), rho \(rho): codeword \(codeword) reads back differently")
                        }
                    }
                }
            }
        }
    }

    /// A block of `width` x `height` coefficients below 2^(mb - 1) in magnitude: mostly small, some large, some zero runs.
    static func coefficients(width: Int, height: Int, magnitudeBits mb: Int, seed: UInt64) -> [Int32] {
        var rng = JPEG2000CodecTests.SplitMix(state: seed)
        return (0..<(width * height)).map { i in
            let r = rng.next()
            let bits = Int(r % UInt64(mb))
            var v = Int32(truncatingIfNeeded: r >> 8) & ((Int32(1) << Int32(bits)) - 1)
            if (i / 37) % 5 == 3 { v = 0 }
            return r >> 63 == 1 ? -v : v
        }
    }

    /// Our encoder's block, read back by our decoder with the decoder's code-block bookkeeping.
    static func decodeBlock(_ b: J2KHTBlockEncoder.Block, width: Int, height: Int, magnitudeBits mb: Int) throws -> [Int32] {
        var block = J2KCodeBlock(x0: 0, y0: 0, x1: width, y1: height)
        block.passes = b.passes
        block.zeroBitplanes = mb - 1 - b.cleanupPlane
        block.data = b.bytes
        block.segmentPasses = b.passes == 3 ? [1, 2] : (b.passes == 1 ? [1] : [])
        block.segmentLengths = b.passes == 3 ? [b.cleanupLength, b.refinementLength] : (b.passes == 1 ? [b.bytes.count] : [])
        var out = [Int32](repeating: 7, count: width * height)
        var decoder = J2KHTBlockDecoder()
        try out.withUnsafeMutableBufferPointer { o in
            try decoder.decode(block, magnitudeBits: mb, style: J2KBlockStyle.highThroughput, into: o.baseAddress!, stride: width, halve: true)
        }
        return out
    }

    @Test(arguments: [(64, 64), (1, 1), (5, 3), (3, 17), (37, 29), (1024, 4), (4, 1024), (16, 64), (2, 2)])
    func blocksRoundTripThroughOurDecoder(_ size: (Int, Int)) throws {
        let (w, h) = size
        for (seed, mb) in [(UInt64(1), 5), (2, 12), (3, 18), (4, 26)] {
            let input = HTJ2KEncoderTests.coefficients(width: w, height: h, magnitudeBits: mb, seed: seed)
            for refine in [false, true] {
                var encoder = J2KHTBlockEncoder()
                let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: refine) }
                #expect(b.cleanupLength + b.refinementLength == b.bytes.count)
                let out = try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb)
                #expect(out == input, "\(w)x\(h), M_b \(mb), refine \(refine), \(b.passes) passes")
            }
        }
    }

    /// Neighbourhoods that SigProp can reach: every 1 in bit-plane 0 sits next to a sample significant in bit-plane 1,
    /// so the encoder keeps the refinement passes, and both passes code something.
    @Test func refinementPassesAreWrittenWhenEverySampleIsReachable() throws {
        let w = 19, h = 11, mb = 10
        var input = [Int32](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 0 { input[y * w + x] = Int32((x * 7 + y * 13) % 200 + 2) * ((x + y) % 4 == 0 ? 1 : -1) } }
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 1 && (x * y) % 3 != 0 { input[y * w + x] = (x % 2 == 0 ? 1 : -1) } }
        var encoder = J2KHTBlockEncoder()
        let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: true) }
        #expect(b.passes == 3 && b.cleanupPlane == 1)
        #expect(b.refinementLength > 0)
        #expect(b.sigPropSignificant == input.filter { abs($0) == 1 }.count)
        #expect(b.magRefRefined == input.filter { abs($0) >= 2 }.count)
        #expect(try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb) == input)
    }

    /// A lone 1 with no significant neighbour cannot be coded by SigProp: the block falls back to a cleanup pass at
    /// bit-plane 0, still lossless.
    @Test func unreachableSamplesFallBackToCleanupOnly() throws {
        let w = 8, h = 8, mb = 6
        var input = [Int32](repeating: 0, count: w * h)
        input[0] = 9; input[63] = -1
        var encoder = J2KHTBlockEncoder()
        let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: true) }
        #expect(b.passes == 1 && b.cleanupPlane == 0 && b.refinementLength == 0)
        #expect(try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb) == input)
    }

    @Test func magnitudesAboveTheBandsBitPlanesAreATypedError() {
        let input: [Int32] = [0, 40, -3, 2]
        var encoder = J2KHTBlockEncoder()
        #expect(throws: DicomError(.invalidPixelData)) {
            _ = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: 2, height: 2, stride: 2, magnitudeBits: 5, refine: false) }
        }
    }
}
