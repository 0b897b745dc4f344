import DicomCore
import Testing
@testable import ImagingKit

@Suite struct MeasurementTests {
    @Test func lengthsMatchAnalyticDistancesWithAnisotropicSpacing() {
        let spacing = PixelSpacing(row: 0.8, column: 0.5, source: .pixelSpacing)
        let a = PixelPoint(x: 10, y: 20), b = PixelPoint(x: 40, y: 60)
        let m = Measurements.length(from: a, to: b, spacing: spacing)
        #expect(abs(m.value - ((30 * 0.5) * (30 * 0.5) + (40 * 0.8) * (40 * 0.8)).squareRoot()) < 1e-12 && m.unit == "mm")
        #expect(Measurements.length(from: a, to: PixelPoint(x: 10, y: 30), spacing: spacing).value == 8)
        #expect(Measurements.length(from: a, to: PixelPoint(x: 20, y: 20), spacing: spacing).value == 5)
        #expect(Measurements.length(from: a, to: b, spacing: .pixels) == LengthMeasurement(value: 50, unit: "px", spacingSource: .pixels))
    }

    @Test func spacingFallsBackFromPixelToImagerSpacingToPixels() throws {
        var ds = DataSet()
        #expect(PixelSpacing(ds).source == .pixels)
        try ds.setStrings(["0.143", "0.143"], for: Tag(0x0018, 0x1164), vr: .DS)
        let imager = PixelSpacing(ds)
        #expect(imager.source == .imagerPixelSpacing && imager.caveat != nil && imager.lengthUnit == "mm")
        try ds.setStrings(["0.7", "0.3"], for: Tag(0x0028, 0x0030), vr: .DS)
        #expect(PixelSpacing(ds) == PixelSpacing(row: 0.7, column: 0.3, source: .pixelSpacing))
    }

    @Test func anglesAreMeasuredInPhysicalSpace() {
        let v = PixelPoint(x: 0, y: 0)
        #expect(abs(Measurements.angle(vertex: v, PixelPoint(x: 10, y: 0), PixelPoint(x: 0, y: 10), spacing: .pixels) - 90) < 1e-9)
        // 45° in pixels, but rows are twice as far apart as columns: atan(2) from the row axis.
        let s = PixelSpacing(row: 2, column: 1, source: .pixelSpacing)
        let angle = Measurements.angle(vertex: v, PixelPoint(x: 10, y: 0), PixelPoint(x: 10, y: 10), spacing: s)
        #expect(abs(angle - 63.43494882292201) < 1e-9)
    }

    @Test func orientationMarkersForAxialCoronalSagittalAndOblique() {
        let axial = OrientationMarkers(row: SIMD3(1, 0, 0), column: SIMD3(0, 1, 0))
        #expect([axial.left, axial.right, axial.top, axial.bottom] == ["R", "L", "A", "P"])
        let coronal = OrientationMarkers(row: SIMD3(1, 0, 0), column: SIMD3(0, 0, -1))
        #expect([coronal.left, coronal.right, coronal.top, coronal.bottom] == ["R", "L", "H", "F"])
        let sagittal = OrientationMarkers(row: SIMD3(0, 1, 0), column: SIMD3(0, 0, -1))
        #expect([sagittal.left, sagittal.right, sagittal.top, sagittal.bottom] == ["A", "P", "H", "F"])
        let c = 0.8660254037844387, s = 0.5
        let oblique = OrientationMarkers(row: SIMD3(c, s, 0), column: SIMD3(-s * 0.6, c * 0.6, -0.8))
        #expect(oblique.right == "LP" && oblique.left == "RA")
        #expect(oblique.bottom == "FPR" && oblique.top == "HAL")
        let nearlyAxial = OrientationMarkers(row: SIMD3(0.999, 0.04, 0), column: SIMD3(-0.04, 0.999, 0))
        #expect(nearlyAxial.right == "L" && nearlyAxial.bottom == "P")
    }

    @Test func patientGeometryMapsPixelsAndBack() {
        let g = PatientGeometry(position: SIMD3(-100, -120, 50), rowDirection: SIMD3(1, 0, 0), columnDirection: SIMD3(0, 1, 0),
                                spacing: PixelSpacing(row: 0.8, column: 0.5, source: .pixelSpacing))
        let p = g.patientPoint(PixelPoint(x: 10, y: 20))
        #expect(p == SIMD3(-95, -104, 50))
        #expect(g.pixelPoint(p) == PixelPoint(x: 10, y: 20))
    }

