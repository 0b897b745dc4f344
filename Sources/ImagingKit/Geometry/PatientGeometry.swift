import DicomCore

/// Where a pixel is in the patient: Image Position (Patient) (0020,0032), Image Orientation (Patient) (0020,0037)
/// and Pixel Spacing (PS3.3 §C.7.6.2.1.1), in the LPS patient coordinate system, mm.
public struct PatientGeometry: Sendable, Hashable {
    /// Centre of the first transmitted (top-left) pixel.
    public var position: SIMD3<Double>
    /// Direction of increasing column index (along a row).
    public var rowDirection: SIMD3<Double>
    /// Direction of increasing row index (down a column).
    public var columnDirection: SIMD3<Double>
    public var spacing: PixelSpacing

    public init(position: SIMD3<Double>, rowDirection: SIMD3<Double>, columnDirection: SIMD3<Double>, spacing: PixelSpacing) {
        self.position = position
        self.rowDirection = rowDirection
        self.columnDirection = columnDirection
        self.spacing = spacing
    }

    /// The geometry of a data set; nil without a position and an orientation of six values.
    public init?(_ dataSet: DataSet) {
        let p = dataSet.doubles(.imagePositionPatient), o = dataSet.doubles(.imageOrientationPatient)
        guard p.count >= 3, o.count >= 6 else { return nil }
        self.init(position: SIMD3(p[0], p[1], p[2]), rowDirection: SIMD3(o[0], o[1], o[2]), columnDirection: SIMD3(o[3], o[4], o[5]),
                  spacing: PixelSpacing(dataSet))
    }

    /// The geometry of frame `frame` (0-based): as ``init(_:)`` over ``DicomCore/DataSet/frameAttributes(_:)``, so
    /// an enhanced multi-frame image gets that frame's Plane Position, Plane Orientation and Pixel Measures
    /// functional groups (PS3.3 §C.7.6.16.2.1, .3, .4).
    public init?(_ dataSet: DataSet, frame: Int) {
        self.init(dataSet.frameAttributes(frame))
    }

    /// The patient point of pixel point (column x, row y): `P + x·Δcolumn·row direction + y·Δrow·column direction`.
    public func patientPoint(_ p: PixelPoint) -> SIMD3<Double> {
        position + rowDirection * (p.x * spacing.column) + columnDirection * (p.y * spacing.row)
    }

    /// The pixel point whose patient point is nearest to `q` (its projection onto the image plane).
    public func pixelPoint(_ q: SIMD3<Double>) -> PixelPoint {
        let v = q - position
        return PixelPoint(x: (v * rowDirection).sum() / spacing.column, y: (v * columnDirection).sum() / spacing.row)
    }
}
