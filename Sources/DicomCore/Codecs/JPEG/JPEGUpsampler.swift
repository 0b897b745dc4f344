/// Upsampling of subsampled components to the frame size: libjpeg's "fancy" triangle filter for 2:1 horizontal
/// (h2v1) and 2:1 both ways (h2v2), replication otherwise, as DCMTK's libjpeg does by default.
enum JPEGUpsampler {
    static func upsample(_ plane: [Int32], stride: Int, width: Int, height: Int, hFactor: Int, vFactor: Int, hExact: Bool,
                         hRatio: (Int, Int), vRatio: (Int, Int), outWidth: Int, outHeight: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: outWidth * outHeight)
        if hExact && hFactor == 1 && vFactor == 1 {
            for y in 0..<outHeight { for x in 0..<outWidth { out[y * outWidth + x] = plane[y * stride + x] } }
            return out
        }
        if hExact && hFactor == 2 && (vFactor == 1 || vFactor == 2) && width >= 2 {
            out.withUnsafeMutableBufferPointer { out in
                plane.withUnsafeBufferPointer { plane in
                    var row = [Int](repeating: 0, count: width)
                    var doubled = [Int](repeating: 0, count: 2 * width)
                    for y in 0..<outHeight {
                        let sy = y / vFactor
                        if vFactor == 1 {
                            for x in 0..<width { row[x] = Int(plane[sy * stride + x]) }
                            fancyRow(row, width: width, vertical: false, into: &doubled)
                        } else {
                            // The nearer input row weighs 3, the farther 1 (jdsample.c h2v2_fancy_upsample).
                            let other = y % 2 == 0 ? max(sy - 1, 0) : min(sy + 1, height - 1)
                            for x in 0..<width { row[x] = 3 * Int(plane[sy * stride + x]) + Int(plane[other * stride + x]) }
                            fancyRow(row, width: width, vertical: true, into: &doubled)
                        }
                        for x in 0..<outWidth { out[y * outWidth + x] = Int32(doubled[x]) }
                    }
                }
            }
            return out
        }
        for y in 0..<outHeight {
            let sy = min(y * vRatio.0 / vRatio.1, height - 1)
            for x in 0..<outWidth { out[y * outWidth + x] = plane[sy * stride + min(x * hRatio.0 / hRatio.1, width - 1)] }
        }
        return out
    }

    /// Doubles `src[0..<width]` horizontally into `dst[0..<2*width]`; `vertical` when `src` holds 3:1 sums of two rows.
    static func fancyRow(_ src: [Int], width: Int, vertical: Bool, into dst: inout [Int]) {
        let last = width - 1
        if !vertical {
            dst[0] = src[0]
            dst[1] = (src[0] * 3 + src[1] + 2) >> 2
            if width > 2 {
                for i in 1..<last {
                    let v = src[i] * 3
                    dst[2 * i] = (v + src[i - 1] + 1) >> 2
                    dst[2 * i + 1] = (v + src[i + 1] + 2) >> 2
                }
            }
            dst[2 * last] = (src[last] * 3 + src[last - 1] + 1) >> 2
            dst[2 * last + 1] = src[last]
        } else {
            dst[0] = (src[0] * 4 + 8) >> 4
            dst[1] = (src[0] * 3 + src[1] + 7) >> 4
            if width > 2 {
                for i in 1..<last {
                    dst[2 * i] = (src[i] * 3 + src[i - 1] + 8) >> 4
                    dst[2 * i + 1] = (src[i] * 3 + src[i + 1] + 7) >> 4
                }
            }
            dst[2 * last] = (src[last] * 3 + src[last - 1] + 8) >> 4
            dst[2 * last + 1] = (src[last] * 4 + 7) >> 4
        }
    }
}
