import CImagingKernels
import Synchronization

/// The grey table of a linear window as fixed-point arithmetic that vectorises: one pass over the stored values,
/// 16-bit lanes only (eight pixels per SSE2 or NEON instruction, sixteen with AVX2), no table, no value-range pass.
///
/// A LINEAR or LINEAR_EXACT window after a rescale (PS3.3 §C.11.1, §C.11.2.1.2) is a monotone step function of the
/// stored value: constant up to some `a`, constant from some `b`, a ramp in between. The kernel clamps the stored
/// value to `a...b` and computes `floor((u·M + K) / 2²⁴)` with `u = v − c0`, split into 16-bit halves
/// (`M = Mh·2¹⁶ + Ml`, `K = Kh·2¹⁶`): `(u·Mh + Kh + mulhi(u, Ml)) >> 8`.
///
/// `fit` derives `M`, `K` and `c0` from the exact table (``VOITransform/gray8(_:)`` of each stored value in the ramp)
/// and checks the kernel against every entry, so the output is the table's, bit for bit; when no constants fit
/// (rare; a VOI LUT, a sigmoid, a ramp over more than ``maxRamp`` values) the caller uses the table.
struct WindowKernel: Sendable, Equatable {
    /// Clamp bounds and origin in the "key" domain: the stored value as Int16, XOR 0x8000 for unsigned data so that
    /// signed 16-bit order is the stored-value order.
    var low: Int16
    var high: Int16
    var origin: Int16
    var mh: UInt16
    var ml: UInt16
    var kh: UInt16

    /// Ramps longer than this fall back to the table (the fit builds the ramp's table once per frame).
    static let maxRamp = 16384

    /// The grey level of key `key` (see ``low``).
    @inline(__always) func gray(key: Int16) -> UInt8 {
        let u = UInt16(bitPattern: min(max(key, low), high) &- origin)
        let hi = UInt16(truncatingIfNeeded: (UInt32(u) &* UInt32(ml)) &>> 16)
        return UInt8(truncatingIfNeeded: (u &* mh &+ kh &+ hi) &>> 8)
    }

    /// Fits the kernel to the monotone function `gray` over stored values `range` (at most 16 bits wide);
    /// `slope` is the ramp's slope in grey levels per stored unit, `isSigned` picks the key mapping. Nil when
    /// no constants reproduce `gray` exactly.
    static func fit(range: ClosedRange<Int>, isSigned: Bool, slope: Double, gray: (Int) -> UInt8) -> WindowKernel? {
        guard range.count <= 65536, slope.isFinite else { return nil }
        let lo = range.lowerBound, hi = range.upperBound
        let g0 = gray(lo), g1 = gray(hi)
        // a: the last value still at g0; b: the first value already at g1 (binary search on a monotone function).
        var a = lo, b = hi
        if g0 != g1 {
            var l = lo, h = hi  // gray(l) == g0, gray(h) != g0
            while h - l > 1 { let m = (l + h) / 2; if gray(m) == g0 { l = m } else { h = m } }
            a = l
            l = lo; h = hi  // gray(l) != g1, gray(h) == g1
            while h - l > 1 { let m = (l + h) / 2; if gray(m) == g1 { h = m } else { l = m } }
            b = h
        } else {
            b = a
        }
        guard b - a <= maxRamp else { return nil }
        let ramp = (a...b).map { Int64(gray($0)) }
        let one: Int64 = 1 << 24
        let m0 = (slope * Double(one)).rounded()
        guard abs(m0) < Double(Int64(1) << 30) else { return nil }
        let span = Int64(b - a)
        for delta in 0..<128 {
            let m = Int64(m0) + (delta % 2 == 0 ? Int64(delta / 2) : -Int64(delta / 2 + 1))
            // K must satisfy ramp[d]·2²⁴ ≤ d·M + K < (ramp[d] + 1)·2²⁴ for every d.
            var kLow = Int64.min, kHigh = Int64.max
            for (d, g) in ramp.enumerated() {
                let dm = Int64(d) * m
                kLow = max(kLow, g * one - dm)
                kHigh = min(kHigh, (g + 1) * one - 1 - dm)
            }
            guard kLow <= kHigh else { continue }
            // u = d + e with K = Kh·2¹⁶ − e·M, so that the low half of K is zero and the kernel needs no carry.
            for e in Int64(0)...min(65535 - span, 4095) {
                let r = kLow + e * m
                let khFull = r >= 0 ? (r + 65535) >> 16 : -((-r) >> 16)
                let k = (khFull << 16) - e * m
                guard k >= kLow, k <= kHigh else { continue }
                func key(_ v: Int) -> Int16 { isSigned ? Int16(truncatingIfNeeded: v) : Int16(bitPattern: UInt16(truncatingIfNeeded: v) ^ 0x8000) }
                let kernel = WindowKernel(low: key(a), high: key(b), origin: Int16(truncatingIfNeeded: Int(key(a)) - Int(e)),
                                          mh: UInt16(truncatingIfNeeded: m >> 16), ml: UInt16(truncatingIfNeeded: m),
                                          kh: UInt16(truncatingIfNeeded: khFull))
                // The arithmetic above says it fits; check every entry with the kernel itself anyway.
                var exact = kernel.gray(key: key(lo)) == g0 && kernel.gray(key: key(hi)) == g1
                var v = a
                while exact && v <= b { exact = kernel.gray(key: key(v)) == UInt8(ramp[v - a]); v += 1 }
                if exact { return kernel }
            }
        }
        return nil
    }

