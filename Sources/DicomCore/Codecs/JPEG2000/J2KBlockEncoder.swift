/// Tier-1 encoding of one code-block (ISO/IEC 15444-1 Annex D), all passes in one MQ segment: the mirror of
/// `J2KBlockDecoder` without mode switches.
struct J2KBlockEncoder {
    private typealias D = J2KBlockEncoder
    private var flags: [UInt32] = []
    private var magnitudes: [Int32] = []

    /// Codes `width` x `height` coefficients at `input` (row stride `stride`); returns bytes, passes and bit-planes.
    mutating func encode(_ input: UnsafePointer<Int32>, width w: Int, height h: Int, stride: Int, orientation: Int) -> (bytes: [UInt8], passes: Int, bitplanes: Int) {
        let fw = w + 2
        flags = [UInt32](repeating: 0, count: fw * (h + 2))
        magnitudes = [Int32](repeating: 0, count: w * h)
        var maxMagnitude: Int32 = 0
        for y in 0..<h { for x in 0..<w {
            let v = input[y * stride + x]
            magnitudes[y * w + x] = abs(v)
            maxMagnitude = max(maxMagnitude, abs(v))
            if v < 0 { flags[(y + 1) * fw + x + 1] |= D.negative }
        } }
        var bitplanes = 0
        while bitplanes < 31 && maxMagnitude >> Int32(bitplanes) != 0 { bitplanes += 1 }
        guard bitplanes > 0 else { return ([], 0, 0) }
        var mq = MQEncoder()
        var contexts = MQTable.initialContexts()
        let zc = D.zeroContexts, sc = D.signContexts
        let zt = orientation * 256
        @inline(__always) func signIndex(_ v: UInt32) -> Int { Int(v & 0xF) | Int(v >> 4 & 0xF0) }
        contexts.withUnsafeMutableBufferPointer { cb in
            let cx = cb.baseAddress!
            func becomeSignificant(_ x: Int, _ y: Int) {
                let i = (y + 1) * fw + x + 1
                let negative = flags[i] & D.negative != 0
                flags[i] |= D.significant
                flags[i - fw] |= D.sigS | (negative ? D.negS : 0)
                flags[i - fw - 1] |= D.sigSE
                flags[i - fw + 1] |= D.sigSW
                flags[i + fw] |= D.sigN | (negative ? D.negN : 0)
                flags[i + fw - 1] |= D.sigNE
                flags[i + fw + 1] |= D.sigNW
                flags[i - 1] |= D.sigE | (negative ? D.negE : 0)
                flags[i + 1] |= D.sigW | (negative ? D.negW : 0)
            }
            func codeSign(_ x: Int, _ y: Int) {
                let v = flags[(y + 1) * fw + x + 1]
                let t = sc[signIndex(v)]
                mq.encode((v & D.negative != 0 ? 1 : 0) ^ Int(t >> 7), cx, Int(t & 0x7F))
            }
            for pass in 0..<(3 * bitplanes - 2) {
                let kind = pass == 0 ? 2 : (pass - 1) % 3
                let bp = Int32(bitplanes - 1 - (pass + 2) / 3)
                var y0 = 0
                while y0 < h {
                    let rows = min(4, h - y0)
                    for x in 0..<w {
                        let base = (y0 + 1) * fw + x + 1
                        if kind == 0 {
                            for dy in 0..<rows {
                                let i = base + dy * fw, v = flags[i]
                                if v & D.significant == 0 && v & D.neighbours != 0 {
                                    let bit = Int(magnitudes[(y0 + dy) * w + x] >> bp & 1)
                                    mq.encode(bit, cx, Int(zc[zt + Int(v & 0xFF)]))
                                    if bit == 1 { codeSign(x, y0 + dy); becomeSignificant(x, y0 + dy) }
                                    flags[i] |= D.visited
                                }
                            }
                        } else if kind == 1 {
                            for dy in 0..<rows {
                                let i = base + dy * fw, v = flags[i]
                                if v & (D.significant | D.visited) == D.significant {
                                    let c = v & D.refined != 0 ? 16 : (v & D.neighbours != 0 ? 15 : 14)
                                    mq.encode(Int(magnitudes[(y0 + dy) * w + x] >> bp & 1), cx, c)
                                    flags[i] = v | D.refined
                                }
                            }
                        } else {
                            var start = 0
                            let mask = D.significant | D.visited | D.neighbours
                            if rows == 4 && (flags[base] | flags[base + fw] | flags[base + 2 * fw] | flags[base + 3 * fw]) & mask == 0 {
                                var first = 4
                                for dy in 0..<4 where magnitudes[(y0 + dy) * w + x] >> bp & 1 == 1 { first = dy; break }
                                if first == 4 { mq.encode(0, cx, MQTable.runLength); continue }
                                mq.encode(1, cx, MQTable.runLength)
                                mq.encode(first >> 1, cx, MQTable.uniform)
                                mq.encode(first & 1, cx, MQTable.uniform)
                                codeSign(x, y0 + first); becomeSignificant(x, y0 + first)
                                start = first + 1
                            }
                            for dy in start..<rows {
                                let i = base + dy * fw, v = flags[i]
                                if v & (D.significant | D.visited) == 0 {
                                    let bit = Int(magnitudes[(y0 + dy) * w + x] >> bp & 1)
                                    mq.encode(bit, cx, Int(zc[zt + Int(v & 0xFF)]))
                                    if bit == 1 { codeSign(x, y0 + dy); becomeSignificant(x, y0 + dy) }
                                }
                            }
                            for dy in 0..<rows { flags[base + dy * fw] &= ~D.visited }
                        }
                    }
                    y0 += 4
                }
            }
        }
        return (mq.flush(), 3 * bitplanes - 2, bitplanes)
    }
}

// The encoder's per-sample flags: one word a sample (with a border of one sample all round), the layout the decoder
// used before it moved to one word per column of a stripe. Encoding is not on the viewer's hot path.
extension J2KBlockEncoder {
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
                let h = (n >> 2 & 1) + (n >> 3 & 1), v = (n & 1) + (n >> 1 & 1)
                let d = (n >> 4 & 1) + (n >> 5 & 1) + (n >> 6 & 1) + (n >> 7 & 1)
                let cx = J2KContexts.zeroCoding(horizontal: h, vertical: v, diagonal: d, orientation: o)
                t[o * 256 + n] = UInt8(cx)
            }
        }
        return t
    }()

    /// Sign contexts (Table D.3): context in the low bits, the XOR bit in bit 7; indexed by N,S,W,E significance and sign.
    static let signContexts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for i in 0..<256 {
            let v = max(-1, min(1, J2KContexts.contribution(i & 1, i >> 4 & 1) + J2KContexts.contribution(i >> 1 & 1, i >> 5 & 1)))
            let h = max(-1, min(1, J2KContexts.contribution(i >> 2 & 1, i >> 6 & 1) + J2KContexts.contribution(i >> 3 & 1, i >> 7 & 1)))
            let (cx, x) = J2KContexts.sign(horizontal: h, vertical: v)
            t[i] = UInt8(cx | x << 7)
        }
        return t
    }()
}
