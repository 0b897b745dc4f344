/// Encodes lines of one JPEG-LS scan (T.87 Annex A), mirroring `JPEGLSLineDecoder`: the lines hold reconstructed
/// samples, which equal the input when NEAR is 0, so encoder and decoder predict from the same values.
struct JPEGLSLineEncoder {
    let state: JPEGLSState
    var writer: JPEGLSBitWriter

    /// Quantises a prediction error for NEAR and reduces it modulo RANGE (T.87 §A.4.4, §A.4.5).
    @inline(__always) private func reduce(_ error: Int32) -> Int32 {
        let p = state.p
        var e = error
        if p.near > 0 {
            let step = 2 &* p.near &+ 1
            e = e > 0 ? (e &+ p.near) / step : 0 &- ((p.near &- e) / step)
        }
        if e < 0 { e &+= p.range }
        if e >= (p.range &+ 1) &>> 1 { e &-= p.range }
        return e
    }

    /// Encodes one line of one component (ILV 0 and 1); `input` holds the samples at 1…width.
    @inline(__always)
    mutating func encodeLine(input: UnsafeMutablePointer<Int32>, previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>,
                             width: Int, runIndex: inout Int) {
        let p = state.p
        // As in the decoder: lossless with MAXVAL + 1 a power of two, the common case, has a loop of its own where
        // the modulo reduction is a mask and every choice that depends on the sign of a value is arithmetic.
        if p.near == 0 && p.maxValue & (p.maxValue &+ 1) == 0 {
            encodeRegularLine(input: input, previous: previous, current: current, width: width, runIndex: &runIndex, masked: true)
        } else {
            encodeRegularLine(input: input, previous: previous, current: current, width: width, runIndex: &runIndex, masked: false)
        }
    }

    /// The loop of `encodeLine`; `masked` (a constant where it is inlined) says NEAR is 0 and MAXVAL + 1 a power of two.
    @inline(__always)
    private mutating func encodeRegularLine(input: UnsafeMutablePointer<Int32>, previous: UnsafeMutablePointer<Int32>,
                                            current: UnsafeMutablePointer<Int32>, width: Int, runIndex: inout Int, masked: Bool) {
        let s = state
        let p = s.p
        let near: Int32 = masked ? 0 : p.near
        let limit = p.limit, qbpp = p.qbpp, step = 2 &* near &+ 1
        let maxValue = p.maxValue, half = (p.maxValue &+ 1) &>> 1
        // A local copy of the writer stays in registers through the loop.
        var writer = self.writer
        defer { self.writer = writer }
        // Neighbours move along in registers: Rc takes Rb, Rb takes Rd, Ra takes the new sample.
        var ra = current[0], rc = previous[0], rb = previous[1]
        var x = 1
        while x <= width {
            let rd = previous[x &+ 1]
            let q = s.contextNumber(rd &- rb, rb &- rc, rc &- ra)
            if q == 0 {
                self.writer = writer
                x += encodeRun(input: input, previous: previous, current: current, x: x, width: width, runIndex: &runIndex)
                writer = self.writer
                if x <= width { ra = current[x &- 1]; rc = previous[x &- 1]; rb = previous[x] }
                continue
            }
            // The sign of the context is random in noisy images: folded without branches, as 0 or -1.
            let sign = q &>> 31
            let qi = Int((q ^ sign) &- sign)
            var px = JPEGLSState.predict(ra, rb, rc) &+ ((s.c(qi) ^ sign) &- sign)
            px = px < 0 ? 0 : (px > maxValue ? maxValue : px)
            let difference = input[x] &- px
            let k = s.kRegular(qi)
            let e: Int32, m: Int32
            if masked {
                // Modulo RANGE = MAXVAL + 1 into −RANGE/2…RANGE/2 − 1 (§A.4.5), then the mapping of §A.5.2 as a
                // zigzag, of −1 − e (that is ~e) when k is 0 and 2·B ≤ −N. Error values are below 2^16: no overflow.
                e = ((((difference ^ sign) &- sign) &+ half) & maxValue) &- half
                let swapped = k == 0 && s.swapsSign(qi) ? ~e : e
                m = (swapped &<< 1) ^ (swapped &>> 31)
            } else {
                e = reduce((difference ^ sign) &- sign)
                if k == 0 && near == 0 && s.swapsSign(qi) {
                    m = e >= 0 ? 2 &* e &+ 1 : -2 &* (e &+ 1)
                } else {
                    m = e >= 0 ? 2 &* e : -2 &* e &- 1
                }
            }
            writer.encodeValue(m, k: k, limit: limit, qbpp: qbpp)
            s.updateRegular(qi, e, near: near)
            let signed = (e ^ sign) &- sign
            let rx = masked ? (px &+ signed) & maxValue : s.fix(px &+ signed &* step)
            current[x] = rx
            ra = rx
            rc = rb
            rb = rd
            x &+= 1
        }
    }

    /// Writes a run length (T.87 §A.7.1): `count` pixels, ending the line when `endOfLine`.
    @inline(__always)
    private mutating func writeRun(_ count: Int, endOfLine: Bool, runIndex: inout Int) {
        let j = state.j
        var left = count
        while left >= 1 << Int(j[runIndex]) {
            writer.write(1, 1)
            left -= 1 << Int(j[runIndex])
            runIndex = min(31, runIndex + 1)
        }
        if endOfLine {
            if left > 0 { writer.write(1, 1) }
        } else {
            writer.write(0, 1)
            writer.write(Int32(left), j[runIndex])
        }
    }

