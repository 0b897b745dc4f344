import DicomCore

/// The patient-direction letters shown at the middle of each image edge, from Image Orientation (Patient)
/// (PS3.3 §C.7.6.2.1.1: x to the patient's Left, y Posterior, z Head).
public struct OrientationMarkers: Sendable, Hashable {
    public var left: String
    public var right: String
    public var top: String
    public var bottom: String

    /// Components smaller than this (≈ 14.5° of obliquity) are not named, so that near-axial images read "L", not "LPH".
    public static let obliquityThreshold = 0.25

    /// Markers for row direction `row` (increasing column) and column direction `column` (increasing row).
    public init(row: SIMD3<Double>, column: SIMD3<Double>) {
        right = Self.label(row)
        left = Self.label(-row)
        bottom = Self.label(column)
        top = Self.label(-column)
    }

    /// Markers of a data set; nil without six Image Orientation (Patient) values.
    public init?(_ dataSet: DataSet) {
        let o = dataSet.doubles(.imageOrientationPatient)
        guard o.count >= 6 else { return nil }
        self.init(row: SIMD3(o[0], o[1], o[2]), column: SIMD3(o[3], o[4], o[5]))
    }

    /// Up to three letters, the strongest component first: for each axis whose component is at least
    /// ``obliquityThreshold`` of the vector's length, L/R, P/A or H/F by its sign.
    public static func label(_ v: SIMD3<Double>) -> String {
        let length = (v * v).sum().squareRoot()
        guard length > 0 else { return "" }
        let letters: [(Double, Character)] = [
            (v.x / length, v.x >= 0 ? "L" : "R"),
            (v.y / length, v.y >= 0 ? "P" : "A"),
            (v.z / length, v.z >= 0 ? "H" : "F"),
        ]
        return String(letters.filter { abs($0.0) >= obliquityThreshold }.sorted { abs($0.0) > abs($1.0) }.map(\.1))
    }
}
