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

    /// The terminated segment our encoder writes for `input`, followed by the 0xFF padding the decoder wants.
    static func segment(_ input: [(bit: Int, context: Int)]) -> [UInt8] {
        var encoder = MQEncoder()
        var contexts = MQTable.initialContexts()
        contexts.withUnsafeMutableBufferPointer { cx in
            for d in input { encoder.encode(d.bit, cx.baseAddress!, d.context) }
        }
        return encoder.flush() + [UInt8](repeating: 0xFF, count: MQDecoder.padding)
    }

    /// `input` encoded, then decoded; with `branchFreeEvery` k, every k-th decision through `decodeUnpredictable`.
    static func roundTrip(_ input: [(bit: Int, context: Int)], branchFreeEvery k: Int = 0) -> [Int] {
        let segment = MQCoderTests.segment(input)
        var decoderContexts = MQTable.decoderContexts()
        return segment.withUnsafeBufferPointer { sp in
            decoderContexts.withUnsafeMutableBufferPointer { cx in
                var decoder = MQDecoder(sp.baseAddress!)
                return input.enumerated().map { i, d in
                    k > 0 && i % k == 0 ? decoder.decodeUnpredictable(cx.baseAddress!, d.context) : decoder.decode(cx.baseAddress!, d.context)
                }
            }
        }
    }

    @Test(arguments: [500, 100, 10, 0, 900, 1000] as [UInt64])
    func decodedDecisionsEqualTheEncodedOnes(_ ones: UInt64) {
        let input = MQCoderTests.decisions(count: 20_000, ones: ones, seed: ones + 7)
        #expect(MQCoderTests.roundTrip(input) == input.map(\.bit))
    }

    @Test(arguments: [500, 100, 10, 0, 900, 1000] as [UInt64])
    func branchFreeDecodingGivesTheSameDecisions(_ ones: UInt64) {
        // Every third decision branch-free, the others as usual: both must leave the decoder and the contexts alike.
        let input = MQCoderTests.decisions(count: 20_000, ones: ones, seed: ones + 11)
        #expect(MQCoderTests.roundTrip(input, branchFreeEvery: 3) == input.map(\.bit))
    }

    @Test(arguments: [500, 100, 10, 0, 1000] as [UInt64])
    func decisionsInAHeldContextEqualTheEncodedOnes(_ ones: UInt64) {
        // Context 16 held in a local word for the whole run (as the refinement pass holds it), three decisions in
        // four of them; the others in the context buffer. Both kinds move the same decoder.
        let input = MQCoderTests.decisions(count: 20_000, ones: ones, seed: ones + 13).enumerated().map { i, d in
            (bit: d.bit, context: i % 4 == 0 ? d.context % 16 : 16)
        }
        let segment = MQCoderTests.segment(input)
        var contexts = MQTable.decoderContexts()
        let output: [Int] = segment.withUnsafeBufferPointer { sp in
            contexts.withUnsafeMutableBufferPointer { buffer in
                let cx = buffer.baseAddress!
                var decoder = MQDecoder(sp.baseAddress!)
                var held = cx[16]
                return input.map { d in d.context == 16 ? decoder.decodeHeld(&held, cx) : decoder.decode(cx, d.context) }
            }
        }
        #expect(output == input.map(\.bit))
    }

    /// The decoder of §C.3 figure by figure (Figures C.15–C.20: one bit a renormalisation step, one byte a read,
    /// 16-bit C-high in a 32-bit C), to check the read-ahead of `MQDecoder` against.
    struct ReferenceDecoder {
        var bytes: [UInt8], bp = 0, a: UInt32 = 0x8000, c: UInt32 = 0, ct = 0
        var contexts = MQTable.initialContexts()

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            c = UInt32(bytes[0]) << 16
            byteIn()
            c <<= 7; ct -= 7; a = 0x8000
        }

        mutating func byteIn() {
            if bytes[bp] == 0xFF {
                if bytes[bp + 1] > 0x8F { c &+= 0xFF00; ct = 8 } else { bp += 1; c &+= UInt32(bytes[bp]) << 9; ct = 7 }
            } else {
                bp += 1; c &+= UInt32(bytes[bp]) << 8; ct = 8
            }
        }

        mutating func decode(_ cx: Int) -> Int {
            let state = Int(contexts[cx] >> 1), mps = Int(contexts[cx] & 1), qe = MQTable.qe[state]
            var d = mps
            func exchange(lps: Bool) {
                if lps {
                    d = 1 - mps
                    contexts[cx] = UInt8(Int(MQTable.nlps[state]) << 1 | (MQTable.switchMPS[state] ? 1 - mps : mps))
                } else {
                    contexts[cx] = UInt8(Int(MQTable.nmps[state]) << 1 | mps)
                }
            }
            a -= qe
            if c >> 16 < qe {
                exchange(lps: a >= qe)
                a = qe
            } else {
                c -= qe << 16
                if a & 0x8000 != 0 { return d }
                exchange(lps: a < qe)
            }
            repeat {
                if ct == 0 { byteIn() }
                a <<= 1; c <<= 1; ct -= 1
            } while a & 0x8000 == 0
            return d
        }
    }

    @Test func readingAheadDecodesAnyBytesLikeTheStandardsDecoder() {
        // Random bytes, a quarter of them 0xFF (so stuffed bits, carries into C-high and markers that end the data
        // early all occur), decoded in random contexts, some decisions branch-free.
        var random = JPEG2000CodecTests.SplitMix(state: 21)
        for _ in 0..<300 {
            let data = (0..<(1 + Int(random.next() % 80))).map { _ in random.next() % 4 == 0 ? 0xFF : UInt8(truncatingIfNeeded: random.next()) }
            let segment = data + [UInt8](repeating: 0xFF, count: MQDecoder.padding)
            let contexts = (0..<1500).map { _ in Int(random.next() % UInt64(MQTable.count)) }
            var reference = ReferenceDecoder(segment)
            let expected = contexts.map { reference.decode($0) }
            var decoderContexts = MQTable.decoderContexts()
            let output: [Int] = segment.withUnsafeBufferPointer { sp in
                decoderContexts.withUnsafeMutableBufferPointer { cx in
                    var decoder = MQDecoder(sp.baseAddress!)
                    return contexts.enumerated().map { i, context in
                        i % 2 == 0 ? decoder.decode(cx.baseAddress!, context) : decoder.decodeUnpredictable(cx.baseAddress!, context)
                    }
                }
            }
            #expect(output == expected, "data \(data)")
            if output != expected { return }
        }
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
                        let mps = Int(cx[MQTable.runLength] >> MQTable.mpsShift & 1)
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

    @Test func paddingReadsAsAnEndlessRunOfOnes() {
        // Past its data the decoder sits on the marker the padding makes and feeds 1s (§C.3.4) without moving, so
        // an empty segment with its padding of 0xFF decodes exactly like one followed by many.
        let padding = [UInt8](repeating: 0xFF, count: MQDecoder.padding)
        func decode(_ segment: [UInt8]) -> [Int] {
            var contexts = MQTable.decoderContexts()
            return segment.withUnsafeBufferPointer { sp in
                contexts.withUnsafeMutableBufferPointer { cx in
                    var decoder = MQDecoder(sp.baseAddress!)
                    return (0..<2000).map { decoder.decode(cx.baseAddress!, $0 % MQTable.count) }
                }
            }
        }
        #expect(decode(padding) == decode([UInt8](repeating: 0xFF, count: 600)))
        #expect(decode([0x12] + padding) == decode([0x12] + [UInt8](repeating: 0xFF, count: 600)))
    }
}