    /// Encodes the error of a run-interruption sample in context `ri` (T.87 §A.7.2).
    @inline(__always)
    private mutating func encodeInterruptionError(_ e: Int32, ri: Int, runIndex: Int) {
        let s = state
        let k = s.kInterruption(ri)
        let (nn, n) = s.interruptionCounts(ri)
        let map = (k == 0 && e > 0 && 2 * nn < n) || (e < 0 && 2 * nn >= n) || (e < 0 && k != 0)
        let em = 2 * abs(e) - Int32(ri) - (map ? 1 : 0)
        writer.encodeValue(em, k: k, limit: s.p.limit - s.j[runIndex] - 1, qbpp: s.p.qbpp)
        s.updateInterruption(ri, e, em)
    }

    @inline(__always)
    private mutating func encodeRun(input: UnsafeMutablePointer<Int32>, previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>,
                                    x: Int, width: Int, runIndex: inout Int) -> Int {
        let s = state
        let near = s.p.near, step = 2 * near + 1
        let ra = current[x - 1]
        var count = 0
        while x + count <= width && abs(input[x + count] - ra) <= near {
            current[x + count] = ra
            count += 1
        }
        let endOfLine = x + count > width
        writeRun(count, endOfLine: endOfLine, runIndex: &runIndex)
        if endOfLine { return count }
        let i = x + count
        let rb = previous[i]
        if abs(ra - rb) <= near {
            let e = reduce(input[i] - ra)
            encodeInterruptionError(e, ri: 1, runIndex: runIndex)
            current[i] = s.fix(ra + e * step)
        } else {
            let sign: Int32 = rb > ra ? 1 : -1
            let e = reduce((input[i] - rb) * sign)
            encodeInterruptionError(e, ri: 0, runIndex: runIndex)
            current[i] = s.fix(rb + sign * e * step)
        }
        runIndex = max(0, runIndex - 1)
        return count + 1
    }

    /// Encodes one line of `nc` sample-interleaved components (ILV 2); `input` holds pixel x at x·nc.
    mutating func encodeInterleavedLine(input: UnsafeMutablePointer<Int32>, previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>,
                                        width: Int, components nc: Int, runIndex: inout Int) {
        let s = state
        let p = s.p
        let near = p.near, limit = p.limit, qbpp = p.qbpp, step = 2 * p.near + 1
        var qs: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        var x = 1
        while x <= width {
            var allZero = true
            withUnsafeMutableBytes(of: &qs) { raw in
                let q = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
                for c in 0..<nc {
                    let i = x * nc + c
                    let ra = current[i - nc], rb = previous[i], rc = previous[i - nc], rd = previous[i + nc]
                    q[c] = s.contextNumber(rd &- rb, rb &- rc, rc &- ra)
                    if q[c] != 0 { allZero = false }
                }
            }
            if allZero {
                var count = 0
                run: while x + count <= width {
                    for c in 0..<nc where abs(input[(x + count) * nc + c] - current[(x - 1) * nc + c]) > near { break run }
                    for c in 0..<nc { current[(x + count) * nc + c] = current[(x - 1) * nc + c] }
                    count += 1
                }
                let endOfLine = x + count > width
                writeRun(count, endOfLine: endOfLine, runIndex: &runIndex)
                x += count
                if endOfLine { break }
                for c in 0..<nc {
                    let ra = current[(x - 1) * nc + c], rb = previous[x * nc + c]
                    let sign: Int32 = rb >= ra ? 1 : -1
                    let e = reduce((input[x * nc + c] - rb) * sign)
                    encodeInterruptionError(e, ri: 0, runIndex: runIndex)
                    current[x * nc + c] = s.fix(rb + sign * e * step)
                }
                runIndex = max(0, runIndex - 1)
                x += 1
                continue
            }
            for c in 0..<nc {
                let i = x * nc + c
                let ra = current[i - nc], rb = previous[i], rc = previous[i - nc]
                var q = withUnsafeBytes(of: qs) { $0.load(fromByteOffset: c * 4, as: Int32.self) }
                var sign: Int32 = 1
                if q < 0 { q = -q; sign = -1 }
                let qi = Int(q)
                var px = JPEGLSState.predict(ra, rb, rc) &+ (sign < 0 ? 0 &- s.c(qi) : s.c(qi))
                px = px < 0 ? 0 : (px > p.maxValue ? p.maxValue : px)
                let e = reduce(sign * (input[i] - px))
                let k = s.kRegular(qi)
                let m: Int32
                if k == 0 && near == 0 && s.swapsSign(qi) {
                    m = e >= 0 ? 2 * e + 1 : -2 * (e + 1)
                } else {
                    m = e >= 0 ? 2 * e : -2 * e - 1
                }
                writer.encodeValue(m, k: k, limit: limit, qbpp: qbpp)
                s.updateRegular(qi, e)
                current[i] = s.fix(px + sign * e * step)
            }
            x += 1
        }
    }
}
