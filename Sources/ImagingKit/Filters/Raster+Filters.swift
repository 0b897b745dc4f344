#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Filters on modality values (before VOI, so that windowing sees what the filter made, and measurements can
/// be taken on either).
extension Raster where Sample == Float {
    /// Gaussian smoothing with standard deviation `sigma` pixels (separable, kernel radius ⌈3σ⌉, edges clamped).
    public func smoothed(sigma: Double = 1) -> Raster {
        guard sigma > 0 else { return self }
        let r = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-r...r).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var tmp = samples, out = samples
        let w = width, h = height, ch = channels
        samples.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<h {
                    for x in 0..<w {
                        for c in 0..<ch {
                            var acc: Float = 0
                            for k in -r...r { acc += kernel[k + r] * s[(y * w + min(max(x + k, 0), w - 1)) * ch + c] }
                            t[(y * w + x) * ch + c] = acc
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    for x in 0..<w {
                        for c in 0..<ch {
                            var acc: Float = 0
                            for k in -r...r { acc += kernel[k + r] * t[(min(max(y + k, 0), h - 1) * w + x) * ch + c] }
                            o[(y * w + x) * ch + c] = acc
                        }
                    }
                }
            }
        }
        return Raster(width: w, height: h, channels: ch, samples: out)
    }

    /// Unsharp mask: `v + strength · (v − smoothed(v))`. Strength 0 changes nothing; 1 is a usual sharpening.
    public func sharpened(strength: Double, sigma: Double = 1) -> Raster {
        guard strength != 0 else { return self }
        let blurred = smoothed(sigma: sigma)
        let s = Float(strength)
        var out = samples
        for i in 0..<out.count { out[i] = samples[i] + s * (samples[i] - blurred.samples[i]) }
        return Raster(width: width, height: height, channels: channels, samples: out)
    }
}
