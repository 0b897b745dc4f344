/// J, the run-length order table (T.87 §A.7.1.2).
let jpeglsJ: [Int32] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15]

/// The adaptive state of one scan (T.87 §A.2): 365 regular contexts, two run-interruption contexts, the
/// quantisation table and J. Memory is allocated once per scan and freed by `deallocate()`.
struct JPEGLSState {
    let p: JPEGLSParameters
    /// A, B, C, N, k of context q at 8q…8q+4 (one cache line holds two contexts); the run-interruption contexts are
    /// 365 and 366, with their Nn in the C slot. k, the Golomb parameter of a regular context (T.87 §A.5.1), is kept
    /// up to date by `updateRegular`: computed there, it is off the chain of dependent steps that runs from one
    /// sample's reconstructed value through the next sample's context to its Golomb code.
    let context: UnsafeMutablePointer<Int32>
    /// Q(d) of T.87 §A.3.3 for d = −MAXVAL…MAXVAL, indexed by d.
    let quant: UnsafeMutablePointer<Int8>
    let j: UnsafeMutablePointer<Int32>

    init(_ p: JPEGLSParameters) {
        self.p = p
        context = .allocate(capacity: 8 * 367)
        let size = Int(2 * p.maxValue + 1)
        let base = UnsafeMutablePointer<Int8>.allocate(capacity: size)
        // Q is odd in d and constant between thresholds: fill the ranges of the non-negative half, mirrored.
        let m = Int(p.maxValue)
        let bounds = [0, Int(p.near) + 1, Int(p.t1), Int(p.t2), Int(p.t3), m + 1]
        for q in 0..<5 where bounds[q] < bounds[q + 1] {
            let low = max(0, bounds[q]), high = min(m + 1, bounds[q + 1])
            guard low < high else { continue }
            // d in low..<high: one stretch on each side of 0 (65 536 entries each for 16 bits, filled per scan).
            (base + m + low).update(repeating: Int8(q), count: high - low)
            (base + m - (high - 1)).update(repeating: Int8(-q), count: high - low)
        }
        quant = base + m
        j = .allocate(capacity: 32)
        for i in 0..<32 { j[i] = jpeglsJ[i] }
        resetContexts()
    }

    /// Puts every context back to its initial value (T.87 §A.2.1), as at the start of a scan or after a restart marker.
    func resetContexts() {
        let a0 = max(2, (p.range + 32) / 64)
        let k0 = Self.golombParameter(a: a0, n: 1)
        for i in 0..<367 {
            let base = context + 8 * i
            base[0] = a0; base[1] = 0; base[2] = 0; base[3] = 1; base[4] = k0; base[5] = 0; base[6] = 0; base[7] = 0
        }
    }

    func deallocate() {
        context.deallocate()
        (quant - Int(p.maxValue)).deallocate()
        j.deallocate()
    }

    /// The context number 81·Q1 + 9·Q2 + Q3 of the gradients (T.87 §A.3.4), before the sign is folded.
    @inline(__always) func contextNumber(_ d1: Int32, _ d2: Int32, _ d3: Int32) -> Int32 {
        Int32(quant[Int(d1)]) &* 81 &+ Int32(quant[Int(d2)]) &* 9 &+ Int32(quant[Int(d3)])
    }

    /// C[q], the bias correction.
    @inline(__always) func c(_ q: Int) -> Int32 { context[q &<< 3 | 2] }

    /// Whether the mapping of T.87 §A.5.2 swaps signs: NEAR is 0, k is 0 and 2·B[q] ≤ −N[q].
    @inline(__always) func swapsSign(_ q: Int) -> Bool {
        2 &* context[q &<< 3 | 1] <= 0 &- context[q &<< 3 | 3]
    }

    /// The MED predictor (T.87 §A.4.1).
    @inline(__always) static func predict(_ ra: Int32, _ rb: Int32, _ rc: Int32) -> Int32 {
        // Selects rather than early returns: which case applies is data-dependent, so branches would mispredict.
        let high = max(ra, rb), low = min(ra, rb)
        // Masks rather than comparisons, which the compiler may turn into branches: -1 when Rc ≥ max(Ra, Rb), and
        // when Rc ≤ min(Ra, Rb). Samples have at most 16 bits: the differences cannot overflow.
        let aboveHigh = (high &- rc &- 1) &>> 31, belowLow = (rc &- low &- 1) &>> 31
        let gradient = ra &+ rb &- rc
        return (low & aboveHigh) | (high & belowLow & ~aboveHigh) | (gradient & ~(aboveHigh | belowLow))
    }

