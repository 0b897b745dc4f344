/// The coding parameters of one JPEG-LS scan (ITU-T T.87 §C.2.4.1.1, Annex A.2): MAXVAL, NEAR, the gradient
/// thresholds T1–T3 and RESET, with the quantities derived from them.
struct JPEGLSParameters: Sendable, Equatable {
    /// The custom values of an LSE marker segment of type 1; 0 means "use the default".
    struct Preset: Sendable, Equatable {
        var maxValue = 0, t1 = 0, t2 = 0, t3 = 0, reset = 0
    }

    let maxValue: Int32
    let near: Int32
    let t1: Int32, t2: Int32, t3: Int32
    let reset: Int32
    /// RANGE: the number of quantised error values.
    let range: Int32
    /// qbpp: bits of a quantised error value.
    let qbpp: Int32
    /// LIMIT: the longest Golomb code word.
    let limit: Int32

    /// Default thresholds (T.87 §C.2.4.1.1.1) for MAXVAL and NEAR.
    static func defaultThresholds(maxValue: Int, near: Int) -> (t1: Int, t2: Int, t3: Int) {
        func clamp(_ i: Int, _ j: Int) -> Int { (i > maxValue || i < j) ? j : i }
        if maxValue >= 128 {
            let factor = (min(maxValue, 4095) + 128) / 256
            let t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1)
            let t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1)
            let t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2)
            return (t1, t2, t3)
        }
        let factor = 256 / (maxValue + 1)
        let t1 = clamp(max(2, 3 / factor + 3 * near), near + 1)
        let t2 = clamp(max(3, 7 / factor + 5 * near), t1)
        let t3 = clamp(max(4, 21 / factor + 7 * near), t2)
        return (t1, t2, t3)
    }

    /// Resolves `preset` against the defaults for `bitsPerSample` and `near`, checking every value's range.
    /// Throws `.invalidPixelData` at `offset` for values T.87 forbids (T1 > T2, MAXVAL beyond P bits, and so on).
    init(bitsPerSample: Int, near: Int, preset: Preset = Preset(), offset: Int? = nil) throws(DicomError) {
        guard (2...16).contains(bitsPerSample) else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG-LS sample precision \(bitsPerSample) is outside 2–16")
        }
        let maxSample = (1 << bitsPerSample) - 1
        let maxValue = preset.maxValue == 0 ? maxSample : preset.maxValue
        guard maxValue >= 1, maxValue <= maxSample else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG-LS MAXVAL \(maxValue) is outside 1–\(maxSample)")
        }
        guard near >= 0, near <= min(255, maxValue / 2) else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG-LS NEAR \(near) is outside 0–\(min(255, maxValue / 2))")
        }
        let d = Self.defaultThresholds(maxValue: maxValue, near: near)
        let t1 = preset.t1 == 0 ? d.t1 : preset.t1
        let t2 = preset.t2 == 0 ? d.t2 : preset.t2
        let t3 = preset.t3 == 0 ? d.t3 : preset.t3
        let reset = preset.reset == 0 ? 64 : preset.reset
        guard t1 >= near + 1, t1 <= maxValue, t2 >= t1, t2 <= maxValue, t3 >= t2, t3 <= maxValue else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG-LS thresholds T1 \(t1), T2 \(t2), T3 \(t3) are not ordered within NEAR+1…MAXVAL")
        }
        guard reset >= 3, reset <= max(255, maxValue) else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG-LS RESET \(reset) is outside 3–\(max(255, maxValue))")
        }
        self.maxValue = Int32(maxValue)
        self.near = Int32(near)
        self.t1 = Int32(t1)
        self.t2 = Int32(t2)
        self.t3 = Int32(t3)
        self.reset = Int32(reset)
        let range = (maxValue + 2 * near) / (2 * near + 1) + 1
        self.range = Int32(range)
        var qbpp = 0
        while (1 << qbpp) < range { qbpp += 1 }
        self.qbpp = Int32(qbpp)
        var bpp = 0
        while (1 << bpp) < maxValue + 1 { bpp += 1 }
        bpp = max(2, bpp)
        self.limit = Int32(2 * (bpp + max(8, bpp)))
    }

    /// The gradient quantisation Q(d) of T.87 §A.3.3, for d in −MAXVAL…MAXVAL.
    func quantize(_ d: Int32) -> Int32 {
        if d <= -t3 { return -4 }
        if d <= -t2 { return -3 }
        if d <= -t1 { return -2 }
        if d < -near { return -1 }
        if d <= near { return 0 }
        if d < t1 { return 1 }
        if d < t2 { return 2 }
        if d < t3 { return 3 }
        return 4
    }
}

/// J, the run-length order table (T.87 §A.7.1.2).
let jpeglsJ: [Int32] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15]

