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
}
