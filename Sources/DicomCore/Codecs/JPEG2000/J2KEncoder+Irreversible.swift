import Foundation

/// Irreversible JPEG 2000 encoding to a target size (ISO/IEC 15444-1 Annexes E and F): DC level shift, the ICT for
/// three components, the forward 9/7 wavelet in floating point, then scalar quantization with one base step Δ0 shared
/// out to the bands by the energy of their synthesis filters (Δ_b = Δ0 / ‖synthesis_b‖, so that each band's
/// quantization error weighs the same in the decoded image), and the same tier-1 / tier-2 coding as the lossless path.
///
/// The rate is met by searching Δ0: the finest step whose codestream fits `targetBytes` (within 2%). Each try codes
/// every block again (about six tries a frame); the wavelet runs once.
extension J2KEncoder {
    /// Encodes `planes` (as `encode(planes:…)` takes them) irreversibly into at most `targetBytes` bytes where any
    /// step allows it (else with the coarsest step tried); returns the codestream, what the block coders did and the
    /// base step used.
    static func encodeIrreversible(planes: [[Int32]], width: Int, height: Int, precision: Int, isSigned: Bool,
                                   colourTransform: Bool, targetBytes: Int, options: J2KEncoderOptions = J2KEncoderOptions())
        throws(DicomError) -> (bytes: [UInt8], statistics: J2KEncoderStatistics, baseStep: Float) {
        guard !options.highThroughput else {
            throw DicomError(.unsupportedTransferSyntax, "HTJ2K is encoded losslessly only")
        }
        let (levels, _, _) = try layout(width: width, height: height, options: options)
        let ict = planes.count == 3 && colourTransform
        let coefficients = forwardTransform(planes, width: width, height: height, precision: precision, isSigned: isSigned,
                                            ict: ict, levels: levels)
        let norms = bandNorms(levels: levels)
        let gains = J2KBandQuantization.gains(levels: levels)
        /// The codestream with base step 2^x.
        func attempt(_ x: Double) throws(DicomError) -> (bytes: [UInt8], statistics: J2KEncoderStatistics) {
            let (quantized, q) = try quantize(coefficients, width: width, height: height, levels: levels,
                                              baseStep: pow(2, x), norms: norms, ranges: gains.map { precision + $0 })
            return try codestream(quantized, width: width, height: height, precision: precision, isSigned: isSigned,
                                  componentTransform: ict, reversible: false, quantization: q, options: options)
        }
        // log2 Δ0 from a quarter (finer than any sample needs) to where all but the lowest band quantize to zero.
        var fine = -2.0, coarse = Double(precision + 2)
        var best = try attempt(fine)
        if best.bytes.count <= targetBytes { return (best.bytes, best.statistics, Float(pow(2, fine))) }
        var fineExcess = log(Double(best.bytes.count) / Double(targetBytes))
        best = try attempt(coarse)
        if best.bytes.count > targetBytes { return (best.bytes, best.statistics, Float(pow(2, coarse))) }
        var bestX = coarse, coarseExcess = log(Double(best.bytes.count) / Double(targetBytes))
        // The log of the size falls about linearly with log2 Δ0: false position (Illinois), kept in the bracket, until
        // within 2% under the target.
        var keptSide = 0
        for _ in 0..<16 where coarse - fine > 1.0 / 64 {
            var x = coarse - coarseExcess * (coarse - fine) / (coarseExcess - fineExcess)
            if !(x > fine && x < coarse) { x = (fine + coarse) / 2 }
            let result = try attempt(x)
            let excess = log(Double(result.bytes.count) / Double(targetBytes))
            if result.bytes.count <= targetBytes {
                coarse = x; coarseExcess = excess; best = result; bestX = x
                if result.bytes.count * 50 >= targetBytes * 49 { break }
                if keptSide == 1 { fineExcess /= 2 }
                keptSide = 1
            } else {
                fine = x; fineExcess = excess
                if keptSide == -1 { coarseExcess /= 2 }
                keptSide = -1
            }
        }
        return (best.bytes, best.statistics, Float(pow(2, bestX)))
    }

    /// DC level shift, ICT (three components) and the forward 9/7 wavelet over `levels` levels, each band where the
    /// decoder looks for it.
    static func forwardTransform(_ planes: [[Int32]], width: Int, height: Int, precision: Int, isSigned: Bool, ict: Bool,
                                 levels: Int) -> [[Float]] {
        let shift: Float = isSigned ? 0 : Float(1 << (precision - 1))
        var c = planes.map { plane in plane.map { Float($0) - shift } }
        if ict {
            for i in 0..<(width * height) {
                let r = c[0][i], g = c[1][i], b = c[2][i]
                c[0][i] = 0.299 * r + 0.587 * g + 0.114 * b
                c[1][i] = -0.168736 * r - 0.331264 * g + 0.5 * b
                c[2][i] = 0.5 * r - 0.418688 * g - 0.081312 * b
            }
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(width, height) + 8)
        defer { scratch.deallocate() }
        for k in c.indices {
            c[k].withUnsafeMutableBufferPointer { buf in
                for r in stride(from: levels, through: 1, by: -1) {
                    let (w, h) = resolutionSize(width: width, height: height, levels: levels, r)
                    for x in 0..<w { J2KWavelet.forward97(buf.baseAddress! + x, n: h, step: width, scratch: scratch) }
                    for y in 0..<h { J2KWavelet.forward97(buf.baseAddress! + y * width, n: w, step: 1, scratch: scratch) }
                }
            }
        }
        return c
    }

