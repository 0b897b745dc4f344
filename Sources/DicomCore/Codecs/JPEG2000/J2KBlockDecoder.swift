/// Tier-1 decoding of one code-block (ISO/IEC 15444-1 Annex D): significance propagation, magnitude refinement
/// and cleanup passes over stripes of four rows, with the MQ decoder or raw bits (bypass).
///
/// Magnitudes are kept with one extra fractional bit, so a coefficient whose lower bit-planes were never decoded
/// is reconstructed at the middle of its interval (as OpenJPEG does); the caller halves them.
struct J2KBlockDecoder {
    // Flag bits: significance of the eight neighbours, sign of the four direct ones, then the sample's own state.
    static let sigN: UInt32 = 1 << 0, sigS: UInt32 = 1 << 1, sigW: UInt32 = 1 << 2, sigE: UInt32 = 1 << 3
    static let sigNW: UInt32 = 1 << 4, sigNE: UInt32 = 1 << 5, sigSW: UInt32 = 1 << 6, sigSE: UInt32 = 1 << 7
    static let negN: UInt32 = 1 << 8, negS: UInt32 = 1 << 9, negW: UInt32 = 1 << 10, negE: UInt32 = 1 << 11
    static let significant: UInt32 = 1 << 12, visited: UInt32 = 1 << 13, refined: UInt32 = 1 << 14, negative: UInt32 = 1 << 15
    static let neighbours: UInt32 = 0xFF

