import Testing
@testable import DicomCore

/// The MQ arithmetic coder of ISO/IEC 15444-1 Annex C on its own: what the encoder writes, the decoder reads back,
/// across skews that exercise long MPS runs, frequent LPS exchanges, multi-bit renormalisation and 0xFF stuffing.
@Suite struct MQCoderTests {
    /// Decisions in random contexts of the code-block coder, a 1 with probability `ones` (per mille).
    static func decisions(count: Int, ones: UInt64, seed: UInt64) -> [(bit: Int, context: Int)] {
        var random = JPEG2000CodecTests.SplitMix(state: seed)
        return (0..<count).map { _ in
            (random.next() % 1000 < ones ? 1 : 0, Int(random.next() % UInt64(MQTable.count)))
        }
    }

    /// The terminated segment our encoder writes for `input`, followed by the two 0xFF bytes the decoder wants.
    static func segment(_ input: [(bit: Int, context: Int)]) -> [UInt8] {
        var encoder = MQEncoder()
        var contexts = MQTable.initialContexts()
        contexts.withUnsafeMutableBufferPointer { cx in
            for d in input { encoder.encode(d.bit, cx.baseAddress!, d.context) }
        }
        return encoder.flush() + [0xFF, 0xFF]
    }

    @Test(arguments: [500, 100, 10, 0, 900, 1000] as [UInt64])
    func decodedDecisionsEqualTheEncodedOnes(_ ones: UInt64) {
        let input = MQCoderTests.decisions(count: 20_000, ones: ones, seed: ones + 7)
        let segment = MQCoderTests.segment(input)
        var decoderContexts = MQTable.decoderContexts()
        let output: [Int] = segment.withUnsafeBufferPointer { sp in
            decoderContexts.withUnsafeMutableBufferPointer { cx in
                var decoder = MQDecoder(sp.baseAddress!)
                return input.map { decoder.decode(cx.baseAddress!, $0.context) }
            }
        }
        #expect(output == input.map(\.bit))
    }

    @Test func skippingAnMPSRunLeavesTheDecoderAsDecodingItWould() {
        // Mostly zeros in one context: its state gets skewed and long MPS runs without renormalisation appear.
        let input = MQCoderTests.decisions(count: 20_000, ones: 5, seed: 3).map { (bit: $0.bit, context: MQTable.runLength) }
        let segment = MQCoderTests.segment(input)
        var contexts = MQTable.decoderContexts()
        var skipped = 0, longest = 0
        let output: [Int] = segment.withUnsafeBufferPointer { sp in
            contexts.withUnsafeMutableBufferPointer { buffer in
                let cx = buffer.baseAddress!
                var decoder = MQDecoder(sp.baseAddress!)
                var out: [Int] = []
                while out.count < input.count {
                    let run = min(decoder.mpsRun(cx, MQTable.runLength), input.count - out.count)
                    if run > 1 {
                        let mps = Int(cx[MQTable.runLength] >> 16 & 1)
                        decoder.skipMPS(cx, MQTable.runLength, run)
                        out += [Int](repeating: mps, count: run)
                        skipped += run; longest = max(longest, run)
                    } else {
                        out.append(decoder.decode(cx, MQTable.runLength))
                    }
                }
                return out
            }
        }
        #expect(output == input.map(\.bit))
        #expect(longest > 100, "the skewed context should allow long runs (longest \(longest), \(skipped) skipped)")
    }

    @Test func twoBytesOfPaddingReadAsAnEndlessRunOfOnes() {
        // Past its data the decoder sits on the marker the padding makes and feeds 1s (§C.3.4) without moving, so
        // an empty segment with two bytes of 0xFF decodes exactly like one followed by many.
        func decode(_ segment: [UInt8]) -> [Int] {
            var contexts = MQTable.decoderContexts()
            return segment.withUnsafeBufferPointer { sp in
                contexts.withUnsafeMutableBufferPointer { cx in
                    var decoder = MQDecoder(sp.baseAddress!)
                    return (0..<2000).map { decoder.decode(cx.baseAddress!, $0 % MQTable.count) }
                }
            }
        }
        #expect(decode([0xFF, 0xFF]) == decode([UInt8](repeating: 0xFF, count: 600)))
        #expect(decode([0x12, 0xFF, 0xFF]) == decode([0x12] + [UInt8](repeating: 0xFF, count: 600)))
    }
}