    /// Whether ``apply(_:_:count:bitsStored:isSigned:simd:)`` may use the AVX2 loop: asked once per process.
    static let hasAVX2 = mi_window_avx2_available() != 0

    /// Windows `n` 16-bit little-endian stored values (`bitsStored` ≤ 16, masked or sign-extended) into `out`:
    /// with the AVX2 loop (16 values per instruction) where the CPU has it and `simd` allows, else with the portable
    /// loop below (eight per SSE2 or NEON instruction). Both compute ``gray(key:)`` exactly.
    func apply(_ words: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<UInt8>, count n: Int, bitsStored: Int, isSigned: Bool,
               simd: Bool = true) {
        if simd && Self.hasAVX2 {
            var constants = MIWindowKernel(low: low, high: high, origin: origin, mh: mh, ml: ml, kh: kh)
            let kind = isSigned ? (bitsStored == 16 ? MIWindowKeySigned16 : MIWindowKeySignedNarrow) : MIWindowKeyUnsigned
            if mi_window_apply_avx2(&constants, kind, Int32(bitsStored), words, out, n) != 0 { return }
        }
        // One loop per input kind, each simple enough for the auto-vectoriser.
        if isSigned {
            if bitsStored == 16 {
                for i in 0..<n { out[i] = gray(key: Int16(bitPattern: UInt16(littleEndian: words[i]))) }
            } else {
                let shift = Int16(16 - bitsStored)
                for i in 0..<n { out[i] = gray(key: (Int16(bitPattern: UInt16(littleEndian: words[i])) &<< shift) &>> shift) }
            }
        } else {
            let mask = UInt16(truncatingIfNeeded: (1 << bitsStored) - 1)
            for i in 0..<n { out[i] = gray(key: Int16(bitPattern: (UInt16(littleEndian: words[i]) & mask) ^ 0x8000)) }
        }
    }
}

/// Kernels already fitted, by what determines them, so that rendering frame after frame with one window fits once:
/// the fit costs about a fifth of windowing a 512×512 frame. Bounded: cleared when it reaches ``limit`` entries.
final class WindowKernelCache: Sendable {
    struct Key: Hashable, Sendable {
        var slope: Double
        var intercept: Double
        var window: Window
        var inverts: Bool
        var bitsStored: Int
        var isSigned: Bool
    }

    static let shared = WindowKernelCache()
    static let limit = 64
    private let entries = Mutex<[Key: WindowKernel?]>([:])

    /// The kernel for `key`, fitting it with `fit` (outside the lock) the first time; a failed fit is remembered too.
    func kernel(_ key: Key, fit: () -> WindowKernel?) -> WindowKernel? {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let kernel = fit()
        entries.withLock { table in
            if table.count >= Self.limit { table.removeAll(keepingCapacity: true) }
            table[key] = kernel
        }
        return kernel
    }
}