    /// Golomb parameter k of a regular context (T.87 §A.5.1).
    @inline(__always) func kRegular(_ q: Int) -> Int32 { context[q &<< 3 | 4] }

    /// The least k with N·2^k ≥ A (T.87 §A.5.1).
    @inline(__always) static func golombParameter(a aq: Int32, n nq: Int32) -> Int32 {
        // Align the top bits, then at most one step more.
        var k = Int32(truncatingIfNeeded: nq.leadingZeroBitCount &- aq.leadingZeroBitCount)
        if k < 0 { k = 0 }
        k &+= (nq &<< k) < aq ? 1 : 0
        return k
    }

    /// Updates A, B, C, N of regular context `q` with error value `e` (T.87 §A.6).
    @inline(__always) func updateRegular(_ q: Int, _ e: Int32) {
        updateRegular(q, e, near: p.near)
    }

    /// `updateRegular(_:_:)` with NEAR given, so that a caller that knows it is 0 lets the compiler fold it.
    @inline(__always) func updateRegular(_ q: Int, _ e: Int32, near: Int32) {
        // Values stay far inside Int32 (A ≤ RESET·RANGE), so wrapping operators skip overflow checks.
        let base = context + (q &<< 3)
        let sign = e &>> 31
        var aq = base[0] &+ ((e ^ sign) &- sign)
        var bq = base[1] &+ e &* (2 &* near &+ 1)
        var nq = base[3]
        if nq == p.reset { aq &>>= 1; bq &>>= 1; nq &>>= 1 }
        nq &+= 1
        base[0] = aq
        base[3] = nq
        // k moves little from one update to the next (and not at all in smooth regions): stepped from its last
        // value, it costs a compare or two instead of two leading-zero counts. In 64 bits, as N·2^k may pass 2^31
        // with a large custom RESET; A < 2^31, so k stops by 31 and both loops end.
        var k = base[4]
        let a64 = Int64(aq), n64 = Int64(nq)
        if (n64 &<< Int64(k)) < a64 {
            repeat { k &+= 1 } while k < 31 && (n64 &<< Int64(k)) < a64
        } else {
            while k > 0 && (n64 &<< Int64(k &- 1)) >= a64 { k &-= 1 }
        }
        base[4] = k
        if bq &+ nq <= 0 {
            bq &+= nq
            if bq <= 0 &- nq { bq = 1 &- nq }
            if base[2] > -128 { base[2] &-= 1 }
        } else if bq > 0 {
            bq &-= nq
            if bq > 0 { bq = 0 }
            if base[2] < 127 { base[2] &+= 1 }
        }
        base[1] = bq
    }

    /// Nn and N of run-interruption context `ri`.
    @inline(__always) func interruptionCounts(_ ri: Int) -> (nn: Int32, n: Int32) {
        (context[8 * (365 + ri) + 2], context[8 * (365 + ri) + 3])
    }

    /// Golomb parameter k of run-interruption context `ri` (T.87 §A.7.2.1).
    @inline(__always) func kInterruption(_ ri: Int) -> Int32 {
        let base = context + 8 * (365 + ri)
        let temp = base[0] &+ (base[3] &>> 1) &* Int32(ri)
        var k: Int32 = 0
        // At most 31: on a hostile stream A can grow until no shift of N reaches it, and shifts wrap past 31.
        while k < 31 && (base[3] &<< k) < temp { k &+= 1 }
        return k
    }

    /// Updates run-interruption context `ri` (T.87 §A.7.2.2).
    @inline(__always) func updateInterruption(_ ri: Int, _ e: Int32, _ em: Int32) {
        let base = context + 8 * (365 + ri)
        if e < 0 { base[2] &+= 1 }
        base[0] &+= (em &+ 1 &- Int32(ri)) &>> 1
        if base[3] == p.reset { base[0] >>= 1; base[3] >>= 1; base[2] >>= 1 }
        base[3] += 1
    }

    /// Brings a reconstructed value back into 0…MAXVAL through the modulo of RANGE·(2·NEAR+1) (T.87 §A.4.5).
    @inline(__always) func fix(_ v: Int32) -> Int32 {
        var x = v
        if x < 0 &- p.near { x &+= p.range &* (2 &* p.near &+ 1) } else if x > p.maxValue &+ p.near { x &-= p.range &* (2 &* p.near &+ 1) }
        return x < 0 ? 0 : (x > p.maxValue ? p.maxValue : x)
    }
}
