@testable import DicomCore
import Testing
@testable import ImagingKit

@Suite struct WindowTests {
    /// (bits stored, signed) combinations of 8, 12 and 16 bits.
    static let depths: [(Int, Bool)] = [(8, false), (8, true), (12, false), (12, true), (16, false), (16, true)]

    static func allValues(bits: Int, signed: Bool) -> [Int32] {
        let lo = signed ? -(1 << (bits - 1)) : 0, hi = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
        return (lo...hi).map { Int32($0) }
    }

    @Test(arguments: depths) func linearWindowMatchesTheStandardFormulaForEveryStoredValue(bits: Int, signed: Bool) throws {
        let values = Self.allValues(bits: bits, signed: signed)
        let span = Double(1 << bits)
        for (c, w) in [(signed ? 0 : span / 2, span / 3), (signed ? -10.5 : 100.25, 37.5), (signed ? 5 : 50, 1), (signed ? 0 : span / 2, 2)] {
            let pipeline = RenderPipeline(modality: .identity, voi: .window(Window(center: c, width: w)))
            let image = try pipeline.render(Support.frame(values, bits: bits, signed: signed))
            let expected = values.map { Support.linear(Double($0), c: c, w: max(w, 1)) }
            #expect(image.samples == expected, "C \(c) W \(w), \(bits) bits \(signed ? "signed" : "unsigned")")
        }
    }

    @Test(arguments: depths) func linearExactAndSigmoidMatchTheStandardFormulas(bits: Int, signed: Bool) throws {
        let values = Self.allValues(bits: bits, signed: signed)
        let c = signed ? -3.0 : Double(1 << (bits - 1)), w = Double(1 << bits) / 5
        let exact = try RenderPipeline(voi: .window(Window(center: c, width: w, function: .linearExact))).render(Support.frame(values, bits: bits, signed: signed))
        #expect(exact.samples == values.map { Support.linearExact(Double($0), c: c, w: w) })
        let sigmoid = try RenderPipeline(voi: .window(Window(center: c, width: w, function: .sigmoid))).render(Support.frame(values, bits: bits, signed: signed))
        #expect(sigmoid.samples == values.map { Support.sigmoid(Double($0), c: c, w: w) })
    }

    @Test func windowAppliesToModalityValuesAfterSlopeAndIntercept() throws {
        let values = Self.allValues(bits: 12, signed: false)
        for (slope, intercept) in [(1.0, -1024.0), (0.37, -3.25), (2.5, 0), (-1.0, 100), (1e-4, 0.5)] {
            let window = Window(center: 40, width: 400)
            let image = try RenderPipeline(modality: .rescale(slope: slope, intercept: intercept), voi: .window(window))
                .render(Support.frame(values, bits: 12, signed: false))
            #expect(image.samples == values.map { Support.linear(slope * Double($0) + intercept, c: 40, w: 400) }, "slope \(slope) intercept \(intercept)")
        }
    }

    @Test func zeroOrMissingSlopeReadsAsOne() throws {
        var ds = DataSet()
        try ds.setString("0", for: Tag(0x0028, 0x1053), vr: .DS)
        try ds.setString("-1024", for: Tag(0x0028, 0x1052), vr: .DS)
        #expect(try ModalityLUT(ds) == .rescale(slope: 1, intercept: -1024))
        #expect(try ModalityLUT(DataSet()) == .identity)
    }

    @Test func monochrome1AndUserInvertEachInvertAndCancelTogether() throws {
        let values = Self.allValues(bits: 12, signed: false)
        let window = Window(center: 2000, width: 3000)
        let plain = values.map { Support.linear(Double($0), c: 2000, w: 3000) }
        let mono1 = try RenderPipeline(voi: .window(window)).render(Support.frame(values, bits: 12, signed: false, photometric: "MONOCHROME1"))
        #expect(mono1.samples == plain.map { 255 - $0 })
        let inverted = try RenderPipeline(voi: .window(window), invert: true).render(Support.frame(values, bits: 12, signed: false))
        #expect(inverted.samples == plain.map { 255 - $0 })
        let both = try RenderPipeline(voi: .window(window), invert: true).render(Support.frame(values, bits: 12, signed: false, photometric: "MONOCHROME1"))
        #expect(both.samples == plain)
    }

