import DicomCore

/// The physical size of a pixel, and where it came from, for lengths and areas.
public struct PixelSpacing: Sendable, Hashable {
    /// Where the spacing was read.
    public enum Source: String, Sendable, Hashable {
        /// Pixel Spacing (0028,0030): in the patient, as the modality calibrated it.
        case pixelSpacing
        /// Imager Pixel Spacing (0018,1164): at the detector, so lengths in the patient are magnified by the
        /// geometry (PS3.3 §10.7.1.3) — the result is "at the detector", not calibrated to the patient.
        case imagerPixelSpacing
        /// None given: lengths are in pixels.
        case pixels
    }

    /// Distance between the centres of adjacent rows (the first value of Pixel Spacing), in mm.
    public var row: Double
    /// Distance between the centres of adjacent columns (the second value), in mm.
    public var column: Double
    public var source: Source

    public init(row: Double, column: Double, source: Source) {
        self.row = row
        self.column = column
        self.source = source
    }

    /// One pixel per unit, in pixels.
    public static let pixels = PixelSpacing(row: 1, column: 1, source: .pixels)

    /// Pixel Spacing, else Imager Pixel Spacing, else pixels.
    public init(_ dataSet: DataSet) {
        for (tag, source) in [(Tag.pixelSpacing, Source.pixelSpacing), (.imagerPixelSpacing, .imagerPixelSpacing)] {
            let v = dataSet.doubles(tag)
            if v.count >= 2, v[0] > 0, v[1] > 0, v[0].isFinite, v[1].isFinite {
                self.init(row: v[0], column: v[1], source: source)
                return
            }
        }
        self = .pixels
    }

    /// The spacing of frame `frame` (0-based): as ``init(_:)`` over ``DicomCore/DataSet/frameAttributes(_:)``, so an
    /// enhanced multi-frame image gets that frame's Pixel Measures functional group (PS3.3 §C.7.6.16.2.1).
    public init(_ dataSet: DataSet, frame: Int) {
        self.init(dataSet.frameAttributes(frame))
    }

    /// "mm" or "px".
    public var lengthUnit: String { source == .pixels ? "px" : "mm" }
    /// "mm2" or "px2".
    public var areaUnit: String { source == .pixels ? "px2" : "mm2" }
    /// Area of one pixel in `areaUnit`.
    public var pixelArea: Double { row * column }
    /// A warning to show with measurements, for Imager Pixel Spacing.
    public var caveat: String? {
        source == .imagerPixelSpacing ? "measured at the detector (Imager Pixel Spacing): not corrected for magnification" : nil
    }
}
