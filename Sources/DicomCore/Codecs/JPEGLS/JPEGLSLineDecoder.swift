/// Decodes lines of one JPEG-LS scan (T.87 Annex A, decoding per Annex F).
///
/// Line buffers hold `width + 2` pixels of `stride` components: index 0 is the pixel left of the line (Ra of the
/// first pixel, set to Rb as §A.2.1 says) and index `width + 1` repeats the last pixel of the line above (Rd).
struct JPEGLSLineDecoder {
    let state: JPEGLSState
    var reader: JPEGLSBitReader

    /// Decodes one line of one component (ILV 0 and 1). `runIndex` is that component's RUNindex.
    @inline(__always)
    mutating func decodeLine(previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>, width: Int, runIndex: inout Int) {
        let p = state.p
        // Lossless with MAXVAL + 1 a power of two, by far the common case, gets a loop of its own where NEAR is 0 and
        // the modulo reduction of §A.4.5 is a mask: fewer live values, fewer registers spilled.
        if p.near == 0 && p.maxValue & (p.maxValue &+ 1) == 0 {
            decodeRegularLine(previous: previous, current: current, width: width, runIndex: &runIndex, masked: true)
        } else {
            decodeRegularLine(previous: previous, current: current, width: width, runIndex: &runIndex, masked: false)
        }
    }

    /// The loop of `decodeLine`; `masked` (a constant where it is inlined) says NEAR is 0 and MAXVAL + 1 a power of two.
    @inline(__always)
    private mutating func decodeRegularLine(previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>, width: Int,
                                            runIndex: inout Int, masked: Bool) {
        let s = state
        let p = s.p
        let near: Int32 = masked ? 0 : p.near
        let limit = p.limit, qbpp = p.qbpp, maxValue = p.maxValue
        // A local copy of the reader stays in registers through the loop.
        var reader = self.reader
        defer { self.reader = reader }
        // Neighbours move along in registers: Rc takes Rb, Rb takes Rd, Ra takes the new sample.
        var ra = current[0], rc = previous[0], rb = previous[1]
        var x = 1
        while x <= width {
            let rd = previous[x &+ 1]
            let q = s.contextNumber(rd &- rb, rb &- rc, rc &- ra)
            if q == 0 {
                self.reader = reader
                x += decodeRun(previous: previous, current: current, x: x, width: width, runIndex: &runIndex)
                reader = self.reader
                if x <= width { ra = current[x &- 1]; rc = previous[x &- 1]; rb = previous[x] }
                continue
            }
            // The sign of the context is random in noisy images: folded without branches, as 0 or -1.
            let sign = q &>> 31
            let qi = Int((q ^ sign) &- sign)
            var px = JPEGLSState.predict(ra, rb, rc) &+ ((s.c(qi) ^ sign) &- sign)
            px = px < 0 ? 0 : (px > maxValue ? maxValue : px)
            let k = s.kRegular(qi)
            let m = reader.decodeValue(k: k, limit: limit, qbpp: qbpp)
            // Inverse error mapping (§A.5.2) without branches: even m to m/2, odd m to -(m+1)/2.
            // Error values are below 2^16 and step below 2^9: no Int32 overflow, so wrapping operators.
            var e = (m &>> 1) ^ (0 &- (m & 1))
            if k == 0 && near == 0 && s.swapsSign(qi) { e = -1 &- e }
            s.updateRegular(qi, e, near: near)
            let signed = (e ^ sign) &- sign
            let rx = masked ? (px &+ signed) & maxValue : s.fix(px &+ signed &* (2 &* near &+ 1))
            current[x] = rx
            ra = rx
            rc = rb
            rb = rd
            x &+= 1
        }
    }

    /// Decodes a run starting at pixel `x` and, unless it reaches the end of the line, its interruption sample.
    /// Returns the number of pixels decoded.
    @inline(__always)
    private mutating func decodeRun(previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>, x: Int, width: Int, runIndex: inout Int) -> Int {
        let ra = current[x - 1]
        let count = runLength(remaining: width - x + 1, runIndex: &runIndex)
        for i in x..<(x + count) { current[i] = ra }
        if x + count > width { return count }
        let rb = previous[x + count]
        let s = state
        let step = 2 * s.p.near + 1
        let ri = abs(ra - rb) <= s.p.near ? 1 : 0
        let e = decodeInterruptionError(ri: ri, runIndex: runIndex)
        // Hostile streams can give any error value: wrapping arithmetic, then `fix` clamps into 0…MAXVAL.
        if ri == 1 {
            current[x + count] = s.fix(ra &+ e &* step)
        } else {
            current[x + count] = s.fix(rb &+ (rb > ra ? e : 0 &- e) &* step)
        }
        runIndex = max(0, runIndex - 1)
        return count + 1
    }

    /// Reads a run length (T.87 §A.7.1.2, decoding): at most `remaining` pixels.
    @inline(__always)
    mutating func runLength(remaining: Int, runIndex: inout Int) -> Int {
        let j = state.j
        var count = 0
        while reader.readBit() {
            let rg = 1 << Int(j[runIndex])
            let c = min(rg, remaining - count)
            count += c
            if c == rg { runIndex = min(31, runIndex + 1) }
            if count == remaining { return count }
        }
        count += Int(reader.read(j[runIndex]))
        if count >= remaining {
            // An interrupted run must stop before the end of the line.
            reader.invalid = true
            return remaining - 1 < 0 ? 0 : remaining - 1
        }
        return count
    }

    /// Decodes the error value of a run-interruption sample in context `ri` (T.87 §A.7.2).
    @inline(__always)
    mutating func decodeInterruptionError(ri: Int, runIndex: Int) -> Int32 {
        let s = state
        let k = s.kInterruption(ri)
        let em = reader.decodeValue(k: k, limit: s.p.limit - s.j[runIndex] - 1, qbpp: s.p.qbpp)
        let temp = em &+ Int32(ri)
        let map = temp & 1 != 0
        let magnitude = (temp &+ (map ? 1 : 0)) &>> 1
        let e = ((k != 0 || 2 &* s.interruptionCounts(ri).nn >= s.interruptionCounts(ri).n) == map) ? 0 &- magnitude : magnitude
        s.updateInterruption(ri, e, em)
        return e
    }

    /// Decodes one line of `components` sample-interleaved components (ILV 2); `runIndex` is shared by them.
    mutating func decodeInterleavedLine(previous: UnsafeMutablePointer<Int32>, current: UnsafeMutablePointer<Int32>, width: Int,
                                        components nc: Int, runIndex: inout Int) {
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
                // Run mode over whole pixels: every component equals its left neighbour (within NEAR).
                let count = runLength(remaining: width - x + 1, runIndex: &runIndex)
                for i in x..<(x + count) {
                    for c in 0..<nc { current[i * nc + c] = current[(x - 1) * nc + c] }
                }
                x += count
                if x > width { break }
                for c in 0..<nc {
                    let ra = current[(x - 1) * nc + c], rb = previous[x * nc + c]
                    let e = decodeInterruptionError(ri: 0, runIndex: runIndex)
                    current[x * nc + c] = s.fix(rb &+ (rb >= ra ? e : 0 &- e) &* step)
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
                let k = s.kRegular(qi)
                let m = reader.decodeValue(k: k, limit: limit, qbpp: qbpp)
                var e = (m & 1) != 0 ? 0 &- ((m &+ 1) &>> 1) : m &>> 1
                if k == 0 && near == 0 && s.swapsSign(qi) { e = -1 &- e }
                s.updateRegular(qi, e)
                current[i] = s.fix(px &+ sign &* e &* step)
            }
            x += 1
        }
    }
}