    @Test func fastPathFromDecodedBytesEqualsTheGeneralPath() throws {
        for (bits, signed) in [(12, true), (16, true), (16, false), (12, false)] {
            let values = Self.allValues(bits: bits, signed: signed)
            var bytes: [UInt8] = []
            for v in values { let u = UInt16(truncatingIfNeeded: v); bytes += [UInt8(u & 0xFF), UInt8(u >> 8)] }
            let descriptor = ImageDescriptor(rows: 1, columns: values.count, bitsAllocated: 16, bitsStored: bits, isSigned: signed)
            let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(Window(center: -600, width: 1500)))
            let fast = try pipeline.render(decoded: DecodedFrame(bytes: bytes, descriptor: descriptor))
            let general = pipeline.render(values: pipeline.modalityValues(Support.frame(values, bits: bits, signed: signed)))
            #expect(fast == general)
        }
    }

    @Test func voiLUTScalesItsEntriesToEightBits() throws {
        let lut = LookupTable(firstMapped: 10, bits: 12, entries: (0..<100).map { $0 * 40 })
        let image = try RenderPipeline(voi: .table(lut)).render(Support.frame([0, 10, 50, 109, 500], bits: 16, signed: false))
        #expect(image.samples == [0, 0, UInt8((Double(40 * 40) * 255 / 4095).rounded()), UInt8((Double(99 * 40) * 255 / 4095).rounded()), UInt8((Double(99 * 40) * 255 / 4095).rounded())])
    }

    @Test func multipleWindowsAreOfferedWithTheirExplanations() throws {
        var ds = DataSet()
        try ds.setStrings(["40", "-600"], for: Tag(0x0028, 0x1050), vr: .DS)
        try ds.setStrings(["400", "1500"], for: Tag(0x0028, 0x1051), vr: .DS)
        try ds.setStrings(["SOFT TISSUE", "LUNG"], for: Tag(0x0028, 0x1055), vr: .LO)
        let available = VOITransform.available(in: ds)
        #expect(available == [.window(Window(center: 40, width: 400, explanation: "SOFT TISSUE")), .window(Window(center: -600, width: 1500, explanation: "LUNG"))])
        #expect(available[1].explanation == "C -600 W 1500 (LUNG)")
    }

    @Test func autoWindowSpansTheBulkOfTheHistogram() {
        var values = [Float](repeating: 0, count: 10_000)
        for i in 0..<values.count { values[i] = Float(i % 1000) }
        values[0] = -30_000
        values[1] = 30_000
        let w = AutoWindow.window(for: values)
        #expect(abs(w.center - 500) < 40)
        #expect(w.width > 900 && w.width < 1200)
    }

    @Test func paletteMakesRGBAFromTheGrayLevel() throws {
        let image = try RenderPipeline(voi: .window(Window(center: 127.5, width: 256)), palette: .hotIron).render(Support.frame([0, 255], bits: 8, signed: false))
        #expect(image.channels == 4)
        #expect(Array(image.samples[0..<4]) == [0, 0, 0, 255])
        #expect(Array(image.samples[4..<8]) == [255, 255, 255, 255])
        for name in Palette.builtInNames { #expect(Palette.named(name)?.rgba.count == 256) }
    }

    @Test func ybrFullConvertsToRGB() {
        var r = Raster<Int32>(width: 2, height: 1, channels: 3, samples: [76, 85, 255, 128, 128, 128])
        ColorConversion.ybrFullToRGB(&r)
        #expect(Array(r.samples[0..<3]) == [254, 0, 0] || Array(r.samples[0..<3]) == [255, 0, 0])
        #expect(Array(r.samples[3..<6]) == [128, 128, 128])
    }
}

/// The decoded-frame fast path (a fitted fixed-point window, else a table) against the StoredFrame table path.
@Suite struct WindowKernelTests {
    /// Every stored value of the depth, as a little-endian 16-bit frame, rendered both ways.
    static func compare(bits: Int, signed: Bool, modality: ModalityLUT, window: Window, invert: Bool, monochrome1: Bool = false) throws -> Bool {
        let values = WindowTests.allValues(bits: bits, signed: signed)
        var bytes: [UInt8] = []
        for v in values { let w = UInt16(truncatingIfNeeded: v); bytes += [UInt8(w & 0xFF), UInt8(w >> 8)] }
        let descriptor = ImageDescriptor(rows: 1, columns: values.count, bitsAllocated: 16, bitsStored: bits, isSigned: signed)
        let pipeline = RenderPipeline(modality: modality, voi: .window(window), isMonochrome1: monochrome1, invert: invert)
        let fast = try pipeline.render(decoded: DecodedFrame(bytes: bytes, descriptor: descriptor))
        let table = try pipeline.render(Support.frame(values, bits: bits, signed: signed))
        return fast.samples == table.samples
    }

