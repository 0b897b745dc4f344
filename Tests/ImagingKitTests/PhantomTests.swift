import DicomCore
import Testing
@testable import ImagingKit

@Suite struct PhantomTests {
    /// A water disc (40 HU) of radius 20 px at (32, 32) in air (−1000 HU), 64×64, written and read back with DicomCore.
    static func disc() throws -> DicomFile {
        try Support.roundTrip(Support.ctPhantom(size: 64, spacing: (0.5, 0.8)) { x, y in
            (x - 32) * (x - 32) + (y - 32) * (y - 32) <= 400 ? 40 : -1000
        })
    }

    @Test func probeReturnsThePhantomHounsfieldUnits() throws {
        let file = try Self.disc()
        let values = try RenderPipeline(file.dataSet).modalityValues(StoredFrame(file: file, frame: 0))
        #expect(Measurements.value(at: 32, 32, in: values, unit: ModalityUnit.of(file.dataSet)) == PixelValue(value: 40, unit: "HU"))
        #expect(Measurements.value(at: 1, 1, in: values, unit: "HU")?.value == -1000)
        #expect(Measurements.value(at: 64, 0, in: values, unit: "HU") == nil)
    }

    @Test func ellipseInsideTheDiscHasItsValueExactly() throws {
        let file = try Self.disc()
        let values = try RenderPipeline(file.dataSet).modalityValues(StoredFrame(file: file, frame: 0))
        let spacing = PixelSpacing(file.dataSet)
        let stats = try #require(Measurements.statistics(of: .ellipse(center: PixelPoint(x: 32, y: 32), radiusX: 15, radiusY: 10), in: values,
                                                        spacing: spacing, unit: "HU"))
        #expect(stats.mean == 40 && stats.standardDeviation == 0 && stats.min == 40 && stats.max == 40)
        var count = 0
        for y in 0..<64 {
            for x in 0..<64 {
                let dx = Double(x - 32), dy = Double(y - 32)
                if dx * dx / 225 + dy * dy / 100 <= 1 { count += 1 }
            }
        }
        #expect(stats.pixels == count)
        #expect(abs(stats.area - Double(count) * 0.4) < 1e-9 && stats.areaUnit == "mm2")
    }

    @Test func rectangleAcrossTheEdgeMixesWaterAndAir() throws {
        let file = try Self.disc()
        let values = try RenderPipeline(file.dataSet).modalityValues(StoredFrame(file: file, frame: 0))
        // Columns 0..<64 of row 32: 41 pixels of water (|x−32| ≤ 20), 23 of air.
        let s = try #require(Measurements.statistics(of: .rectangle(x: 0, y: 32, width: 64, height: 1), in: values, spacing: .pixels, unit: "HU"))
        let mean = (41.0 * 40 + 23 * -1000) / 64
        #expect(s.pixels == 64 && abs(s.mean - mean) < 1e-9 && s.min == -1000 && s.max == 40 && s.areaUnit == "px2")
        let sd = ((41 * (40 - mean) * (40 - mean) + 23 * (-1000 - mean) * (-1000 - mean)) / 64).squareRoot()
        #expect(abs(s.standardDeviation - sd) < 1e-9)
        let triangle = Region.polygon([PixelPoint(x: 0, y: 0), PixelPoint(x: 10, y: 0), PixelPoint(x: 0, y: 10)])
        #expect(Measurements.statistics(of: triangle, in: values, spacing: .pixels, unit: "HU")?.mean == -1000)
    }

    @Test func renderedPhantomHasTheWindowedGreyLevels() throws {
        let file = try Self.disc()
        var pipeline = try RenderPipeline(file.dataSet)
        pipeline.voi = .window(Window.presets["abdomen"]!)
        let image = try pipeline.render(StoredFrame(file: file, frame: 0))
        #expect(image[32, 32] == Support.linear(40, c: 40, w: 400) && image[0, 0] == 0)
        let fast = try pipeline.render(decoded: file.decodedFrame(0))
        #expect(fast == image)
    }

    @Test func unitIsRescaleTypeOutsideCT() throws {
        var ds = DataSet()
        try ds.setString("PT", for: .modality)
        try ds.setString("BQML", for: Tag(0x0028, 0x1054), vr: .LO)
        #expect(ModalityUnit.of(ds) == "BQML")
        try ds.setString("MR", for: .modality)
        ds.remove(Tag(0x0028, 0x1054))
        #expect(ModalityUnit.of(ds) == "")
    }
}
