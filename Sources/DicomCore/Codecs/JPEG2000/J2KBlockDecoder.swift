/// Tier-1 decoding of one code-block (ISO/IEC 15444-1 Annex D): significance propagation, magnitude refinement
/// and cleanup passes over stripes of four rows, with the MQ decoder or raw bits (bypass).
///
/// Magnitudes are kept with one extra fractional bit, so a coefficient whose lower bit-planes were never decoded
/// is reconstructed at the middle of its interval (as OpenJPEG does); the caller halves them.
///
/// The state of the samples is one 32-bit word per column of a stripe (the layout OpenJPEG's tier-1 uses), so that
/// a column's four samples, their neighbours and the empty-column test of the cleanup pass are one load:
/// - bits 0–17: significance of rows -1…4 of the stripe, three bits a row (west column, this column, east column),
///   so the 3x3 neighbourhood of row r is bits 3r…3r+8 and its zero-coding context one table lookup;
/// - bits 18–23: sign of this column's rows -1…4; bits 24–27: refined (rows 0–3); bits 28–31: visited (rows 0–3).
/// The words have a border of one column left and right and one stripe above and below, so no update needs a
/// bounds check.
struct J2KBlockDecoder {
    /// Significance of row `r` (0–3) of this column.
    @inline(__always) static func sigBit(_ r: Int) -> UInt32 { 1 &<< UInt32(truncatingIfNeeded: 3 &* r &+ 4) }
    @inline(__always) static func refinedBit(_ r: Int) -> UInt32 { 1 &<< UInt32(truncatingIfNeeded: 24 &+ r) }
    @inline(__always) static func visitedBit(_ r: Int) -> UInt32 { 1 &<< UInt32(truncatingIfNeeded: 28 &+ r) }
    /// The significance bits of the column's own four rows, and their visited bits.
    static let ownSignificance: UInt32 = 1 << 4 | 1 << 7 | 1 << 10 | 1 << 13
    static let allVisited: UInt32 = 0xF << 28
    /// A column whose four samples are significant, refined before and not visited in this bit-plane:
    /// `f & refineAllMask == refineAll`.
    static let refineAllMask: UInt32 = 0xFF00_0000 | ownSignificance, refineAll: UInt32 = 0x0F00_0000 | ownSignificance
    /// The eight neighbours in a row's 9-bit neighbourhood (the centre, bit 4, is the sample itself).
    static let neighbourMask: UInt32 = 0x1EF