    /// Zero-coding contexts (Table D.1) per orientation and neighbourhood.
    static let zeroContexts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 4 * 256)
        for o in 0..<4 {
            for n in 0..<256 {
                var h = (n >> 2 & 1) + (n >> 3 & 1), v = (n & 1) + (n >> 1 & 1)
                let d = (n >> 4 & 1) + (n >> 5 & 1) + (n >> 6 & 1) + (n >> 7 & 1)
                if o == 1 { swap(&h, &v) }
                var cx = 0
                if o == 3 {
                    let hv = h + v
                    if d >= 3 { cx = 8 } else if d == 2 { cx = hv >= 1 ? 7 : 6 } else if d == 1 { cx = hv >= 2 ? 5 : (hv == 1 ? 4 : 3) } else { cx = hv >= 2 ? 2 : hv }
                } else {
                    if h == 2 { cx = 8 } else if h == 1 { cx = v >= 1 ? 7 : (d >= 1 ? 6 : 5) } else if v == 2 { cx = 4 } else if v == 1 { cx = 3 } else { cx = d >= 2 ? 2 : d }
                }
                t[o * 256 + n] = UInt8(cx)
            }
        }
        return t
    }()

    /// Sign contexts (Table D.3): context in the low bits, the XOR bit in bit 7; indexed by N,S,W,E significance and sign.
    static let signContexts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for i in 0..<256 {
            func contribution(_ sig: Int, _ neg: Int) -> Int { sig == 0 ? 0 : (neg == 1 ? -1 : 1) }
            let v = max(-1, min(1, contribution(i & 1, i >> 4 & 1) + contribution(i >> 1 & 1, i >> 5 & 1)))
            let h = max(-1, min(1, contribution(i >> 2 & 1, i >> 6 & 1) + contribution(i >> 3 & 1, i >> 7 & 1)))
            var cx: Int, x = 0
            switch (h, v) {
            case (1, 1): cx = 13
            case (1, 0): cx = 12
            case (1, -1): cx = 11
            case (0, 1): cx = 10
            case (0, 0): cx = 9
            case (0, -1): cx = 10; x = 1
            case (-1, 1): cx = 11; x = 1
            case (-1, 0): cx = 12; x = 1
            default: cx = 13; x = 1
            }
            t[i] = UInt8(cx | x << 7)
        }
        return t
    }()

    private var flags: [UInt32] = []
    private var segment: [UInt8] = []
    private var contextStore = MQTable.initialContexts()

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
        let area = fw * (h + 2)
        // The buffers are reused from block to block; taken out of `self` while in use so that the closures below
        // hold no overlapping accesses to it.
        var flags = self.flags, segment = self.segment, contextStore = self.contextStore
        self.flags = []; self.segment = []; self.contextStore = []
        defer { self.flags = flags; self.segment = segment; self.contextStore = contextStore }
        if flags.count < area { flags = [UInt32](repeating: 0, count: area) }
        let causal = style & J2KBlockStyle.verticalCausal != 0
        let bypass = style & J2KBlockStyle.bypass != 0
        let zeroTable = orientation * 256
        var pass = 0
        var dataStart = 0
        // Samples are written to `output` only once significant; the flags say which ones are, and the last loop
        // writes zeros for the others, so the output needs no clearing first.
        let significant = J2KBlockDecoder.significant
        try flags.withUnsafeMutableBufferPointer { fb throws(DicomError) in
        try contextStore.withUnsafeMutableBufferPointer { cb throws(DicomError) in
        try J2KBlockDecoder.zeroContexts.withUnsafeBufferPointer { zb throws(DicomError) in
        try J2KBlockDecoder.signContexts.withUnsafeBufferPointer { sb throws(DicomError) in
            let f = fb.baseAddress!, cx = cb.baseAddress!, zc = zb.baseAddress! + zeroTable, sc = sb.baseAddress!
            f.update(repeating: 0, count: area)
            J2KBlockDecoder.resetContexts(cx)
            let plane = J2KBlockPlane(flags: f + fw + 1, flagStride: fw, width: w, height: h, output: output, stride: stride,
                                      causal: causal)

            for (s, passesInSegment) in block.segmentPasses.enumerated() {
                let length = block.segmentLengths[s]
                guard length >= 0, dataStart + length <= block.data.count else {
                    throw DicomError(.invalidPixelData, "code-block segment overruns its data")
                }
                segment.removeAll(keepingCapacity: true)
                segment.append(contentsOf: block.data[dataStart..<(dataStart + length)])
                segment.append(0xFF); segment.append(0xFF)
                dataStart += length
                let isRaw = bypass && pass >= 10 && (pass - 1) % 3 != 2
                segment.withUnsafeBufferPointer { sp in
                    var mq = MQDecoder(sp.baseAddress!, count: length)
                    var raw = RawDecoder(sp.baseAddress!, count: length)
                    for _ in 0..<passesInSegment {
                        let kind = pass == 0 ? 2 : (pass - 1) % 3
                        let bp = numBitplanes - 1 - (pass + 2) / 3
                        if bp < 0 { pass += 1; continue }
                        let one = Int32(1) << Int32(bp + 1), half = Int32(1) << Int32(bp), oneHalf = one | half
                        switch kind {
                        case 0:
                            if isRaw { J2KBlockDecoder.rawSignificancePass(plane, &raw, oneHalf) } else {
                                J2KBlockDecoder.significancePass(plane, &mq, cx, zc, sc, oneHalf)
                            }
                        case 1:
                            if isRaw { J2KBlockDecoder.rawRefinementPass(plane, &raw, half) } else {
                                J2KBlockDecoder.refinementPass(plane, &mq, cx, half)
                            }
                        default:
                            J2KBlockDecoder.cleanupPass(plane, &mq, cx, zc, sc, oneHalf)
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
            for y in 0..<h {
                let row = f + (y + 1) * fw + 1, out = output + y * stride
                for x in 0..<w {
                    let v = row[x]
                    let m = v & significant == 0 ? 0 : out[x] >> shift
                    out[x] = v & J2KBlockDecoder.negative != 0 ? -m : m
                }
            }
        } } } }
    }

    /// The initial context states (Table D.7).
    @inline(__always) static func resetContexts(_ cx: UnsafeMutablePointer<UInt8>) {
        cx.update(repeating: 0, count: MQTable.count)
        cx[0] = 4 << 1; cx[MQTable.runLength] = 3 << 1; cx[MQTable.uniform] = 46 << 1
    }

    @inline(__always) static func signIndex(_ v: UInt32) -> Int { Int(v & 0xF) | Int(v >> 4 & 0xF0) }

    /// Marks the sample at `p` significant and tells its eight neighbours; in vertically causal mode the first row
    /// of a stripe does not tell the stripe above (§D.7).
    @inline(__always) static func becomeSignificant(_ p: UnsafeMutablePointer<UInt32>, _ fw: Int, _ negative: Int, _ tellNorth: Bool) {
        let n = UInt32(truncatingIfNeeded: negative)
        p.pointee |= significant | n << 15
        if tellNorth {
            (p - fw).pointee |= sigS | n << 9
            (p - fw - 1).pointee |= sigSE
            (p - fw + 1).pointee |= sigSW
        }
        (p + fw).pointee |= sigN | n << 8
        (p + fw - 1).pointee |= sigNE
        (p + fw + 1).pointee |= sigNW
        (p - 1).pointee |= sigE | n << 11
        (p + 1).pointee |= sigW | n << 10
    }

    // Each pass is its own function, kept out of line, so that the MQ decoder's registers (copied into a local for
    // the pass) are not spilled by the bookkeeping of the others: tier-1 is most of the decoding time.

    /// Significance propagation (§D.3.1): insignificant samples with a significant neighbour.
    @inline(never)
    static func significancePass(_ g: J2KBlockPlane, _ mq: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt8>,
                                 _ zc: UnsafePointer<UInt8>, _ sc: UnsafePointer<UInt8>, _ oneHalf: Int32) {
        var m = mq
        let fw = g.flagStride, stride = g.stride, causal = g.causal
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + y0 &* fw, stripeOut = g.output + y0 &* stride
            for x in 0..<g.width {
                let col = stripeFlags + x
                @inline(__always) func sample(_ p: UnsafeMutablePointer<UInt32>, _ o: UnsafeMutablePointer<Int32>, _ tellNorth: Bool) {
                    let v = p.pointee
                    if v & significant == 0 && v & neighbours != 0 {
                        if m.decode(cx, Int(zc[Int(v & 0xFF)])) == 1 {
                            let t = sc[signIndex(v)]
                            let negative = m.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                            o.pointee = oneHalf
                            becomeSignificant(p, fw, negative, tellNorth)
                        }
                        p.pointee |= visited
                    }
                }
                let o = stripeOut + x
                if rows == 4 {
                    // A full stripe, unrolled: most columns.
                    if (col[0] | col[fw] | col[2 &* fw] | col[3 &* fw]) & neighbours == 0 { continue }
                    sample(col, o, !causal)
                    sample(col + fw, o + stride, true)
                    sample(col + 2 &* fw, o + 2 &* stride, true)
                    sample(col + 3 &* fw, o + 3 &* stride, true)
                } else {
                    for dy in 0..<rows { sample(col + dy &* fw, o + dy &* stride, dy != 0 || !causal) }
                }
            }
            y0 &+= 4
        }
        mq = m
    }

    /// Magnitude refinement (§D.3.3): samples significant before this bit-plane.
    @inline(never)
    static func refinementPass(_ g: J2KBlockPlane, _ mq: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt8>, _ half: Int32) {
        var m = mq
        let fw = g.flagStride, stride = g.stride
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + y0 &* fw, stripeOut = g.output + y0 &* stride
            for x in 0..<g.width {
                let col = stripeFlags + x
                @inline(__always) func sample(_ p: UnsafeMutablePointer<UInt32>, _ o: UnsafeMutablePointer<Int32>) {
                    let v = p.pointee
                    if v & (significant | visited) == significant {
                        let c = v & refined != 0 ? 16 : (v & neighbours != 0 ? 15 : 14)
                        let bit = m.decode(cx, c)
                        o.pointee &+= bit == 1 ? half : 0 &- half
                        p.pointee = v | refined
                    }
                }
                let o = stripeOut + x
                if rows == 4 {
                    if (col[0] | col[fw] | col[2 &* fw] | col[3 &* fw]) & significant == 0 { continue }
                    sample(col, o)
                    sample(col + fw, o + stride)
                    sample(col + 2 &* fw, o + 2 &* stride)
                    sample(col + 3 &* fw, o + 3 &* stride)
                } else {
                    for dy in 0..<rows { sample(col + dy &* fw, o + dy &* stride) }
                }
            }
            y0 &+= 4
        }
        mq = m
    }

    /// Cleanup (§D.3.4): everything not yet visited, with run-length coding of empty columns.
    @inline(never)
    static func cleanupPass(_ g: J2KBlockPlane, _ mq: inout MQDecoder, _ cx: UnsafeMutablePointer<UInt8>,
                            _ zc: UnsafePointer<UInt8>, _ sc: UnsafePointer<UInt8>, _ oneHalf: Int32) {
        var m = mq
        let fw = g.flagStride, stride = g.stride, causal = g.causal
        let mask = significant | visited | neighbours
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height &- y0)
            let stripeFlags = g.flags + y0 &* fw, stripeOut = g.output + y0 &* stride
            for x in 0..<g.width {
                let col = stripeFlags + x, out = stripeOut + x
                @inline(__always) func sample(_ p: UnsafeMutablePointer<UInt32>, _ o: UnsafeMutablePointer<Int32>, _ tellNorth: Bool) {
                    let v = p.pointee
                    if v & (significant | visited) == 0 {
                        if m.decode(cx, Int(zc[Int(v & 0xFF)])) == 1 {
                            let t = sc[signIndex(v)]
                            let negative = m.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                            o.pointee = oneHalf
                            becomeSignificant(p, fw, negative, tellNorth)
                        }
                    }
                }
                if rows == 4 {
                    if (col[0] | col[fw] | col[2 &* fw] | col[3 &* fw]) & mask == 0 {
                        // Run-length coding: one decision for an empty column, then the index of its first 1.
                        if m.decode(cx, MQTable.runLength) == 0 { continue }
                        var start = m.decode(cx, MQTable.uniform) << 1
                        start |= m.decode(cx, MQTable.uniform)
                        let p = col + start &* fw
                        let t = sc[signIndex(p.pointee)]
                        let negative = m.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)
                        out[start &* stride] = oneHalf
                        becomeSignificant(p, fw, negative, start != 0 || !causal)
                        var dy = start &+ 1
                        while dy < 4 { sample(col + dy &* fw, out + dy &* stride, true); dy &+= 1 }
                        // Nothing in an empty column was visited: no flags to clear.
                        continue
                    }
                    sample(col, out, !causal)
                    sample(col + fw, out + stride, true)
                    sample(col + 2 &* fw, out + 2 &* stride, true)
                    sample(col + 3 &* fw, out + 3 &* stride, true)
                    col[0] &= ~visited; col[fw] &= ~visited; col[2 &* fw] &= ~visited; col[3 &* fw] &= ~visited
                } else {
                    for dy in 0..<rows {
                        let p = col + dy &* fw
                        sample(p, out + dy &* stride, dy != 0 || !causal)
                        p.pointee &= ~visited
                    }
                }
            }
            y0 &+= 4
        }
        mq = m
    }

    /// Calls `body` with each sample's flags, output and row within its stripe, in the scan order of the passes
    /// (stripes of four rows, column by column): the raw passes, which are rare enough not to need unrolling.
    @inline(__always)
    static func forEachSample(_ g: J2KBlockPlane, _ body: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Int32>, Int) -> Void) {
        var y0 = 0
        while y0 < g.height {
            let rows = min(4, g.height - y0)
            for x in 0..<g.width {
                for dy in 0..<rows { body(g.flags + (y0 + dy) * g.flagStride + x, g.output + (y0 + dy) * g.stride + x, dy) }
            }
            y0 += 4
        }
    }

    /// Significance propagation of a raw (bypass) segment (§D.6).
    @inline(never)
    static func rawSignificancePass(_ g: J2KBlockPlane, _ raw: inout RawDecoder, _ oneHalf: Int32) {
        forEachSample(g) { p, o, dy in
            let v = p.pointee
            if v & significant == 0 && v & neighbours != 0 {
                if raw.decode() == 1 {
                    let negative = raw.decode()
                    o.pointee = oneHalf
                    becomeSignificant(p, g.flagStride, negative, dy != 0 || !g.causal)
                }
                p.pointee |= visited
            }
        }
    }

    /// Magnitude refinement of a raw (bypass) segment (§D.6).
    @inline(never)
    static func rawRefinementPass(_ g: J2KBlockPlane, _ raw: inout RawDecoder, _ half: Int32) {
        forEachSample(g) { p, o, _ in
            let v = p.pointee
            if v & (significant | visited) == significant {
                o.pointee &+= raw.decode() == 1 ? half : 0 &- half
                p.pointee = v | refined
            }
        }
    }
}

/// Where one code-block's passes work: its flags (first sample at `flags`, row stride `flagStride`, with a border of
/// one sample all round) and its output samples.
struct J2KBlockPlane {
    var flags: UnsafeMutablePointer<UInt32>
    var flagStride: Int
    var width: Int
    var height: Int
    var output: UnsafeMutablePointer<Int32>
    var stride: Int
    var causal: Bool
}
