/// The accurate integer inverse DCT of libjpeg (jidctint.c, "islow"), so results match DCMTK and libjpeg exactly.
enum JPEGIDCT {
    @inline(__always)
    static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }

    static func inverse(_ input: UnsafePointer<Int16>, quant: UnsafePointer<UInt16>, into out: UnsafeMutablePointer<UInt16>, stride: Int,
                        precision: Int, maximum: Int) {
        let constBits = 13
        let pass1Bits = precision == 8 ? 2 : 1
        let center = 1 << (precision - 1)
        var ws = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &ws) { raw in
            let w = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            for col in 0..<8 {
                @inline(__always) func q(_ row: Int) -> Int { Int(input[row * 8 + col]) * Int(quant[row * 8 + col]) }
                if input[8 + col] == 0 && input[16 + col] == 0 && input[24 + col] == 0 && input[32 + col] == 0
                    && input[40 + col] == 0 && input[48 + col] == 0 && input[56 + col] == 0 {
                    let dc = q(0) << pass1Bits
                    for row in 0..<8 { w[row * 8 + col] = dc }
                    continue
                }
                let r = butterfly(q(0), q(1), q(2), q(3), q(4), q(5), q(6), q(7))
                let shift = constBits - pass1Bits
                w[col] = descale(r.0, shift); w[56 + col] = descale(r.7, shift)
                w[8 + col] = descale(r.1, shift); w[48 + col] = descale(r.6, shift)
                w[16 + col] = descale(r.2, shift); w[40 + col] = descale(r.5, shift)
                w[24 + col] = descale(r.3, shift); w[32 + col] = descale(r.4, shift)
            }
            for row in 0..<8 {
                let o = out + row * stride
                let i = row * 8
                let shift = constBits + pass1Bits + 3
                @inline(__always) func put(_ k: Int, _ v: Int) { o[k] = UInt16(min(max(v + center, 0), maximum)) }
                if w[i + 1] == 0 && w[i + 2] == 0 && w[i + 3] == 0 && w[i + 4] == 0 && w[i + 5] == 0 && w[i + 6] == 0 && w[i + 7] == 0 {
                    let dc = descale(w[i], pass1Bits + 3)
                    for k in 0..<8 { put(k, dc) }
                    continue
                }
                let r = butterfly(w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7])
                put(0, descale(r.0, shift)); put(7, descale(r.7, shift))
                put(1, descale(r.1, shift)); put(6, descale(r.6, shift))
                put(2, descale(r.2, shift)); put(5, descale(r.5, shift))
                put(3, descale(r.3, shift)); put(4, descale(r.4, shift))
            }
        }
    }

    /// One 8-point pass, outputs scaled by 2^13 (CONST_BITS).
    @inline(__always)
    static func butterfly(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int, _ i6: Int, _ i7: Int)
        -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        // Even part.
        var z1 = (i2 + i6) * 4433
        let t2e = z1 + i6 * -15137
        let t3e = z1 + i2 * 6270
        let t0e = (i0 + i4) << 13
        let t1e = (i0 - i4) << 13
        let t10 = t0e + t3e, t13 = t0e - t3e, t11 = t1e + t2e, t12 = t1e - t2e
        // Odd part.
        var t0 = i7, t1 = i5, t2 = i3, t3 = i1
        z1 = t0 + t3
        var z2 = t1 + t2, z3 = t0 + t2, z4 = t1 + t3
        let z5 = (z3 + z4) * 9633
        t0 *= 2446; t1 *= 16819; t2 *= 25172; t3 *= 12299
        z1 *= -7373; z2 *= -20995; z3 *= -16069; z4 *= -3196
        z3 += z5; z4 += z5
        t0 += z1 + z3; t1 += z2 + z4; t2 += z2 + z3; t3 += z1 + z4
        return (t10 + t3, t11 + t2, t12 + t1, t13 + t0, t13 - t0, t12 - t1, t11 - t2, t10 - t3)
    }
}
