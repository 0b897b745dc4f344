/// A 2-D affine map `(x, y) → (a·x + b·y + tx, c·x + d·y + ty)`, kept beside a displayed image so that a screen
/// point maps back to a stored pixel (and from there to the patient with ``PatientGeometry``).
public struct AffineTransform: Sendable, Hashable {
    public var a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double

    public init(a: Double = 1, b: Double = 0, c: Double = 0, d: Double = 1, tx: Double = 0, ty: Double = 0) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineTransform()

    public func apply(_ p: PixelPoint) -> PixelPoint {
        PixelPoint(x: a * p.x + b * p.y + tx, y: c * p.x + d * p.y + ty)
    }

    /// `other` after `self`.
    public func then(_ o: AffineTransform) -> AffineTransform {
        AffineTransform(a: o.a * a + o.b * c, b: o.a * b + o.b * d, c: o.c * a + o.d * c, d: o.c * b + o.d * d,
                        tx: o.a * tx + o.b * ty + o.tx, ty: o.c * tx + o.d * ty + o.ty)
    }

    /// The inverse map; nil when singular.
    public var inverted: AffineTransform? {
        let det = a * d - b * c
        guard det != 0 else { return nil }
        return AffineTransform(a: d / det, b: -b / det, c: -c / det, d: a / det,
                               tx: (b * ty - d * tx) / det, ty: (c * tx - a * ty) / det)
    }

    /// Pixel centres of a `width`×`height` image to those of the image flipped along `axis`.
    public static func flip(_ axis: FlipAxis, width: Int, height: Int) -> AffineTransform {
        axis == .horizontal ? AffineTransform(a: -1, tx: Double(width - 1)) : AffineTransform(d: -1, ty: Double(height - 1))
    }

    /// Pixel centres of a `width`×`height` image to those of the image turned clockwise `quarterTurns` times.
    public static func rotation(quarterTurns: Int, width: Int, height: Int) -> AffineTransform {
        switch ((quarterTurns % 4) + 4) % 4 {
        case 1: return AffineTransform(a: 0, b: -1, c: 1, d: 0, tx: Double(height - 1), ty: 0)
        case 2: return AffineTransform(a: -1, d: -1, tx: Double(width - 1), ty: Double(height - 1))
        case 3: return AffineTransform(a: 0, b: 1, c: -1, d: 0, tx: 0, ty: Double(width - 1))
        default: return .identity
        }
    }

    /// Pixel centres of a `width`×`height` image to those of it resized to `newWidth`×`newHeight`.
    public static func resize(width: Int, height: Int, newWidth: Int, newHeight: Int) -> AffineTransform {
        let sx = Double(newWidth) / Double(width), sy = Double(newHeight) / Double(height)
        return AffineTransform(a: sx, d: sy, tx: (sx - 1) / 2, ty: (sy - 1) / 2)
    }

    /// Pixel centres to those of the crop starting at column `x`, row `y`.
    public static func crop(x: Int, y: Int) -> AffineTransform { AffineTransform(tx: Double(-x), ty: Double(-y)) }
}
