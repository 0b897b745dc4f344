/// Upsampling of one subsampled component to the frame size, a line at a time: libjpeg's "fancy" triangle filter
/// for 2:1 horizontal (h2v1) and 2:1 both ways (h2v2), replication otherwise, as DCMTK's libjpeg (6b) does.
struct JPEGUpsampler {
    /// Samples per stored line of the plane.
    let stride: Int
    /// The component's own size (T.81 §A.1.1).
    let width: Int
    let height: Int
    let h: Int, v: Int, hMax: Int, vMax: Int
    let outWidth: Int

    init(stride: Int, width: Int, height: Int, h: Int, v: Int, hMax: Int, vMax: Int, outWidth: Int) {
        self.stride = stride
        self.width = width
        self.height = height
        self.h = h
        self.v = v
        self.hMax = hMax
        self.vMax = vMax
        self.outWidth = outWidth
    }

    /// Output line `y` of `plane` into `out[0..<outWidth]`.
    func line(_ y: Int, of plane: [UInt16], into out: inout [Int]) {
        if h == hMax && v == vMax {
            let base = y * stride
            for x in 0..<outWidth { out[x] = Int(plane[base + x]) }
            return
        }
        if hMax == 2 * h && (vMax == v || vMax == 2 * v) && width >= 2 {
            let sy = vMax == v ? y : y / 2
            let row = sy * stride
            if vMax == v {
                fancy(outWidth) { Int(plane[row + $0]) } divisor: { (a: Int, rounding: Int) in (a + rounding) >> 2 }
                    .write(into: &out)
            } else {
                // The nearer input line weighs 3, the farther 1 (jdsample.c h2v2_fancy_upsample).
                let other = (y % 2 == 0 ? max(sy - 1, 0) : min(sy + 1, height - 1)) * stride
                fancy(outWidth) { 3 * Int(plane[row + $0]) + Int(plane[other + $0]) } divisor: { (a: Int, rounding: Int) in (a + rounding) >> 4 }
                    .write(into: &out)
            }
            return
        }
        let sy = min(y * v / vMax, height - 1) * stride
        for x in 0..<outWidth { out[x] = Int(plane[sy + min(x * h / hMax, width - 1)]) }
    }

    struct Doubled {
        var values: [Int]
        func write(into out: inout [Int]) { for i in out.indices { out[i] = values[i] } }
    }

    /// Doubles a line horizontally with weights 3:1 (jdsample.c h2v1/h2v2_fancy_upsample); `sample(i)` gives input
    /// column i (already weighted vertically for h2v2), `divide` applies the final rounding and shift.
    func fancy(_ outWidth: Int, _ sample: (Int) -> Int, divisor divide: (Int, Int) -> Int) -> Doubled {
        var out = [Int](repeating: 0, count: 2 * width)
        let last = width - 1
        let vertical = vMax != v
        // Rounding: h2v1 alternates 1 and 2 (out of 4); h2v2 alternates 8 and 7 (out of 16).
        let even = vertical ? 8 : 1, odd = vertical ? 7 : 2
        let scale = vertical ? 4 : 1  // h2v2 edges: thiscolsum * 4; h2v1 edges: the sample itself
        let first = sample(0), second = sample(1)
        out[0] = vertical ? divide(first * scale, 8) : first
        out[1] = divide(first * 3 + second, odd)
        var previous = first, current = second
        if width > 2 {
            for i in 1..<last {
                let next = sample(i + 1)
                out[2 * i] = divide(current * 3 + previous, even)
                out[2 * i + 1] = divide(current * 3 + next, odd)
                previous = current
                current = next
            }
        }
        out[2 * last] = divide(current * 3 + previous, even)
        out[2 * last + 1] = vertical ? divide(current * scale, 7) : current
        return Doubled(values: out)
    }
}