    @Test func screenPointsMapBackThroughFlipRotateAndZoom() {
        let w = 4, h = 3
        var raster = Raster<Float>(width: w, height: h, samples: (0..<12).map(Float.init))
        var t = AffineTransform.identity
        raster = raster.flipped(.horizontal); t = t.then(.flip(.horizontal, width: w, height: h))
        let (rw, rh) = (raster.width, raster.height)
        raster = raster.rotated(quarterTurns: 1); t = t.then(.rotation(quarterTurns: 1, width: rw, height: rh))
        // Every pixel lands where the transform says, and the inverse brings it back.
        for y in 0..<h {
            for x in 0..<w {
                let q = t.apply(PixelPoint(x: Double(x), y: Double(y)))
                #expect(raster[Int(q.x), Int(q.y)] == Float(y * w + x))
                let back = t.inverted!.apply(q)
                #expect(abs(back.x - Double(x)) < 1e-12 && abs(back.y - Double(y)) < 1e-12)
            }
        }
        let zoom = AffineTransform.resize(width: 4, height: 3, newWidth: 8, newHeight: 6)
        #expect(zoom.apply(PixelPoint(x: -0.5, y: -0.5)) == PixelPoint(x: -0.5, y: -0.5))
        #expect(zoom.apply(PixelPoint(x: 3.5, y: 2.5)) == PixelPoint(x: 7.5, y: 5.5))
    }

    @Test func resizeCropAndFiltersKeepValues() {
        let flat = Raster<Float>(width: 5, height: 4, repeating: 7)
        #expect(flat.resized(width: 9, height: 3).samples.allSatisfy { $0 == 7 })
        #expect(flat.smoothed(sigma: 1.5).samples.allSatisfy { abs($0 - 7) < 1e-5 })
        #expect(flat.sharpened(strength: 2).samples.allSatisfy { abs($0 - 7) < 1e-5 })
        let ramp = Raster<Float>(width: 4, height: 1, samples: [0, 10, 20, 30])
        #expect(ramp.resized(width: 8, height: 1, interpolation: .nearest).samples == [0, 0, 10, 10, 20, 20, 30, 30])
        #expect(ramp.resized(width: 8, height: 1).samples == [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30])
        #expect(ramp.cropped(x: 1, y: 0, width: 2, height: 5)?.samples == [10, 20])
        let edge = Raster<Float>(width: 6, height: 1, samples: [0, 0, 0, 100, 100, 100]).sharpened(strength: 1)
        #expect(edge.samples[2] < 0 && edge.samples[3] > 100)
    }

    @Test func cornerOverlayHasPatientTopLeftAndModalityDetails() throws {
        var ds = DataSet()
        try ds.setString("Doe^Jane", for: .patientName)
        try ds.setString("P123", for: .patientID)
        try ds.setString("MR", for: .modality)
        try ds.setString("2500", for: Tag(0x0018, 0x0080), vr: .DS)
        try ds.setString("90", for: Tag(0x0018, 0x0081), vr: .DS)
        try ds.setString("20240131", for: .studyDate)
        let o = CornerOverlay(ds, window: Window(center: 40, width: 400), zoom: 1.5)
        #expect(o.topLeft.map(\.value) == ["Jane Doe".split(separator: " ").reversed().joined(separator: " "), "P123"])
        #expect(o.bottomLeft.map(\.value) == ["TR 2500", "TE 90"])
        #expect(o.bottomRight.map(\.value) == ["WW 400 WL 40", "Zoom 150%"])
        #expect(o.topRight.first { $0.key == "studyDateTime" }?.value == "2024-01-31")
    }

    @Test func cornerExposureIsInMAsWhicheverAttributeHoldsIt() throws {
        func mAs(_ build: (inout DataSet) throws -> Void) throws -> [String] {
            var ds = DataSet()
            try ds.setString("CT", for: .modality)
            try build(&ds)
            return CornerOverlay(ds).bottomLeft.filter { $0.key == "mAs" }.map(\.value)
        }
        // Exposure in µAs (0018,1153) is a thousandth of a mAs.
        #expect(try mAs { try $0.setString("2500", for: Tag(0x0018, 0x1153), vr: .IS) } == ["2.5 mAs"])
        #expect(try mAs { try $0.setString("4", for: Tag(0x0018, 0x1152), vr: .IS) } == ["4 mAs"])
        // Exposure in mAs (0018,9332), FD, wins over both.
        let fd = withUnsafeBytes(of: (3.75 as Double).bitPattern.littleEndian) { Array($0) }
        #expect(try mAs {
            try $0.setString("2500", for: Tag(0x0018, 0x1153), vr: .IS)
            $0.set(DataElement(tag: Tag(0x0018, 0x9332), vr: .FD, bytes: fd))
        } == ["3.75 mAs"])
        #expect(try mAs { _ in } == [])
    }
}
