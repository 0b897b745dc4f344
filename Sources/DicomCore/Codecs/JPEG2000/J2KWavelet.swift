/// Discrete wavelet transforms of ISO/IEC 15444-1 Annex F: the reversible 5/3 and irreversible 9/7 filters by
/// lifting, with whole-sample symmetric extension (§F.3.7), inverse (decoding) and forward 5/3 (encoding).
///
/// Lines are given in deinterleaved order (low-pass samples first, then high-pass); `parity` is the parity of the
/// first sample's coordinate, which decides whether it is a low- or high-pass sample.
enum J2KWavelet {
    static let alpha: Float = -1.586134342059924, beta: Float = -0.052980118572961
    static let gamma: Float = 0.882911075530934, delta: Float = 0.443506852043971
    static let k: Float = 1.230174104914001

    @inline(__always) static func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        let period = 2 * (n - 1)
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - j
    }

    /// Inverse 5/3 of the `n` contiguous samples at `line` (low-pass then high-pass), using `scratch` (n values).
    ///
    /// Both lifting steps run on the deinterleaved halves, low-pass results to the front of `scratch` and high-pass
    /// results after them, each as a loop over contiguous samples with the ends (where the symmetric extension of
    /// §F.3.7 clamps the neighbour's index) taken out, so the loops vectorise; then one loop interleaves them back
    /// into `line`. Wrapping arithmetic: hostile coefficients must not trap.
    static func inverse53(_ line: UnsafeMutablePointer<Int32>, n: Int, parity: Int, scratch x: UnsafeMutablePointer<Int32>) {
        if n == 1 { if parity == 1 { line[0] /= 2 }; return }
        let lowCount = parity == 0 ? (n + 1) / 2 : n / 2
        let low = line, high = line + lowCount, highCount = n - lowCount
        let l = x, h = x + lowCount
        @inline(__always) func predict(_ centre: Int32, _ left: Int32, _ right: Int32) -> Int32 {
            centre &- ((left &+ right &+ 2) &>> 2)
        }
        @inline(__always) func update(_ centre: Int32, _ left: Int32, _ right: Int32) -> Int32 {
            centre &+ ((left &+ right) &>> 1)
        }
        if parity == 0 {
            // Low-pass samples at even k = 2i (neighbours high[i - 1], high[i]), high-pass at 2i + 1 (l[i], l[i + 1]).
            l[0] = predict(low[0], high[0], high[0])
            var i = 1
            while i < highCount { l[i] = predict(low[i], high[i &- 1], high[i]); i &+= 1 }
            if lowCount > highCount { l[highCount] = predict(low[highCount], high[highCount &- 1], high[highCount &- 1]) }
            let inner = min(highCount, lowCount &- 1)
            i = 0
            while i < inner { h[i] = update(high[i], l[i], l[i &+ 1]); i &+= 1 }
            if highCount == lowCount { h[inner] = update(high[inner], l[inner], l[inner]) }
            i = 0
            while i < highCount { line[2 &* i] = l[i]; line[2 &* i &+ 1] = h[i]; i &+= 1 }
            if lowCount > highCount { line[n &- 1] = l[lowCount &- 1] }
        } else {
            // High-pass samples at even k = 2i (neighbours l[i - 1], l[i]), low-pass at 2i + 1 (high[i], high[i + 1]).
            let inner = min(lowCount, highCount &- 1)
            var i = 0
            while i < inner { l[i] = predict(low[i], high[i], high[i &+ 1]); i &+= 1 }
            if lowCount == highCount { l[inner] = predict(low[inner], high[inner], high[inner]) }
            h[0] = update(high[0], l[0], l[0])
            i = 1
            while i < lowCount { h[i] = update(high[i], l[i &- 1], l[i]); i &+= 1 }
            if highCount > lowCount { h[lowCount] = update(high[lowCount], l[lowCount &- 1], l[lowCount &- 1]) }
            i = 0
            while i < lowCount { line[2 &* i] = h[i]; line[2 &* i &+ 1] = l[i]; i &+= 1 }
            if highCount > lowCount { line[n &- 1] = h[highCount &- 1] }
        }
    }

    /// Columns handled together by `inverse53Columns`: 16 samples of 32 bits, one 64-byte cache line.
    static let stripWidth = 16

    /// Inverse 5/3 of `columns` (at most `stripWidth`) neighbouring columns of `n` samples at `top` (row stride
    /// `stride`), the same arithmetic as `inverse53` with each step done on a row of the strip at once: the lifting
    /// steps read the low- and high-pass rows in place and write the interleaved rows to `scratch` (n *
    /// `stripWidth` values), which one copy a row puts back.
    static func inverse53Columns(_ top: UnsafeMutablePointer<Int32>, n: Int, columns: Int, stride: Int, parity: Int,
                                 scratch x: UnsafeMutablePointer<Int32>) {
        let sw = stripWidth
        if n == 1 {
            if parity == 1 { for j in 0..<columns { top[j] /= 2 } }
            return
        }
        let lowCount = parity == 0 ? (n + 1) / 2 : n / 2, highCount = n - lowCount
        let high = top + lowCount * stride
        // One lifting step on a row of the strip: out = centre ± f(left + right).
        @inline(__always) func predict(_ out: UnsafeMutablePointer<Int32>, _ centre: UnsafeMutablePointer<Int32>,
                                       _ left: UnsafeMutablePointer<Int32>, _ right: UnsafeMutablePointer<Int32>) {
            for j in 0..<columns { out[j] = centre[j] &- ((left[j] &+ right[j] &+ 2) &>> 2) }
        }
        @inline(__always) func update(_ out: UnsafeMutablePointer<Int32>, _ centre: UnsafeMutablePointer<Int32>,
                                      _ left: UnsafeMutablePointer<Int32>, _ right: UnsafeMutablePointer<Int32>) {
            for j in 0..<columns { out[j] = centre[j] &+ ((left[j] &+ right[j]) &>> 1) }
        }
        if parity == 0 {
            // Low-pass rows at even k = 2i, high-pass at 2i + 1.
            for i in 0..<lowCount {
                predict(x + 2 &* i &* sw, top + i &* stride, high + (i > 0 ? i &- 1 : 0) &* stride,
                        high + (i < highCount ? i : highCount &- 1) &* stride)
            }
            for i in 0..<highCount {
                let left = x + 2 &* i &* sw, right = 2 &* i &+ 2 < n ? left + 2 &* sw : left
                update(left + sw, high + i &* stride, left, right)
            }
        } else {
            // High-pass rows at even k = 2i, low-pass at 2i + 1.
            for i in 0..<lowCount {
                let left = high + i &* stride, right = 2 &* i &+ 2 < n ? left + stride : left
                predict(x + (2 &* i &+ 1) &* sw, top + i &* stride, left, right)
            }
            for i in 0..<highCount {
                let left = i > 0 ? x + (2 &* i &- 1) &* sw : x + sw
                let right = 2 &* i &+ 1 < n ? x + (2 &* i &+ 1) &* sw : left
                update(x + 2 &* i &* sw, high + i &* stride, left, right)
            }
        }
        for k in 0..<n { (top + k &* stride).update(from: x + k &* sw, count: columns) }
    }

    /// Inverse 9/7 of `n` samples at `line` (stride `step`), using `scratch` (n + 8 values).
    static func inverse97(_ line: UnsafeMutablePointer<Float>, n: Int, step: Int, parity: Int, scratch x: UnsafeMutablePointer<Float>) {
        if n == 1 { if parity == 1 { line[0] /= 2 }; return }
        let lowCount = parity == 0 ? (n + 1) / 2 : n / 2
        for k in 0..<n {
            let isLow = (k + parity) & 1 == 0
            let src = isLow ? (k + parity) / 2 - parity : lowCount + (k - (1 - parity)) / 2
            x[k + 4] = line[src * step]
        }
        for j in 1...4 { x[4 - j] = x[4 + reflect(-j, n)]; x[n + 3 + j] = x[4 + reflect(n - 1 + j, n)] }
        let evenStart = parity == 0 ? 0 : 1  // ext index parity of even coordinates: (t + parity) even
        var t = evenStart
        while t < n + 8 { x[t] *= k; t += 2 }
        t = 1 - evenStart
        // OpenJPEG (and the JasPer-era tables it took them from) scale high-pass samples by 1.625732422 / 2 rather
        // than 1/K = 0.8128931; on 16-bit images that moves samples by up to 2. We follow the deployed decoders.
        let invK: Float = 0.812866211
        while t < n + 8 { x[t] *= invK; t += 2 }
        func lift(_ first: Int, _ last: Int, _ c: Float) {
            var t = first
            while t <= last { x[t] -= c * (x[t - 1] + x[t + 1]); t += 2 }
        }
        // Even positions in [1, n+6], odd in [2, n+5], even in [3, n+4], odd in [4, n+3].
        func firstOf(_ lo: Int, even: Bool) -> Int { ((lo + parity) & 1 == 0) == even ? lo : lo + 1 }
        lift(firstOf(1, even: true), n + 6, delta)
        lift(firstOf(2, even: false), n + 5, gamma)
        lift(firstOf(3, even: true), n + 4, beta)
        lift(firstOf(4, even: false), n + 3, alpha)
        for k in 0..<n { line[k * step] = x[k + 4] }
    }

    /// Forward 5/3 of `n` samples (stride `step`), writing low-pass then high-pass samples in place.
    static func forward53(_ line: UnsafeMutablePointer<Int32>, n: Int, step: Int, parity: Int, scratch x: UnsafeMutablePointer<Int32>) {
        if n == 1 { if parity == 1 { line[0] *= 2 }; return }
        for k in 0..<n { x[k + 2] = line[k * step] }
        for j in 1...2 { x[2 - j] = x[2 + reflect(-j, n)]; x[n + 1 + j] = x[2 + reflect(n - 1 + j, n)] }
        // Odd coordinates first (predict), then even (update), over the extended range.
        var t = ((1 + parity) & 1) == 1 ? 1 : 2
        while t <= n + 2 { x[t] -= (x[t - 1] + x[t + 1]) >> 1; t += 2 }
        t = ((2 + parity) & 1) == 0 ? 2 : 3
        while t < n + 2 { x[t] += (x[t - 1] + x[t + 1] + 2) >> 2; t += 2 }
        let lowCount = parity == 0 ? (n + 1) / 2 : n / 2
        var lo = 0, hi = lowCount
        for k in 0..<n {
            if (k + parity) & 1 == 0 { line[lo * step] = x[k + 2]; lo += 1 } else { line[hi * step] = x[k + 2]; hi += 1 }
        }
    }
}