/// The adaptive state of one scan (T.87 §A.2): 365 regular contexts, two run-interruption contexts, the
/// quantisation table and J. Memory is allocated once per scan and freed by `deallocate()`.
struct JPEGLSState {
    let p: JPEGLSParameters
    /// A, B, C, N for the 365 regular contexts, then A and N of the two run-interruption contexts at 365 and 366.
    let a: UnsafeMutablePointer<Int32>
    let b: UnsafeMutablePointer<Int32>
    let c: UnsafeMutablePointer<Int32>
    let n: UnsafeMutablePointer<Int32>
    /// Nn of the run-interruption contexts (index 0 and 1 for RItype 0 and 1).
    let nn: UnsafeMutablePointer<Int32>
    /// Q(d) for d = −MAXVAL…MAXVAL, indexed from `quantBase`: pre-multiplied by 81, 9 and 1.
    let q81: UnsafeMutablePointer<Int32>
    let q9: UnsafeMutablePointer<Int32>
    let q1: UnsafeMutablePointer<Int32>
    let j: UnsafeMutablePointer<Int32>

    init(_ p: JPEGLSParameters) {
        self.p = p
        a = .allocate(capacity: 367)
        b = .allocate(capacity: 367)
        c = .allocate(capacity: 367)
        n = .allocate(capacity: 367)
        nn = .allocate(capacity: 2)
        let size = Int(2 * p.maxValue + 1)
        let base = UnsafeMutablePointer<Int32>.allocate(capacity: 3 * size)
        for i in 0..<size {
            let q = p.quantize(Int32(i) - p.maxValue)
            base[i] = q * 81
            base[size + i] = q * 9
            base[2 * size + i] = q
        }
        q81 = base + Int(p.maxValue)
        q9 = base + size + Int(p.maxValue)
        q1 = base + 2 * size + Int(p.maxValue)
        j = .allocate(capacity: 32)
        for i in 0..<32 { j[i] = jpeglsJ[i] }
        resetContexts()
    }

    /// Puts every context back to its initial value (T.87 §A.2.1), as at the start of a scan or after a restart marker.
    func resetContexts() {
        let a0 = max(2, (p.range + 32) / 64)
        for i in 0..<367 { a[i] = a0; b[i] = 0; c[i] = 0; n[i] = 1 }
        nn[0] = 0
        nn[1] = 0
    }

    func deallocate() {
        a.deallocate(); b.deallocate(); c.deallocate(); n.deallocate(); nn.deallocate()
        (q81 - Int(p.maxValue)).deallocate()
        j.deallocate()
    }

    /// The MED predictor (T.87 §A.4.1).
    @inline(__always) static func predict(_ ra: Int32, _ rb: Int32, _ rc: Int32) -> Int32 {
        if rc >= max(ra, rb) { return min(ra, rb) }
        if rc <= min(ra, rb) { return max(ra, rb) }
        return ra &+ rb &- rc
    }

    /// Golomb parameter k of a regular context (T.87 §A.5.1).
    @inline(__always) func kRegular(_ q: Int) -> Int32 {
        let nq = n[q], aq = a[q]
        var k: Int32 = 0
        while (nq &<< k) < aq { k &+= 1 }
        return k
    }

    /// Updates A, B, C, N of regular context `q` with error value `e` (T.87 §A.6).
    @inline(__always) func updateRegular(_ q: Int, _ e: Int32) {
        // Values stay far inside Int32 (A ≤ RESET·RANGE), so wrapping operators skip overflow checks.
        var aq = a[q] &+ (e < 0 ? 0 &- e : e)
        var bq = b[q] &+ e &* (2 &* p.near &+ 1)
        var nq = n[q]
        if nq == p.reset { aq &>>= 1; bq &>>= 1; nq &>>= 1 }
        nq &+= 1
        a[q] = aq
        n[q] = nq
        if bq &+ nq <= 0 {
            bq &+= nq
            if bq <= 0 &- nq { bq = 1 &- nq }
            if c[q] > -128 { c[q] &-= 1 }
        } else if bq > 0 {
            bq &-= nq
            if bq > 0 { bq = 0 }
            if c[q] < 127 { c[q] &+= 1 }
        }
        b[q] = bq
    }

    /// Golomb parameter k of run-interruption context `ri` (T.87 §A.7.2.1).
    @inline(__always) func kInterruption(_ ri: Int) -> Int32 {
        let q = 365 + ri
        let temp = a[q] &+ (n[q] &>> 1) &* Int32(ri)
        var k: Int32 = 0
        while (n[q] &<< k) < temp { k &+= 1 }
        return k
    }

    /// Updates run-interruption context `ri` (T.87 §A.7.2.2).
    @inline(__always) func updateInterruption(_ ri: Int, _ e: Int32, _ em: Int32) {
        let q = 365 + ri
        if e < 0 { nn[ri] += 1 }
        a[q] += (em + 1 - Int32(ri)) >> 1
        if n[q] == p.reset { a[q] >>= 1; n[q] >>= 1; nn[ri] >>= 1 }
        n[q] += 1
    }

    /// Brings a reconstructed value back into 0…MAXVAL through the modulo of RANGE·(2·NEAR+1) (T.87 §A.4.5).
    @inline(__always) func fix(_ v: Int32) -> Int32 {
        var x = v
        if x < 0 &- p.near { x &+= p.range &* (2 &* p.near &+ 1) } else if x > p.maxValue &+ p.near { x &-= p.range &* (2 &* p.near &+ 1) }
        return x < 0 ? 0 : (x > p.maxValue ? p.maxValue : x)
    }
}