    /// Zero-coding contexts (Table D.1) per orientation and 9-bit neighbourhood (NW, N, NE, W, self, E, SW, S, SE).
    static let zeroContexts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 4 * 512)
        for o in 0..<4 {
            for n in 0..<512 {
                let h = (n >> 3 & 1) + (n >> 5 & 1), v = (n >> 1 & 1) + (n >> 7 & 1)
                let d = (n & 1) + (n >> 2 & 1) + (n >> 6 & 1) + (n >> 8 & 1)
                let cx = J2KContexts.zeroCoding(horizontal: h, vertical: v, diagonal: d, orientation: o)
                t[o * 512 + n] = UInt8(cx)
            }
        }
        return t
    }()

    /// Sign contexts (Table D.3): context in the low bits, the XOR bit in bit 7; indexed by `signIndex`: the
    /// significance of N, W, E, S in bits 0, 2, 4, 6 and their signs in bits 1, 3, 5, 7.
    static let signContexts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for i in 0..<256 {
            let v = max(-1, min(1, J2KContexts.contribution(i & 1, i >> 1 & 1) + J2KContexts.contribution(i >> 6 & 1, i >> 7 & 1)))
            let h = max(-1, min(1, J2KContexts.contribution(i >> 2 & 1, i >> 3 & 1) + J2KContexts.contribution(i >> 4 & 1, i >> 5 & 1)))
            let (cx, x) = J2KContexts.sign(horizontal: h, vertical: v)
            t[i] = UInt8(cx | x << 7)
        }
        return t
    }()

    private var flags: [UInt32] = []
    private var segment: [UInt8] = []
    /// The MQ contexts, the MQ transition table, the zero-coding contexts of the orientation last decoded and the
    /// sign contexts, in one buffer at fixed offsets, so that the passes hold one pointer for all of them.
    private var contextStore = J2KBlockDecoder.initialTables()
    private var loadedOrientation = -1

    /// Where the zero-coding and sign context tables start in `contextStore`, where the table of significant rows
    /// does, and the store's size.
    static let zeroContextOffset = 512, signContextOffset = 1024, rowsOffset = 1280, tableWords = 1280 + 586

    static func initialTables() -> [UInt32] {
        var words = MQTable.decoderContexts()
        words += [UInt32](repeating: 0, count: tableWords - words.count)
        for i in 0..<256 { words[signContextOffset + i] = UInt32(signContexts[i]) }
        // Rows 0–3 as bits 0–3, from their significance bits shifted down to bits 0, 3, 6, 9 (`significantRows`).
        for i in 0..<586 { words[rowsOffset + i] = UInt32((i & 1) | (i >> 2 & 2) | (i >> 4 & 4) | (i >> 6 & 8)) }
        return words
    }

    /// The rows (bits 0–3) of the column word `f` that the refinement pass decodes: significant and not visited.
    @inline(__always) static func refinedRows(_ f: UInt32, _ cx: UnsafeMutablePointer<UInt32>) -> UInt32 {
        cx[rowsOffset &+ Int(truncatingIfNeeded: (f &>> 4) & 0x249)] & ~(f &>> 28)
    }

    /// Decodes `block` of a band with `orientation` into `output` (row stride `stride`), as signed scaled magnitudes,
    /// or, with `halve`, as signed magnitudes without the fractional bit (the reversible path, when no ROI shift
    /// has to see the scaled values first).
    mutating func decode(_ block: J2KCodeBlock, orientation: Int, magnitudeBits: Int, style: Int,
                         into output: UnsafeMutablePointer<Int32>, stride: Int, halve: Bool = false) throws(DicomError) {
        let w = block.x1 - block.x0, h = block.y1 - block.y0
        let numBitplanes = magnitudeBits - block.zeroBitplanes
        guard block.passes > 0, numBitplanes > 0 else {
            for y in 0..<h { (output + y * stride).update(repeating: 0, count: w) }
            return
        }
        guard numBitplanes <= 30 else { throw DicomError(.invalidPixelData, "code-block with \(numBitplanes) bit-planes") }
        let fw = w + 2
        let stripes = (h + 3) / 4
        let area = fw * (stripes + 2)
        // The buffers are reused from block to block; taken out of `self` while in use so that the closures below
        // hold no overlapping accesses to it.
        var flags = self.flags, segment = self.segment, contextStore = self.contextStore
        self.flags = []; self.segment = []; self.contextStore = []
        defer { self.flags = flags; self.segment = segment; self.contextStore = contextStore }
        if flags.count < area { flags = [UInt32](repeating: 0, count: area) }
        let causal = style & J2KBlockStyle.verticalCausal != 0
        let bypass = style & J2KBlockStyle.bypass != 0
        if orientation != loadedOrientation {
            for i in 0..<512 {
                contextStore[J2KBlockDecoder.zeroContextOffset + i] = UInt32(J2KBlockDecoder.zeroContexts[orientation * 512 + i])
            }
            loadedOrientation = orientation
        }
        var pass = 0
        var dataStart = 0
        // Samples are written to `output` only once significant; the flags say which ones are, and the last loop
        // writes zeros for the others, so the output needs no clearing first.
        try flags.withUnsafeMutableBufferPointer { fb throws(DicomError) in
        try contextStore.withUnsafeMutableBufferPointer { cb throws(DicomError) in
            let f = fb.baseAddress!, cx = cb.baseAddress!
            f.update(repeating: 0, count: area)
            J2KBlockDecoder.resetContexts(cx)
            let plane = J2KBlockPlane(flags: f + fw + 1, flagStride: fw, width: w, height: h, output: output, stride: stride,
                                      causal: causal)

            for (s, passesInSegment) in block.segmentPasses.enumerated() {
                let length = block.segmentLengths[s]
                guard length >= 0, dataStart + length <= block.byteCount else {
                    throw DicomError(.invalidPixelData, "code-block segment overruns its data")
                }
                // The last segment (the only one unless the block is terminated more often) is decoded where it
                // is: `block.data` ends with the padding the decoder needs after it (`J2KCodeBlock.append`).
                // Any other is copied out and padded.
                let start = dataStart
                let inPlace = !block.data.isEmpty && start + length == block.byteCount
                if !inPlace {
                    segment.removeAll(keepingCapacity: true)
                    segment.append(contentsOf: block.data[start..<(start + length)])
                    segment.append(contentsOf: repeatElement(0xFF, count: MQDecoder.padding))
                }
                dataStart += length
                let isRaw = bypass && pass >= 10 && (pass - 1) % 3 != 2
                (inPlace ? block.data : segment).withUnsafeBufferPointer { sp in
                    let bytes = sp.baseAddress! + (inPlace ? start : 0)
                    var mq = MQDecoder(bytes)
                    var raw = RawDecoder(bytes, count: length)
                    for _ in 0..<passesInSegment {
                        let kind = pass == 0 ? 2 : (pass - 1) % 3
                        let bp = numBitplanes - 1 - (pass + 2) / 3
                        if bp < 0 { pass += 1; continue }
                        let one = Int32(1) << Int32(bp + 1), half = Int32(1) << Int32(bp), oneHalf = one | half
                        switch kind {
                        case 0:
                            if isRaw { J2KBlockDecoder.rawSignificancePass(plane, &raw, oneHalf) } else {
                                mq = J2KBlockDecoder.significancePass(plane, mq, cx, oneHalf)
                            }
                        case 1:
                            if isRaw { J2KBlockDecoder.rawRefinementPass(plane, &raw, half) } else {
                                mq = J2KBlockDecoder.refinementPass(plane, mq, cx, half)
                            }
                        default:
                            mq = J2KBlockDecoder.cleanupPass(plane, mq, cx, oneHalf)
                            if style & J2KBlockStyle.segmentation != 0 {
                                for _ in 0..<4 { _ = mq.decode(cx, MQTable.uniform) }
                            }
                        }
                        if style & J2KBlockStyle.reset != 0 { J2KBlockDecoder.resetContexts(cx) }
                        pass += 1
                    }
                }
            }
            let shift: Int32 = halve ? 1 : 0
            // Without branches (masks from the significance and sign bits), so that the loop vectorises: which
            // samples are significant and negative is as unpredictable as the image.
            for y in 0..<h {
                let words = plane.flags + (y >> 2) * fw, out = output + y * stride
                let sigShift = UInt32(3 * (y & 3) + 4), negShift = UInt32(19 + (y & 3))
                for x in 0..<w {
                    let v = words[x]
                    let keep = 0 &- Int32(bitPattern: (v &>> sigShift) & 1)
                    let negate = 0 &- Int32(bitPattern: (v &>> negShift) & 1)
                    let m = (out[x] &>> shift) & keep
                    out[x] = (m ^ negate) &- negate
                }
            }
        } }
    }

    /// The initial context states (Table D.7).
    @inline(__always) static func resetContexts(_ cx: UnsafeMutablePointer<UInt32>) {
        MQTable.resetDecoderContexts(cx)
    }

    /// The `signContexts` index of row `r` of the column word `f`, between the words `west` and `east`.
    @inline(__always) static func signIndex(_ f: UInt32, _ west: UInt32, _ east: UInt32, _ r: Int) -> Int {
        let n = f &>> UInt32(truncatingIfNeeded: 3 &* r)
        let chi = f &>> UInt32(truncatingIfNeeded: 18 &+ r)             // bit 0: sign of N, bit 2: sign of S
        let s = UInt32(truncatingIfNeeded: 19 &+ r)
        let sig = (n &>> 1) & 0x55                                      // N, W, E, S in bits 0, 2, 4, 6
        let negs = (chi & 1) << 1 | (chi & 4) << 5 | ((west &>> s) & 1) << 3 | ((east &>> s) & 1) << 5
        return Int(sig | (negs & (sig << 1)))
    }

    /// Marks row `r` of the column at `p` significant (its own word is `f`, kept in a register by the caller) and
    /// tells the neighbouring columns and stripes; in vertically causal mode the first row of a stripe does not tell
    /// the stripe above (§D.7).
    @inline(__always) static func becomeSignificant(_ p: UnsafeMutablePointer<UInt32>, _ f: inout UInt32, _ r: Int,
                                                    _ negative: Int, _ fw: Int, _ causal: Bool) {
        let n = UInt32(truncatingIfNeeded: negative)
        let shift = UInt32(truncatingIfNeeded: 3 &* r)
        (p - 1).pointee |= 1 &<< (shift &+ 5)
        f |= 1 &<< (shift &+ 4) | n &<< UInt32(truncatingIfNeeded: 19 &+ r)
        (p + 1).pointee |= 1 &<< (shift &+ 3)
        if r == 0 && !causal {
            let q = p - fw
            (q - 1).pointee |= 1 << 17; q.pointee |= 1 << 16 | n << 23; (q + 1).pointee |= 1 << 15
        } else if r == 3 {
            let q = p + fw
            (q - 1).pointee |= 1 << 2; q.pointee |= 1 << 1 | n << 18; (q + 1).pointee |= 1 << 0
        }
    }

    /// The rows of the column word `f` that need a significance-pass decision (insignificant, with a significant
    /// neighbour): row `r` (0–3) as bit 3r+3.
    @inline(__always) static func eligibleRows(_ f: UInt32) -> UInt32 {
        // Bit 3k+3 of `rows` is "something significant in row k" (k = -1…4, three bits a row); of `near`, the
        // same for rows k-1…k+1, the neighbourhood of row k, which counts the sample itself only when it is
        // significant, and then the row is not eligible anyway.
        let rows = f | f &>> 1 | f &>> 2
        let near = rows | rows &>> 3 | rows &<< 3
        return near & ~(f &>> 1) & (1 << 3 | 1 << 6 | 1 << 9 | 1 << 12)
    }

    /// The words of the four columns from `p`, OR-ed in pairs: zero when all four are.
    @inline(__always) static func fourColumns(_ p: UnsafeMutablePointer<UInt32>) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        return raw.loadUnaligned(as: UInt64.self) | raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    }

    // One sample of each MQ pass: static functions rather than closures in the passes, because a closure that
    // captures the column word `f` makes the compiler box it on the heap for every column.

    /// Row `r` of the column at `p` (word `f`) in the significance propagation pass.
    @inline(__always)
    static func significanceSample(_ r: Int, _ p: UnsafeMutablePointer<UInt32>, _ f: inout UInt32, _ o: UnsafeMutablePointer<Int32>,
                                   _ m: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt32>, _ oneHalf: Int32, _ fw: Int, _ stride: Int, _ causal: Bool) {
        let n = (f &>> UInt32(truncatingIfNeeded: 3 &* r)) & 0x1FF
        if n & 0x10 == 0 && n != 0 {
            // Branch-free: next to significant samples the odds are near even.
            if m.decodeUnpredictable(cx, Int(cx[zeroContextOffset &+ Int(n)])) == 1 {
                let t = cx[signContextOffset &+ signIndex(f, (p - 1).pointee, (p + 1).pointee, r)]
                let negative = m.decodeUnpredictable(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                o[r &* stride] = oneHalf
                becomeSignificant(p, &f, r, negative, fw, causal)
            }
            f |= visitedBit(r)
        }
    }

    /// Row `r` of a column (word `f`) in the magnitude refinement pass; `w16` is the word of context 16 (samples
    /// refined before), held by the pass.
    @inline(__always)
    static func refinementSample(_ r: Int, _ f: inout UInt32, _ o: UnsafeMutablePointer<Int32>, _ m: inout MQDecoder,
                                 _ cx: UnsafeMutablePointer<UInt32>, _ w16: inout UInt32, _ half: Int32, _ stride: Int) {
        if f & (sigBit(r) | visitedBit(r)) == sigBit(r) {
            let bit: Int32
            if f & refinedBit(r) != 0 {
                bit = Int32(truncatingIfNeeded: m.decodeHeld(&w16, cx))
            } else {
                let c = (f &>> UInt32(truncatingIfNeeded: 3 &* r)) & neighbourMask != 0 ? 15 : 14
                bit = Int32(truncatingIfNeeded: m.decodeUnpredictable(cx, c))
                f |= refinedBit(r)
            }
            // No branch on the use of the decision.
            o[r &* stride] &+= (half ^ (bit &- 1)) &- (bit &- 1)
        }
    }

    /// Row `r` of a column whose word was `f` before the pass, in the magnitude refinement pass, without a branch
    /// on which context it takes: 16 when refined before, else 14 or 15, chosen by masks; all three in the context
    /// buffer (the caller stores the word of context 16 it holds there for the column), which leaves fewer values
    /// live than picking between a held word and a stored one. Which rows of a column were refined before is as
    /// unpredictable as the image, and a branch on it was mispredicted about once a column.
    @inline(__always)
    static func refineRow(_ r: Int, _ f: UInt32, _ o: UnsafeMutablePointer<Int32>, _ m: inout MQDecoder,
                          _ cx: UnsafeMutablePointer<UInt32>, _ half: Int32, _ stride: Int) {
        let held = 0 &- ((f &>> UInt32(truncatingIfNeeded: 24 &+ r)) & 1)                  // all ones: context 16
        let near = (f &>> UInt32(truncatingIfNeeded: 3 &* r)) & neighbourMask
        let c = ((14 &+ ((near &+ 0x1FF) &>> 9)) & ~held) | (held & 16)                 // 15 with a neighbour
        let bit = Int32(truncatingIfNeeded: m.decodeUnpredictable(cx, Int(truncatingIfNeeded: c)))
        o[r &* stride] &+= (half ^ (bit &- 1)) &- (bit &- 1)
    }

    /// One refinement decision in context 16 (held in `w16`) for the sample at `o`.
    @inline(__always)
    static func refineHeld(_ o: UnsafeMutablePointer<Int32>, _ m: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt32>,
                           _ w16: inout UInt32, _ half: Int32) {
        let bit = Int32(truncatingIfNeeded: m.decodeHeld(&w16, cx))
        o.pointee &+= (half ^ (bit &- 1)) &- (bit &- 1)
    }

    /// Row `r` of the column at `p` (word `f`) in the cleanup pass, outside a run-length coded column.
    @inline(__always)
    static func cleanupSample(_ r: Int, _ p: UnsafeMutablePointer<UInt32>, _ f: inout UInt32, _ o: UnsafeMutablePointer<Int32>,
                              _ m: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt32>, _ oneHalf: Int32, _ fw: Int, _ stride: Int, _ causal: Bool) {
        if f & (sigBit(r) | visitedBit(r)) == 0 {
            let n = (f &>> UInt32(truncatingIfNeeded: 3 &* r)) & 0x1FF
            // Branch-free, as in the significance pass: a column that is not run-length coded has a significant
            // sample in or around it, and there the odds are far from skewed enough for the branches of `decode`.
            if m.decodeUnpredictable(cx, Int(cx[zeroContextOffset &+ Int(n)])) == 1 {
                let t = cx[signContextOffset &+ signIndex(f, (p - 1).pointee, (p + 1).pointee, r)]
                let negative = m.decodeUnpredictable(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                o[r &* stride] = oneHalf
                becomeSignificant(p, &f, r, negative, fw, causal)
            }
        }
    }

    // Each pass is its own function, kept out of line, so that the MQ decoder's registers (copied into a local for
    // the pass) are not spilled by the bookkeeping of the others: tier-1 is most of the decoding time.

    /// Significance propagation (§D.3.1): insignificant samples with a significant neighbour.
    @inline(never)
    static func significancePass(_ g: J2KBlockPlane, _ mq: MQDecoder, _ cx: UnsafeMutablePointer<UInt32>, _ oneHalf: Int32) -> MQDecoder {
        var m = mq
        let fw = g.flagStride, stride = g.stride, causal = g.causal
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + (y0 &>> 2) &* fw, stripeOut = g.output + y0 &* stride
            var x = 0
            while x < g.width {
                let p = stripeFlags + x
                // No significant sample in the column or around it: nothing to do. (Testing four columns at once
                // first saved instructions on background but cost more than it saved on noisy blocks.)
                var f = p.pointee
                if f & 0x3FFFF == 0 {
                    // A run of such columns in a tight loop of its own (most of a smooth image's blocks).
                    x &+= 1
                    while x &+ 4 <= g.width && fourColumns(stripeFlags + x) & 0x0003_FFFF_0003_FFFF == 0 { x &+= 4 }
                    while x < g.width && stripeFlags[x] & 0x3FFFF == 0 { x &+= 1 }
                    continue
                }
                // Nothing to decode either when all four samples are significant already (most columns of a
                // noisy block after its first bit-planes): a test a column instead of one a sample.
                if f & ownSignificance == ownSignificance { x &+= 1; continue }
                let o = stripeOut + x
                x &+= 1
                if rows == 4 {
                    // Only the rows that need a decision, found together (`eligibleRows`) rather than by a test
                    // a row: which rows of a partly significant column do is as unpredictable as the image, and a
                    // loop over them mispredicts about once a column instead of about once a row. A sample that
                    // becomes significant makes the rows below it eligible, so the set is found again then.
                    var pending = eligibleRows(f)
                    var done: UInt32 = 0
                    while pending != 0 {
                        let pos = UInt32(truncatingIfNeeded: pending.trailingZeroBitCount)
                        let below = ~((2 &<< pos) &- 1)
                        done |= 1 &<< pos
                        let n = (f &>> (pos &- 3)) & 0x1FF
                        if m.decodeUnpredictable(cx, Int(cx[zeroContextOffset &+ Int(n)])) == 1 {
                            let r = Int(truncatingIfNeeded: (pos &* 86) &>> 8) &- 1
                            let t = cx[signContextOffset &+ signIndex(f, (p - 1).pointee, (p + 1).pointee, r)]
                            let negative = m.decodeUnpredictable(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                            o[r &* stride] = oneHalf
                            becomeSignificant(p, &f, r, negative, fw, causal)
                            pending = eligibleRows(f) & below
                        } else {
                            pending &= below
                        }
                    }
                    // Rows 0–3 done: bits 3, 6, 9, 12 to visited bits 28–31.
                    f |= ((done &>> 3) & 1 | (done &>> 5) & 2 | (done &>> 7) & 4 | (done &>> 9) & 8) &<< 28
                } else {
                    for r in 0..<rows { significanceSample(r, p, &f, o, &m, cx, oneHalf, fw, stride, causal) }
                }
                p.pointee = f
            }
            y0 &+= 4
        }
        return m
    }

    /// Magnitude refinement (§D.3.3): samples significant before this bit-plane.
    @inline(never)
    static func refinementPass(_ g: J2KBlockPlane, _ mq: MQDecoder, _ cx: UnsafeMutablePointer<UInt32>, _ half: Int32) -> MQDecoder {
        var m = mq
        // Context 16 in a register for the whole pass: no other pass uses it.
        var w16 = cx[16]
        let fw = g.flagStride, stride = g.stride
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + (y0 &>> 2) &* fw, stripeOut = g.output + y0 &* stride
            var x = 0
            while x < g.width {
                let p = stripeFlags + x
                var f = p.pointee
                if f & ownSignificance == 0 {
                    // Runs of columns with nothing significant (most of a smooth image's blocks), four at a time.
                    x &+= 1
                    while x &+ 4 <= g.width && fourColumns(stripeFlags + x) & 0x0000_2490_0000_2490 == 0 { x &+= 4 }
                    while x < g.width && stripeFlags[x] & ownSignificance == 0 { x &+= 1 }
                    continue
                }
                let o = stripeOut + x
                x &+= 1
                if rows == 4 {
                    if f & refineAllMask == refineAll {
                        // All four significant before this bit-plane and refined before (most columns of a noisy
                        // block): four decisions in context 16, no test a sample and no flag to change. A run of
                        // such columns in a loop of its own, where fewer values are live and the decoder and
                        // context 16 stay in registers.
                        var q = o
                        let end = stripeOut + g.width
                        repeat {
                            refineHeld(q, &m, cx, &w16, half)
                            refineHeld(q + stride, &m, cx, &w16, half)
                            refineHeld(q + 2 &* stride, &m, cx, &w16, half)
                            refineHeld(q + 3 &* stride, &m, cx, &w16, half)
                            q += 1
                        } while q < end && stripeFlags[q - stripeOut] & refineAllMask == refineAll
                        x = q - stripeOut
                        continue
                    }
                    // The rows to decode found together and looped over (a misprediction about once a column
                    // rather than about once a row), each without a branch on its context; context 16 goes back to
                    // the buffer for the column.
                    var rows = refinedRows(f, cx)
                    let before = f
                    f |= rows &<< 24
                    cx[16] = w16
                    while rows != 0 {
                        let r = rows.trailingZeroBitCount
                        rows &= rows &- 1
                        refineRow(r, before, o, &m, cx, half, stride)
                    }
                    w16 = cx[16]
                } else {
                    for r in 0..<rows { refinementSample(r, &f, o, &m, cx, &w16, half, stride) }
                }
                p.pointee = f
            }
            y0 &+= 4
        }
        cx[16] = w16
        return m
    }

    /// Cleanup (§D.3.4): everything not yet visited, with run-length coding of empty columns.
    @inline(never)
    static func cleanupPass(_ g: J2KBlockPlane, _ mq: MQDecoder, _ cx: UnsafeMutablePointer<UInt32>, _ oneHalf: Int32) -> MQDecoder {
        var m = mq
        let fw = g.flagStride, stride = g.stride, causal = g.causal
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + (y0 &>> 2) &* fw, stripeOut = g.output + y0 &* stride
            var next = 0
            while next < g.width {
                let x = next
                next &+= 1
                let p = stripeFlags + x, o = stripeOut + x
                var f = p.pointee
                var first = 0
                if rows == 4 {
                    if f != 0 {
                        cleanupSample(0, p, &f, o, &m, cx, oneHalf, fw, stride, causal)
                        cleanupSample(1, p, &f, o, &m, cx, oneHalf, fw, stride, causal)
                        cleanupSample(2, p, &f, o, &m, cx, oneHalf, fw, stride, causal)
                        cleanupSample(3, p, &f, o, &m, cx, oneHalf, fw, stride, causal)
                        p.pointee = f & ~allVisited
                        continue
                    }
                    // Run-length coding: one decision for an empty column (nothing significant in it or around
                    // it, nothing visited), then the index of its first 1.
                    // While the run-length context's MPS is 0 ("still empty"), as many of the empty columns from
                    // here as the decoder can take as MPS decisions without renormalising are all skipped at once:
                    // the decisions would change neither the context nor any flag.
                    if cx[MQTable.runLength] & MQTable.mpsBit == 0 && x &+ 1 < g.width && p[1] == 0 {
                        let limit = min(m.mpsRun(cx, MQTable.runLength), g.width &- x)
                        if limit > 1 {
                            var k = 2
                            while k &+ 4 <= limit && fourColumns(p + k) == 0 { k &+= 4 }
                            while k < limit && p[k] == 0 { k &+= 1 }
                            m.skipMPS(cx, MQTable.runLength, k)
                            next = x &+ k
                            continue
                        }
                    }
                    if m.decode(cx, MQTable.runLength) == 0 { continue }
                    var start = m.decode(cx, MQTable.uniform) << 1
                    start |= m.decode(cx, MQTable.uniform)
                    // No neighbour is significant: sign context 9, no XOR.
                    let negative = m.decodeUnpredictable(cx, 9)
                    o[start &* stride] = oneHalf
                    becomeSignificant(p, &f, start, negative, fw, causal)
                    first = start &+ 1
                }
                // The rest of a run-length coded column, or a short last stripe, out of line and by value, so that
                // `m` and `f` never have their address taken and stay in registers for the rest of the pass.
                if first < rows {
                    m = cleanupRest(first, rows, p, f, o, m, cx, oneHalf, fw, stride, causal)
                } else {
                    p.pointee = f
                }
            }
            y0 &+= 4
        }
        return m
    }

    /// Rows `first..<rows` of the column at `p` (word `f`) in the cleanup pass; stores the column word and returns
    /// the decoder.
    @inline(never)
    static func cleanupRest(_ first: Int, _ rows: Int, _ p: UnsafeMutablePointer<UInt32>, _ f: UInt32,
                            _ o: UnsafeMutablePointer<Int32>, _ mq: MQDecoder, _ cx: UnsafeMutablePointer<UInt32>,
                            _ oneHalf: Int32, _ fw: Int, _ stride: Int,
                            _ causal: Bool) -> MQDecoder {
        var m = mq, f = f
        var r = first
        while r < rows {
            cleanupSample(r, p, &f, o, &m, cx, oneHalf, fw, stride, causal)
            r &+= 1
        }
        p.pointee = f & ~allVisited
        return m
    }

    /// Significance propagation of a raw (bypass) segment (§D.6).
    @inline(never)
    static func rawSignificancePass(_ g: J2KBlockPlane, _ raw: inout RawDecoder, _ oneHalf: Int32) {
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height - y0)
            for x in 0..<g.width {
                let p = g.flags + (y0 >> 2) * g.flagStride + x, o = g.output + y0 * g.stride + x
                var f = p.pointee
                for r in 0..<rows {
                    let n = (f >> UInt32(3 * r)) & 0x1FF
                    if n & 0x10 == 0 && n != 0 {
                        if raw.decode() == 1 {
                            let negative = raw.decode()
                            o[r * g.stride] = oneHalf
                            becomeSignificant(p, &f, r, negative, g.flagStride, g.causal)
                        }
                        f |= visitedBit(r)
                    }
                }
                p.pointee = f
            }
            y0 += 4
        }
    }

    /// Magnitude refinement of a raw (bypass) segment (§D.6).
    @inline(never)
    static func rawRefinementPass(_ g: J2KBlockPlane, _ raw: inout RawDecoder, _ half: Int32) {
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height - y0)
            for x in 0..<g.width {
                let p = g.flags + (y0 >> 2) * g.flagStride + x, o = g.output + y0 * g.stride + x
                var f = p.pointee
                for r in 0..<rows where f & (sigBit(r) | visitedBit(r)) == sigBit(r) {
                    o[r * g.stride] &+= raw.decode() == 1 ? half : 0 &- half
                    f |= refinedBit(r)
                }
                p.pointee = f
            }
            y0 += 4
        }
    }
}

/// Where one code-block's passes work: its column words (stripe 0, column 0 at `flags`; one word per column of a
/// stripe, `flagStride` words a stripe, with a border of one word all round) and its output samples.
struct J2KBlockPlane {
    var flags: UnsafeMutablePointer<UInt32>
    var flagStride: Int
    var width: Int
    var height: Int
    var output: UnsafeMutablePointer<Int32>
    var stride: Int
    var causal: Bool
}
