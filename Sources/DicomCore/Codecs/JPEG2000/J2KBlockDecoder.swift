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
        if flags.count < area { flags = [UInt32](repeating: 0, count: area) }
        var contexts = MQTable.initialContexts()
        let causal = style & J2KBlockStyle.verticalCausal != 0
        let bypass = style & J2KBlockStyle.bypass != 0
        let zeroTable = orientation * 256
        var pass = 0
        var dataStart = 0
        // Samples are written to `output` only once significant; the flags say which ones are, and the last loop
        // writes zeros for the others, so the output needs no clearing first.
        let significant = J2KBlockDecoder.significant, visited = J2KBlockDecoder.visited
        let refined = J2KBlockDecoder.refined, neighbours = J2KBlockDecoder.neighbours
        try flags.withUnsafeMutableBufferPointer { fb throws(DicomError) in
        try contexts.withUnsafeMutableBufferPointer { cb throws(DicomError) in
        try J2KBlockDecoder.zeroContexts.withUnsafeBufferPointer { zb throws(DicomError) in
        try J2KBlockDecoder.signContexts.withUnsafeBufferPointer { sb throws(DicomError) in
            let f = fb.baseAddress!, cx = cb.baseAddress!, zc = zb.baseAddress! + zeroTable, sc = sb.baseAddress!
            f.update(repeating: 0, count: area)

            /// Marks the sample at `p` significant and tells its eight neighbours; in vertically causal mode the
            /// first row of a stripe does not tell the stripe above (§D.7).
            @inline(__always) func becomeSignificant(_ p: UnsafeMutablePointer<UInt32>, _ negative: Bool, _ tellNorth: Bool) {
                let n: UInt32 = negative ? 1 : 0
                p.pointee |= significant | n << 15
                if tellNorth {
                    (p - fw).pointee |= J2KBlockDecoder.sigS | n << 9
                    (p - fw - 1).pointee |= J2KBlockDecoder.sigSE
                    (p - fw + 1).pointee |= J2KBlockDecoder.sigSW
                }
                (p + fw).pointee |= J2KBlockDecoder.sigN | n << 8
                (p + fw - 1).pointee |= J2KBlockDecoder.sigNE
                (p + fw + 1).pointee |= J2KBlockDecoder.sigNW
                (p - 1).pointee |= J2KBlockDecoder.sigE | n << 11
                (p + 1).pointee |= J2KBlockDecoder.sigW | n << 10
            }
            @inline(__always) func signIndex(_ v: UInt32) -> Int { Int(v & 0xF) | Int(v >> 4 & 0xF0) }

            for (s, passesInSegment) in block.segmentPasses.enumerated() {
                let length = block.segmentLengths[s]
                guard dataStart + length <= block.data.count else { throw DicomError(.invalidPixelData, "code-block segment overruns its data") }
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
                        var y0 = 0
                        while y0 < h {
                            let rows = min(4, h - y0)
                            let stripeFlags = f + (y0 + 1) * fw + 1, stripeOut = output + y0 * stride
                            if kind == 0 {
                                // Significance propagation: insignificant samples with a significant neighbour.
                                for x in 0..<w {
                                    let col = stripeFlags + x, out = stripeOut + x
                                    if rows == 4 && (col[0] | col[fw] | col[2 * fw] | col[3 * fw]) & neighbours == 0 { continue }
                                    for dy in 0..<rows {
                                        let p = col + dy * fw
                                        let v = p.pointee
                                        if v & significant == 0 && v & neighbours != 0 {
                                            let bit = isRaw ? raw.decode() : mq.decode(cx, Int(zc[Int(v & 0xFF)]))
                                            if bit == 1 {
                                                let negative: Bool
                                                if isRaw { negative = raw.decode() == 1 } else {
                                                    let t = sc[signIndex(v)]
                                                    negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                                }
                                                out[dy * stride] = oneHalf
                                                becomeSignificant(p, negative, !(causal && dy == 0))
                                            }
                                            p.pointee |= visited
                                        }
                                    }
                                }
                            } else if kind == 1 {
                                // Magnitude refinement: samples significant before this bit-plane.
                                for x in 0..<w {
                                    let col = stripeFlags + x, out = stripeOut + x
                                    if rows == 4 && (col[0] | col[fw] | col[2 * fw] | col[3 * fw]) & significant == 0 { continue }
                                    for dy in 0..<rows {
                                        let p = col + dy * fw
                                        let v = p.pointee
                                        if v & (significant | visited) == significant {
                                            let bit: Int
                                            if isRaw { bit = raw.decode() } else {
                                                let c = v & refined != 0 ? 16 : (v & neighbours != 0 ? 15 : 14)
                                                bit = mq.decode(cx, c)
                                            }
                                            out[dy * stride] &+= bit == 1 ? half : -half
                                            p.pointee = v | refined
                                        }
                                    }
                                }
                            } else {
                                // Cleanup: everything not yet visited, with run-length coding of empty columns.
                                for x in 0..<w {
                                    let col = stripeFlags + x, out = stripeOut + x
                                    var start = 0
                                    if rows == 4 {
                                        let mask = significant | visited | neighbours
                                        if (col[0] | col[fw] | col[2 * fw] | col[3 * fw]) & mask == 0 {
                                            if mq.decode(cx, MQTable.runLength) == 0 { continue }
                                            start = mq.decode(cx, MQTable.uniform) << 1
                                            start |= mq.decode(cx, MQTable.uniform)
                                            let p = col + start * fw
                                            let t = sc[signIndex(p.pointee)]
                                            let negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                            out[start * stride] = oneHalf
                                            becomeSignificant(p, negative, !(causal && start == 0))
                                            start += 1
                                        }
                                    }
                                    for dy in start..<rows {
                                        let p = col + dy * fw
                                        let v = p.pointee
                                        if v & (significant | visited) == 0 {
                                            if mq.decode(cx, Int(zc[Int(v & 0xFF)])) == 1 {
                                                let t = sc[signIndex(v)]
                                                let negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                                out[dy * stride] = oneHalf
                                                becomeSignificant(p, negative, !(causal && dy == 0))
                                            }
                                        }
                                    }
                                    for dy in 0..<rows { col[dy * fw] &= ~visited }
                                }
                            }
                            y0 += 4
                        }
                        if kind == 2 && style & J2KBlockStyle.segmentation != 0 {
                            for _ in 0..<4 { _ = mq.decode(cx, MQTable.uniform) }
                        }
                        if style & J2KBlockStyle.reset != 0 {
                            for k in 0..<MQTable.count { cx[k] = 0 }
                            cx[0] = 4 << 1; cx[MQTable.runLength] = 3 << 1; cx[MQTable.uniform] = 46 << 1
                        }
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
}