    /// The L2 norm of each band's synthesis basis function under our inverse 9/7 (what one unit of quantization
    /// error in that band becomes in the decoded image), band 0 the LL band, then HL, LH, HH from the lowest level:
    /// products of the 1-D norms of an impulse taken back through the inverse transform.
    static func bandNorms(levels: Int) -> [Double] {
        /// Squared norm of a 1-D impulse in the low (`high` false) or high band of level `level`.
        func norm2(level: Int, high: Bool) -> Double {
            let n = 1 << (level + 6)
            var line = [Float](repeating: 0, count: n)
            let half = n >> level
            line[high ? half + half / 2 : half / 2] = 1
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n + 8)
            defer { scratch.deallocate() }
            line.withUnsafeMutableBufferPointer { buf in
                for k in stride(from: level, through: 1, by: -1) {
                    J2KWavelet.inverse97(buf.baseAddress!, n: n >> (k - 1), step: 1, parity: 0, scratch: scratch)
                }
            }
            return line.reduce(0) { $0 + Double($1) * Double($1) }
        }
        guard levels > 0 else { return [1] }
        var norms = [(norm2(level: levels, high: false) * norm2(level: levels, high: false)).squareRoot()]
        for level in stride(from: levels, through: 1, by: -1) {
            let low = norm2(level: level, high: false), high = norm2(level: level, high: true)
            norms += [(high * low).squareRoot(), (low * high).squareRoot(), (high * high).squareRoot()]
        }
        return norms
    }

    /// The coefficients quantized with base step `baseStep` (band b: the nearest step the QCD can say to
    /// `baseStep / norms[b]`; deadzone quantization, q = sign(y) ⌊|y| / Δ_b⌋), and the QCD that says so, with as few
    /// guard bits as the largest quantized magnitudes need. `ranges` are the bands' nominal dynamic ranges R_b.
    static func quantize(_ coefficients: [[Float]], width: Int, height: Int, levels: Int, baseStep: Double, norms: [Double],
                         ranges: [Int]) throws(DicomError) -> ([[Int32]], J2KBandQuantization) {
        var exponents: [Int] = [], mantissas: [Int] = [], steps: [Float] = []
        for (b, norm) in norms.enumerated() {
            let step = baseStep / norm
            var e = Int(log2(step).rounded(.down))
            var mantissa = Int(((step / pow(2, Double(e)) - 1) * 2048).rounded())
            if mantissa >= 2048 { mantissa = 0; e += 1 }
            // ε_b in 0…31: a step beyond what 5 bits can say is clamped (far finer or coarser than any sample needs).
            let exponent = min(max(ranges[b] - e, 0), 31)
            if exponent != ranges[b] - e { mantissa = exponent == 0 ? 2047 : 0 }
            exponents.append(exponent)
            mantissas.append(mantissa)
            steps.append(Float((1 + Double(mantissa) / 2048) * pow(2, Double(ranges[b] - exponent))))
        }
        var quantized: [[Int32]] = []
        var guardBits = 1
        for plane in coefficients {
            var out = [Int32](repeating: 0, count: plane.count)
            for r in 0...levels {
                let (w, h) = resolutionSize(width: width, height: height, levels: levels, r)
                let (lw, lh) = r == 0 ? (0, 0) : resolutionSize(width: width, height: height, levels: levels, r - 1)
                for o in (r == 0 ? [0] : [1, 2, 3]) {
                    let b = J2KBandQuantization.band(resolution: r, orientation: o)
                    let x0 = o & 1 == 1 ? lw : 0, y0 = o >> 1 == 1 ? lh : 0
                    let x1 = r == 0 ? w : (o & 1 == 1 ? w : lw), y1 = r == 0 ? h : (o >> 1 == 1 ? h : lh)
                    let inverse = 1 / steps[b]
                    var largest: Int32 = 0
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let v = plane[y * width + x]
                            let m = Int32(min(abs(v) * inverse, Float(Int32.max >> 1)))
                            largest = max(largest, m)
                            out[y * width + x] = v < 0 ? -m : m
                        }
                    }
                    // G + ε_b − 1 bit-planes must hold the largest magnitude.
                    guardBits = max(guardBits, (Int32.bitWidth - largest.leadingZeroBitCount) - exponents[b] + 1)
                }
            }
            quantized.append(out)
        }
        guard guardBits <= 7 else {
            throw DicomError(.invalidPixelData, "JPEG 2000 quantization would need \(guardBits) guard bits")
        }
        return (quantized, J2KBandQuantization(guardBits: guardBits, exponents: exponents, mantissas: mantissas))
    }
}

extension J2KWavelet {
    /// Forward 9/7 of `n` samples (stride `step`), coordinates from 0, writing low-pass then high-pass samples in
    /// place (§F.4.8.2): the four lifting steps over the symmetrically extended line, then the low-pass samples
    /// scaled by 1/K and the high-pass ones by K, the mirror of `inverse97`.
    static func forward97(_ line: UnsafeMutablePointer<Float>, n: Int, step: Int, scratch x: UnsafeMutablePointer<Float>) {
        if n == 1 { return }
        for k in 0..<n { x[k + 4] = line[k * step] }
        for j in 1...4 { x[4 - j] = x[4 + reflect(-j, n)]; x[n + 3 + j] = x[4 + reflect(n - 1 + j, n)] }
        // Index t holds coordinate t − 4: odd t are high-pass samples, even t low-pass.
        func lift(_ first: Int, _ last: Int, _ c: Float) {
            var t = first
            while t <= last { x[t] += c * (x[t - 1] + x[t + 1]); t += 2 }
        }
        lift(1, n + 6, alpha)
        lift(2, n + 5, beta)
        lift(3, n + 4, gamma)
        lift(4, n + 3, delta)
        let lowCount = (n + 1) / 2
        for i in 0..<lowCount { line[i * step] = x[4 + 2 * i] / k }
        for i in 0..<(n - lowCount) { line[(lowCount + i) * step] = x[5 + 2 * i] * k }
    }
}
