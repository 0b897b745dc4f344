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
    private var magnitudes: [Int32] = []
    private var segment: [UInt8] = []

    /// Decodes `block` of a band with `orientation` into `output` (row stride `stride`), as signed scaled magnitudes.
    mutating func decode(_ block: J2KCodeBlock, orientation: Int, magnitudeBits: Int, style: Int,
                         into output: UnsafeMutablePointer<Int32>, stride: Int) throws(DicomError) {
        let w = block.x1 - block.x0, h = block.y1 - block.y0
        let numBitplanes = magnitudeBits - block.zeroBitplanes
        for y in 0..<h { for x in 0..<w { output[y * stride + x] = 0 } }
        guard block.passes > 0, numBitplanes > 0 else { return }
        guard numBitplanes <= 30 else { throw DicomError(.invalidPixelData, "code-block with \(numBitplanes) bit-planes") }
        let fw = w + 2
        let area = fw * (h + 2)
        if flags.count < area { flags = [UInt32](repeating: 0, count: area) } else { for i in 0..<area { flags[i] = 0 } }
        if magnitudes.count < w * h { magnitudes = [Int32](repeating: 0, count: w * h) } else { for i in 0..<(w * h) { magnitudes[i] = 0 } }
        var contexts = MQTable.initialContexts()
        let causal = style & J2KBlockStyle.verticalCausal != 0
        let bypass = style & J2KBlockStyle.bypass != 0
        let zeroTable = orientation * 256
        var pass = 0
        var dataStart = 0
        try flags.withUnsafeMutableBufferPointer { fb throws(DicomError) in
        try magnitudes.withUnsafeMutableBufferPointer { mb throws(DicomError) in
        try contexts.withUnsafeMutableBufferPointer { cb throws(DicomError) in
        try J2KBlockDecoder.zeroContexts.withUnsafeBufferPointer { zb throws(DicomError) in
        try J2KBlockDecoder.signContexts.withUnsafeBufferPointer { sb throws(DicomError) in
            let f = fb.baseAddress!, mag = mb.baseAddress!, cx = cb.baseAddress!, zc = zb.baseAddress! + zeroTable, sc = sb.baseAddress!

            @inline(__always) func becomeSignificant(_ x: Int, _ y: Int, _ negative: Bool) {
                let i = (y + 1) * fw + x + 1
                f[i] |= J2KBlockDecoder.significant | (negative ? J2KBlockDecoder.negative : 0)
                if !(causal && y & 3 == 0) {
                    f[i - fw] |= J2KBlockDecoder.sigS | (negative ? J2KBlockDecoder.negS : 0)
                    f[i - fw - 1] |= J2KBlockDecoder.sigSE
                    f[i - fw + 1] |= J2KBlockDecoder.sigSW
                }
                f[i + fw] |= J2KBlockDecoder.sigN | (negative ? J2KBlockDecoder.negN : 0)
                f[i + fw - 1] |= J2KBlockDecoder.sigNE
                f[i + fw + 1] |= J2KBlockDecoder.sigNW
                f[i - 1] |= J2KBlockDecoder.sigE | (negative ? J2KBlockDecoder.negE : 0)
                f[i + 1] |= J2KBlockDecoder.sigW | (negative ? J2KBlockDecoder.negW : 0)
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
                            for x in 0..<w {
                                var base = (y0 + 1) * fw + x + 1
                                if kind == 0 {
                                    for dy in 0..<rows {
                                        let i = base + dy * fw
                                        let v = f[i]
                                        if v & J2KBlockDecoder.significant == 0 && v & J2KBlockDecoder.neighbours != 0 {
                                            let bit = isRaw ? raw.decode() : mq.decode(cx, Int(zc[Int(v & 0xFF)]))
                                            if bit == 1 {
                                                let negative: Bool
                                                if isRaw { negative = raw.decode() == 1 } else {
                                                    let t = sc[signIndex(v)]
                                                    negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                                }
                                                mag[(y0 + dy) * w + x] = oneHalf
                                                becomeSignificant(x, y0 + dy, negative)
                                            }
                                            f[i] |= J2KBlockDecoder.visited
                                        }
                                    }
                                } else if kind == 1 {
                                    for dy in 0..<rows {
                                        let i = base + dy * fw
                                        let v = f[i]
                                        if v & (J2KBlockDecoder.significant | J2KBlockDecoder.visited) == J2KBlockDecoder.significant {
                                            let bit: Int
                                            if isRaw { bit = raw.decode() } else {
                                                let c = v & J2KBlockDecoder.refined != 0 ? 16 : (v & J2KBlockDecoder.neighbours != 0 ? 15 : 14)
                                                bit = mq.decode(cx, c)
                                            }
                                            mag[(y0 + dy) * w + x] += bit == 1 ? half : -half
                                            f[i] = v | J2KBlockDecoder.refined
                                        }
                                    }
                                } else {
                                    var start = 0
                                    if rows == 4 {
                                        let mask = J2KBlockDecoder.significant | J2KBlockDecoder.visited | J2KBlockDecoder.neighbours
                                        if (f[base] | f[base + fw] | f[base + 2 * fw] | f[base + 3 * fw]) & mask == 0 {
                                            if mq.decode(cx, MQTable.runLength) == 0 { continue }
                                            start = mq.decode(cx, MQTable.uniform) << 1
                                            start |= mq.decode(cx, MQTable.uniform)
                                            let i = base + start * fw
                                            let t = sc[signIndex(f[i])]
                                            let negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                            mag[(y0 + start) * w + x] = oneHalf
                                            becomeSignificant(x, y0 + start, negative)
                                            start += 1
                                        }
                                    }
                                    for dy in start..<rows {
                                        let i = base + dy * fw
                                        let v = f[i]
                                        if v & (J2KBlockDecoder.significant | J2KBlockDecoder.visited) == 0 {
                                            if mq.decode(cx, Int(zc[Int(v & 0xFF)])) == 1 {
                                                let t = sc[signIndex(v)]
                                                let negative = (mq.decode(cx, Int(t & 0x7F)) ^ Int(t >> 7)) == 1
                                                mag[(y0 + dy) * w + x] = oneHalf
                                                becomeSignificant(x, y0 + dy, negative)
                                            }
                                        }
                                    }
                                    for dy in 0..<rows { f[base + dy * fw] &= ~J2KBlockDecoder.visited }
                                }
                                base += 0
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
            for y in 0..<h {
                for x in 0..<w {
                    let m = mag[y * w + x]
                    output[y * stride + x] = f[(y + 1) * fw + x + 1] & J2KBlockDecoder.negative != 0 ? -m : m
                }
            }
        } } } } }
    }
}
