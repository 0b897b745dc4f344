import Foundation
import Testing
@testable import PlatformServices

@Suite struct DemoPhantomTests {
    static let all: [DemoPhantom] = [.chestCT, .brainMRT1, .brainMRT2, .chestDX, .handCR]

    @Test(arguments: all)
    func landmarksHaveTheirDocumentedValues(phantom: DemoPhantom) {
        #expect(!phantom.landmarks.isEmpty)
        for landmark in phantom.landmarks {
            #expect(phantom.value(column: landmark.column, row: landmark.row, slice: landmark.slice) == landmark.value,
                    "\(phantom.name): \(landmark.name)")
        }
    }

    @Test func chestCTHasTheDocumentedTissueValues() throws {
        let ct = DemoPhantom.chestCT
        #expect(ct.columns == 512 && ct.rows == 512 && ct.slices >= 200)
        #expect(ct.rowSpacing == 0.7 && ct.columnSpacing == 0.7 && ct.sliceSpacing == 1.25)
        #expect(ct.background == -1000 && ct.rescaleIntercept == -1024 && ct.isSigned && ct.unit == "HU")
        let byName = Dictionary(ct.regions.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(byName["left lung"] == -855 && byName["right lung"] == -855)
        #expect(byName["soft tissue"] == 40 && byName["vertebral body"] == 700)
        // The nodule is only on slices 116...124 and is inside the right lung.
        let nodule = try #require(ct.landmarks.first { $0.name == "nodule" })
        #expect(ct.value(column: nodule.column, row: nodule.row, slice: 115) == -855)
        #expect(ct.value(column: nodule.column, row: nodule.row, slice: 116) == 30)
        #expect(ct.value(column: nodule.column, row: nodule.row, slice: 124) == 30)
        #expect(ct.value(column: nodule.column, row: nodule.row, slice: 125) == -855)
        #expect(ct.storedValue(column: 10, row: 10, slice: 0) == 24)
    }

    /// Painting by row spans gives exactly the per-pixel rule, on slices where regions start, peak and end.
    @Test func spanFillingMatchesThePerPixelRule() {
        let cases: [(DemoPhantom, [Int], Int)] = [
            (.chestCT, [0, 5, 116, 120, 165, 200, 239], 3), (.brainMRT1, [0, 1, 7, 11, 23], 1), (.chestDX, [0], 7), (.handCR, [0], 5),
        ]
        for (phantom, slices, step) in cases {
            for slice in slices {
                let bytes = phantom.renderSlice(slice)
                #expect(bytes.count == phantom.rows * phantom.columns * 2)
                var mismatches = 0
                for row in stride(from: 0, to: phantom.rows, by: step) {
                    for column in stride(from: 0, to: phantom.columns, by: step) {
                        let i = (row * phantom.columns + column) * 2
                        let word = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
                        let stored = phantom.isSigned ? Int(Int16(bitPattern: word)) : Int(word)
                        if stored != phantom.storedValue(column: column, row: row, slice: slice) { mismatches += 1 }
                    }
                }
                #expect(mismatches == 0, "\(phantom.name) slice \(slice)")
            }
        }
    }

    @Test func ellipseBoundaryIsInclusiveAndExact() {
        let region = DemoPhantom.Region("r", value: 1, center: (20, 10), semiAxes: (5, 3), extent: .slices(2...4))
        #expect(region.contains(column: 25, row: 10, slice: 3) && !region.contains(column: 26, row: 10, slice: 3))
        #expect(region.contains(column: 20, row: 13, slice: 3) && !region.contains(column: 20, row: 14, slice: 3))
        #expect(!region.contains(column: 20, row: 10, slice: 1) && !region.contains(column: 20, row: 10, slice: 5))
        // (x/5)² + (y/3)² ≤ 1 at x = 4, y = 1: 16/25 + 1/9 = 0.751; at x = 4, y = 2: 16/25 + 4/9 = 1.084.
        #expect(region.span(row: 11, slice: 3) == 16...24)
        #expect(region.span(row: 12, slice: 3) == 17...23)
        // An ellipsoid shrinks away from its centre slice: at dz = 3 of c = 5 the ellipse is 0.8 of its size.
        let ball = DemoPhantom.Region("b", value: 1, center: (0, 0), semiAxes: (10, 10), extent: .ellipsoid(centerSlice: 5, semiAxisSlices: 5))
        #expect(ball.span(row: 0, slice: 8) == -8...8)
        #expect(ball.span(row: 0, slice: 10) == 0...0)
        #expect(ball.span(row: 0, slice: 11) == nil)
    }

    /// The integer span rule agrees with the ellipsoid inequality evaluated in floating point, wherever that is not
    /// within rounding of the boundary.
    @Test func spansAgreeWithTheEllipsoidInequality() {
        var mismatches: [String] = []
        for region in DemoPhantom.chestCT.regions + DemoPhantom.brainMRT1.regions {
            let slices: [Int]
            switch region.extent {
            case .slices(let range): slices = [range.lowerBound, range.upperBound]
            case .ellipsoid(let centre, let c): slices = [centre - c, centre - c / 2, centre, centre + c - 1]
            }
            for slice in slices {
                let a = Double(region.semiAxisColumns), b = Double(region.semiAxisRows)
                var zTerm = 0.0
                if case .ellipsoid(let centre, let c) = region.extent { zTerm = Double((slice - centre) * (slice - centre)) / Double(c * c) }
                for row in (region.centerRow - region.semiAxisRows - 1)...(region.centerRow + region.semiAxisRows + 1) {
                    for column in stride(from: region.centerColumn - region.semiAxisColumns - 1, through: region.centerColumn + region.semiAxisColumns + 1, by: 1) {
                        let dx = Double(column - region.centerColumn), dy = Double(row - region.centerRow)
                        let f = dx * dx / (a * a) + dy * dy / (b * b) + zTerm
                        guard abs(f - 1) > 1e-9 else { continue }
                        if region.contains(column: column, row: row, slice: slice) != (f <= 1) { mismatches.append("\(region.name) at \(column),\(row),\(slice)") }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func integerSquareRootIsExactAtPerfectSquares() {
        for n in [0, 1, 2, 3, 4, 15, 16, 17, 1 << 40, (1 << 40) - 1, 99_999_999_999_999] {
            let r = DemoPhantom.Region.integerSquareRoot(n)
            #expect(r * r <= n && (r + 1) * (r + 1) > n, "\(n)")
        }
    }

    @Test func segmentOfNPixelsMeasuresNTimesThePixelSpacing() throws {
        let ct = DemoPhantom.chestCT
        #expect(abs(ct.horizontalLength(pixels: 100) - 70) < 1e-9)
        #expect(abs(ct.verticalLength(pixels: 49) - 34.3) < 1e-9)
        // The vertebral body is 49 pixels wide on its centre row: 34.3 mm.
        let vertebra = try #require(ct.regions.first { $0.name == "vertebral body" })
        let span = try #require(vertebra.span(row: vertebra.centerRow, slice: 120))
        #expect(span.count == 49)
    }

    @Test func phantomRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(DemoPhantom.chestCT)
        #expect(try JSONDecoder().decode(DemoPhantom.self, from: data) == .chestCT)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"kind\":\"ellipsoid\"") && text.contains("\"firstSlice\":0"))
    }
}

extension DemoPhantom: CustomTestStringConvertible {
    public var testDescription: String { name }
}
