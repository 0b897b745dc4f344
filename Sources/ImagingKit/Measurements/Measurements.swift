#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// A point in pixel coordinates: x is the column, y the row, the centre of the top-left pixel is (0, 0).
public struct PixelPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A length or distance with its unit and the spacing it was measured with.
public struct LengthMeasurement: Sendable, Hashable {
    public var value: Double
    /// "mm" or "px".
    public var unit: String
    public var spacingSource: PixelSpacing.Source
}

/// A modality value at a pixel.
public struct PixelValue: Sendable, Hashable {
    public var value: Double
    /// "HU", the Rescale Type, or "".
    public var unit: String
}

/// A region of interest.
public enum Region: Sendable, Hashable {
    /// Columns `x..<x+width`, rows `y..<y+height`.
    case rectangle(x: Int, y: Int, width: Int, height: Int)
    /// Pixels whose centres lie in the ellipse (`(x−cx)²/rx² + (y−cy)²/ry² ≤ 1`).
    case ellipse(center: PixelPoint, radiusX: Double, radiusY: Double)
    /// Pixels whose centres lie inside the closed polygon (even-odd rule), for freehand regions.
    case polygon([PixelPoint])

    /// Whether the centre of pixel (x, y) is in the region.
    public func contains(x: Int, y: Int) -> Bool {
        switch self {
        case .rectangle(let rx, let ry, let w, let h):
            return x >= rx && x < rx + w && y >= ry && y < ry + h
        case .ellipse(let c, let a, let b):
            guard a > 0, b > 0 else { return false }
            let dx = (Double(x) - c.x) / a, dy = (Double(y) - c.y) / b
            return dx * dx + dy * dy <= 1
        case .polygon(let points):
            guard points.count >= 3 else { return false }
            let px = Double(x), py = Double(y)
            var inside = false
            var j = points.count - 1
            for i in 0..<points.count {
                let a = points[i], b = points[j]
                if (a.y > py) != (b.y > py) && px < (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                j = i
            }
            return inside
        }
    }

    /// The pixels to visit: the region's bounding box clipped to a `width`×`height` image.
    func bounds(width: Int, height: Int) -> (x: Range<Int>, y: Range<Int>) {
        var x0: Double, x1: Double, y0: Double, y1: Double
        switch self {
        case .rectangle(let x, let y, let w, let h): (x0, x1, y0, y1) = (Double(x), Double(x + w - 1), Double(y), Double(y + h - 1))
        case .ellipse(let c, let a, let b): (x0, x1, y0, y1) = (c.x - a, c.x + a, c.y - b, c.y + b)
        case .polygon(let p):
            x0 = p.map(\.x).min() ?? 0; x1 = p.map(\.x).max() ?? -1; y0 = p.map(\.y).min() ?? 0; y1 = p.map(\.y).max() ?? -1
        }
        let xs = max(Int(x0.rounded(.down)), 0), xe = min(Int(x1.rounded(.up)), width - 1)
        let ys = max(Int(y0.rounded(.down)), 0), ye = min(Int(y1.rounded(.up)), height - 1)
        return (xs <= xe ? xs..<(xe + 1) : 0..<0, ys <= ye ? ys..<(ye + 1) : 0..<0)
    }
}

/// Statistics of the modality values in a region.
public struct RegionStatistics: Sendable, Hashable {
    public var pixels: Int
    public var mean: Double
    /// Population standard deviation.
    public var standardDeviation: Double
    public var min: Double
    public var max: Double
    /// Pixel count × pixel area.
    public var area: Double
    /// "mm2" or "px2".
    public var areaUnit: String
    /// The unit of the values ("HU", …).
    public var unit: String
}

/// Measurements on modality values.
public enum Measurements {
    /// The modality value at (x, y), or nil outside the image.
    public static func value(at x: Int, _ y: Int, in values: Raster<Float>, unit: String) -> PixelValue? {
        guard values.contains(x: x, y: y) else { return nil }
        return PixelValue(value: Double(values[x, y]), unit: unit)
    }

    /// Distance between two points, in mm with a spacing, else in pixels: `√((Δx·column)² + (Δy·row)²)`.
    public static func length(from a: PixelPoint, to b: PixelPoint, spacing: PixelSpacing) -> LengthMeasurement {
        let dx = (b.x - a.x) * spacing.column, dy = (b.y - a.y) * spacing.row
        return LengthMeasurement(value: (dx * dx + dy * dy).squareRoot(), unit: spacing.lengthUnit, spacingSource: spacing.source)
    }

    /// The angle at `vertex` between the rays to `a` and `b`, in degrees (0…180), measured in physical space so
    /// that anisotropic spacing does not skew it.
    public static func angle(vertex: PixelPoint, _ a: PixelPoint, _ b: PixelPoint, spacing: PixelSpacing) -> Double {
        let ux = (a.x - vertex.x) * spacing.column, uy = (a.y - vertex.y) * spacing.row
        let vx = (b.x - vertex.x) * spacing.column, vy = (b.y - vertex.y) * spacing.row
        return abs(atan2(ux * vy - uy * vx, ux * vx + uy * vy)) * 180 / Double.pi
    }

    /// Statistics of the pixels of `region` inside the image; nil when no pixel centre lies in it.
    public static func statistics(of region: Region, in values: Raster<Float>, spacing: PixelSpacing, unit: String) -> RegionStatistics? {
        let (xr, yr) = region.bounds(width: values.width, height: values.height)
        var n = 0, sum = 0.0, sumSq = 0.0, lo = Double.infinity, hi = -Double.infinity
        for y in yr {
            for x in xr where region.contains(x: x, y: y) {
                let v = Double(values[x, y])
                n += 1; sum += v; sumSq += v * v
                lo = Swift.min(lo, v); hi = Swift.max(hi, v)
            }
        }
        guard n > 0 else { return nil }
        let mean = sum / Double(n)
        // Second pass for the deviation: exact for constant regions, stable for large offsets (HU around -1000).
        var dev = 0.0
        for y in yr { for x in xr where region.contains(x: x, y: y) { let d = Double(values[x, y]) - mean; dev += d * d } }
        return RegionStatistics(pixels: n, mean: mean, standardDeviation: (dev / Double(n)).squareRoot(), min: lo, max: hi,
                                area: Double(n) * spacing.pixelArea, areaUnit: spacing.areaUnit, unit: unit)
    }
}
