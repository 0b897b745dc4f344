/// Samples that can be interpolated: converted to and from Double.
public protocol InterpolatableSample: Sendable {
    var interpolationValue: Double { get }
    init(interpolated value: Double)
}

extension UInt8: InterpolatableSample {
    public var interpolationValue: Double { Double(self) }
    public init(interpolated value: Double) { self = UInt8(Swift.min(Swift.max(value.rounded(), 0), 255)) }
}

extension Float: InterpolatableSample {
    public var interpolationValue: Double { Double(self) }
    public init(interpolated value: Double) { self = Float(value) }
}

/// How `resized` samples.
public enum Interpolation: Sendable, Hashable {
    case nearest
    case bilinear
}

/// A mirror axis.
public enum FlipAxis: String, Sendable, Hashable {
    /// Left and right swap.
    case horizontal = "h"
    /// Top and bottom swap.
    case vertical = "v"
}

/// Exact geometric operations: flips and quarter turns permute pixels, crop copies, resize resamples.
/// Each has an ``AffineTransform`` counterpart mapping pixel centres of the input to those of the output.
extension Raster {
    /// Mirrored along `axis`.
    public func flipped(_ axis: FlipAxis) -> Raster {
        var out = samples
        for y in 0..<height {
            for x in 0..<width {
                let (sx, sy) = axis == .horizontal ? (width - 1 - x, y) : (x, height - 1 - y)
                for c in 0..<channels { out[(y * width + x) * channels + c] = samples[(sy * width + sx) * channels + c] }
            }
        }
        return Raster(width: width, height: height, channels: channels, samples: out)
    }

    /// Rotated clockwise by `quarterTurns` × 90°.
    public func rotated(quarterTurns: Int) -> Raster {
        let q = ((quarterTurns % 4) + 4) % 4
        if q == 0 { return self }
        let (w, h) = q == 2 ? (width, height) : (height, width)
        var out = samples
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy): (Int, Int)
                switch q {
                case 1: (sx, sy) = (y, height - 1 - x)          // output (x, y) ← input (y, H−1−x)
                case 2: (sx, sy) = (width - 1 - x, height - 1 - y)
                default: (sx, sy) = (width - 1 - y, x)
                }
                for c in 0..<channels { out[(y * w + x) * channels + c] = samples[(sy * width + sx) * channels + c] }
            }
        }
        return Raster(width: w, height: h, channels: channels, samples: out)
    }

    /// The `width`×`height` block from column `x`, row `y`, clipped to the image; nil if nothing remains.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Raster? {
        let x0 = max(x, 0), y0 = max(y, 0), x1 = min(x + w, width), y1 = min(y + h, height)
        guard x1 > x0, y1 > y0 else { return nil }
        var out: [Sample] = []
        out.reserveCapacity((x1 - x0) * (y1 - y0) * channels)
        for row in y0..<y1 { out += samples[((row * width + x0) * channels)..<((row * width + x1) * channels)] }
        return Raster(width: x1 - x0, height: y1 - y0, channels: channels, samples: out)
    }
}

extension Raster where Sample: InterpolatableSample {
    /// Resampled to `newWidth`×`newHeight`: output pixel centre (x′, y′) samples input point
    /// ((x′ + ½)·W/W′ − ½, (y′ + ½)·H/H′ − ½), edges clamped.
    public func resized(width newWidth: Int, height newHeight: Int, interpolation: Interpolation = .bilinear) -> Raster {
        precondition(newWidth > 0 && newHeight > 0)
        let sx = Double(width) / Double(newWidth), sy = Double(height) / Double(newHeight)
        var out: [Sample] = []
        out.reserveCapacity(newWidth * newHeight * channels)
        for y in 0..<newHeight {
            let fy = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(height - 1))
            for x in 0..<newWidth {
                let fx = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(width - 1))
                switch interpolation {
                case .nearest:
                    let ix = min(Int((Double(x) + 0.5) * sx), width - 1), iy = min(Int((Double(y) + 0.5) * sy), height - 1)
                    for c in 0..<channels { out.append(samples[(iy * width + ix) * channels + c]) }
                case .bilinear:
                    let x0 = Int(fx), y0 = Int(fy), x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                    let ax = fx - Double(x0), ay = fy - Double(y0)
                    for c in 0..<channels {
                        let p00 = samples[(y0 * width + x0) * channels + c].interpolationValue
                        let p10 = samples[(y0 * width + x1) * channels + c].interpolationValue
                        let p01 = samples[(y1 * width + x0) * channels + c].interpolationValue
                        let p11 = samples[(y1 * width + x1) * channels + c].interpolationValue
                        let top = p00 + (p10 - p00) * ax, bottom = p01 + (p11 - p01) * ax
                        out.append(Sample(interpolated: top + (bottom - top) * ay))
                    }
                }
            }
        }
        return Raster(width: newWidth, height: newHeight, channels: channels, samples: out)
    }
}