    @Test(arguments: [(12, false), (12, true), (16, false), (16, true), (10, true)])
    func fittedWindowEqualsTheTableForEveryStoredValue(bits: Int, signed: Bool) throws {
        var state: UInt64 = UInt64(bits) &* 977 &+ (signed ? 1 : 0)
        func random(_ range: ClosedRange<Double>) -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Double(state >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
        }
        var cases: [(ModalityLUT, Window)] = Window.presets.values.map { (.rescale(slope: 1, intercept: -1024), $0) }
        for _ in 0..<12 {
            let function: VOIFunction = random(0...1) < 0.5 ? .linear : .linearExact
            cases.append((.rescale(slope: [1, 0.5, 2.5, -1, 0.37][Int(random(0...4.99))], intercept: random(-2000...100)),
                          Window(center: random(-1000...3000), width: random(1...5000), function: function)))
        }
        cases.append((.identity, Window(center: 0.5, width: 1)))
        cases.append((.identity, Window(center: 7, width: 2)))
        for (modality, window) in cases {
            for invert in [false, true] {
                #expect(try Self.compare(bits: bits, signed: signed, modality: modality, window: window, invert: invert),
                        "\(modality) \(window) invert \(invert)")
            }
        }
        #expect(try Self.compare(bits: bits, signed: signed, modality: .identity, window: Window(center: 100, width: 300), invert: false, monochrome1: true))
    }

    @Test func paletteAfterTheFittedWindowEqualsTheTablePath() throws {
        for (bits, signed) in [(12, false), (16, true)] {
            let values = WindowTests.allValues(bits: bits, signed: signed)
            var bytes: [UInt8] = []
            for v in values { let w = UInt16(truncatingIfNeeded: v); bytes += [UInt8(w & 0xFF), UInt8(w >> 8)] }
            let descriptor = ImageDescriptor(rows: 1, columns: values.count, bitsAllocated: 16, bitsStored: bits, isSigned: signed)
            for (palette, invert) in [(Palette.hotIron, true), (Palette.named("jet")!, false)] {
                let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(Window(center: 40, width: 400)),
                                              invert: invert, palette: palette)
                #expect(pipeline.windowKernel(bitsStored: bits, isSigned: signed) != nil)
                let fast = try pipeline.render(decoded: DecodedFrame(bytes: bytes, descriptor: descriptor))
                #expect(fast.channels == 4)
                #expect(fast == (try pipeline.render(Support.frame(values, bits: bits, signed: signed))), "\(palette.name) \(bits) \(signed)")
            }
        }
    }

    @Test func kernelsAreRememberedPerWindowInvertAndDepth() throws {
        let plain = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(Window(center: 40, width: 400)))
        var inverted = plain
        inverted.invert = true
        let first = plain.windowKernel(bitsStored: 16, isSigned: true)
        #expect(first != nil && plain.windowKernel(bitsStored: 16, isSigned: true) == first)
        #expect(inverted.windowKernel(bitsStored: 16, isSigned: true) != first)
        #expect(plain.windowKernel(bitsStored: 12, isSigned: false) != first)
        // What comes back from the cache is the exact window, plain and inverted.
        let k = try #require(plain.windowKernel(bitsStored: 16, isSigned: true))
        let ki = try #require(inverted.windowKernel(bitsStored: 16, isSigned: true))
        for v in -200...1600 {
            let g = Support.linear(Double(v - 1024), c: 40, w: 400)
            #expect(k.gray(key: Int16(v)) == g && ki.gray(key: Int16(v)) == 255 - g, "\(v)")
        }
    }

    /// The AVX2 loop (where this CPU has it) and the portable loop give the same bytes for every key kind, every
    /// stored value and lengths that leave a tail after the 32-value rounds; on a CPU without AVX2 both calls take
    /// the portable loop and the test says so.
    @Test(arguments: [(16, true), (12, true), (10, true), (16, false), (12, false), (8, false)])
    func simdLoopEqualsThePortableLoop(bits: Int, signed: Bool) throws {
        if !WindowKernel.hasAVX2 { print("WindowKernel: this CPU has no AVX2; only the portable loop ran") }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(bits)
        func next() -> UInt16 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt16(truncatingIfNeeded: state >> 33)
        }
        // Every 16-bit word (so garbage above the stored bits too), then random words, 65536 + 45 in all.
        let words = (0...65535).map { UInt16($0) } + (0..<45).map { _ in next() }
        let windows = Window.presets.keys.sorted().map { Window.presets[$0]! } + [Window(center: 300, width: 8)]
        for window in windows {
            for invert in [false, true] {
                let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(window), invert: invert)
                let kernel = try #require(pipeline.windowKernel(bitsStored: bits, isSigned: signed), "\(window)")
                for count in [0, 1, 31, 32, 33, 63, 100, words.count] {
                    var simd = [UInt8](repeating: 0xA5, count: count + 1), portable = simd
                    words.withUnsafeBufferPointer { w in
                        kernel.apply(w.baseAddress!, &simd, count: count, bitsStored: bits, isSigned: signed)
                        kernel.apply(w.baseAddress!, &portable, count: count, bitsStored: bits, isSigned: signed, simd: false)
                    }
                    #expect(simd == portable, "\(bits) bits signed \(signed) \(window) invert \(invert) count \(count)")
                    #expect(simd[count] == 0xA5, "wrote past the end: count \(count)")
                }
            }
        }
    }

    @Test func ctPresetsUseTheFittedKernel() {
        for (name, window) in Window.presets {
            let pipeline = RenderPipeline(modality: .rescale(slope: 1, intercept: -1024), voi: .window(window))
            #expect(pipeline.windowKernel(bitsStored: 16, isSigned: true) != nil, "\(name)")
            #expect(pipeline.windowKernel(bitsStored: 12, isSigned: false) != nil, "\(name)")
        }
    }
}
