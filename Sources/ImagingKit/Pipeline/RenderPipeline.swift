import DicomCore

/// The grey-scale display pipeline as one value, applied in this order (PS3.3 §C.11, PS3.4 §N.2):
///
/// 1. ``modality`` — stored values to modality values (Rescale Slope/Intercept or Modality LUT Sequence);
/// 2. ``voi`` — modality values to 0…255 (window with its function, VOI LUT, or the auto window);
/// 3. presentation — MONOCHROME1 images are inverted (`255 − g`), and so is everything when ``invert`` is set
///    (both together cancel);
/// 4. ``palette`` — the 8-bit grey level indexes a pseudo-colour map, making the output RGBA;
/// 5. ``output`` — 8-bit grey (1 channel) or RGBA (4 channels).
///
/// Colour images (RGB; YBR_FULL and YBR_FULL_422 converted to RGB) skip 1–4 except ``invert``; PALETTE COLOR
/// images map each stored value through their Palette Color LUTs. Stored values up to 16 bits go through one
/// lookup table built over the frame's value range, so rendering costs one table build and one pass.
///
/// ```swift
/// let file = try DicomFile.read(contentsOf: path)
/// var pipeline = try RenderPipeline(file.dataSet)
/// pipeline.voi = .window(Window.presets["lung"]!)
/// let image = try pipeline.render(StoredFrame(file: file, frame: 0))
/// ```
public struct RenderPipeline: Sendable {
    /// The output layout.
    public enum Output: Sendable, Hashable {
        case gray8
        case rgba8
    }

    public var modality: ModalityLUT
    public var voi: VOITransform
    /// The image is MONOCHROME1: minimum values display white.
    public var isMonochrome1: Bool
    /// The user's invert.
    public var invert: Bool
    public var palette: Palette?
    /// The Palette Color LUTs of a PALETTE COLOR image.
    public var paletteColor: PaletteColorLUT?
    /// Requested output; a palette or a colour image makes it RGBA.
    public var output: Output

    public init(modality: ModalityLUT = .identity, voi: VOITransform = .auto, isMonochrome1: Bool = false, invert: Bool = false,
                palette: Palette? = nil, paletteColor: PaletteColorLUT? = nil, output: Output = .gray8) {
        self.modality = modality
        self.voi = voi
        self.isMonochrome1 = isMonochrome1
        self.invert = invert
        self.palette = palette
        self.paletteColor = paletteColor
        self.output = output
    }

    /// The pipeline a data set asks for: its Modality LUT, its first VOI (``VOITransform/available(in:)``) or the auto
    /// window, MONOCHROME1 inversion, and its Palette Color LUTs for PALETTE COLOR images.
    public init(_ dataSet: DataSet) throws(ImagingError) {
        let photometric = dataSet.string(.photometricInterpretation) ?? "MONOCHROME2"
        self.init(modality: try ModalityLUT(dataSet), voi: VOITransform.available(in: dataSet).first ?? .auto,
                  isMonochrome1: photometric == "MONOCHROME1")
        if photometric == "PALETTE COLOR" { paletteColor = try PaletteColorLUT(dataSet) }
    }

    /// The pipeline frame `frame` (0-based) of a data set asks for: as ``init(_:)`` over
    /// ``DicomCore/DataSet/frameAttributes(_:)``, so an enhanced multi-frame image gets that frame's Pixel Value
    /// Transformation and Frame VOI LUT functional groups (PS3.3 §C.7.6.16.2.9, §C.7.6.16.2.10).
    public init(_ dataSet: DataSet, frame: Int) throws(ImagingError) {
        try self.init(dataSet.frameAttributes(frame))
    }

    /// Whether the presentation stage inverts grey levels.
    public var invertsGray: Bool { isMonochrome1 != invert }

    /// The VOI with `.auto` replaced by the window of `values`.
    public func resolvedVOI<C: Collection>(for values: C) -> VOITransform where C.Element == Float {
        if case .auto = voi { return .window(AutoWindow.window(for: values)) }
        return voi
    }

    /// Modality values of a monochrome frame.
    public func modalityValues(_ frame: StoredFrame) -> Raster<Float> {
        let m = modality
        let values: [Float]
        if case .rescale(let s, let i) = m {
            let fs = Float(s), fi = Float(i)
            values = frame.raster.samples.map { Float($0) * fs + fi }
        } else {
            values = frame.raster.samples.map { Float(m(Int($0))) }
        }
        return Raster(width: frame.raster.width, height: frame.raster.height, channels: frame.raster.channels, samples: values)
    }

    /// Renders a frame. Monochrome frames of up to 16 bits stored use a lookup table over their stored-value range.
    public func render(_ frame: StoredFrame) throws(ImagingError) -> RenderedImage {
        let r = frame.raster
        switch frame.photometricInterpretation {
        case "PALETTE COLOR":
            guard let lut = paletteColor else { throw ImagingError(.invalidLookupTable, "PALETTE COLOR image without Palette Color LUTs") }
            var out = [UInt32](repeating: 0, count: r.width * r.height)
            for i in 0..<out.count { out[i] = lut.rgba(Int(r.samples[i])) }
            if invert { for i in 0..<out.count { out[i] = ~out[i] | 0xFF00_0000 } }
            return Self.rgbaImage(out, width: r.width, height: r.height)
        case "RGB":
            guard r.channels == 3 else { throw ImagingError(.unsupportedImage, "RGB with \(r.channels) samples") }
            let shift = Int32(max(frame.bitsStored - 8, 0))
            var out = [UInt8](repeating: 255, count: r.width * r.height * 4)
            r.samples.withUnsafeBufferPointer { s in
                for p in 0..<(r.width * r.height) {
                    for c in 0..<3 {
                        let v = UInt8(clamping: s[3 * p + c] >> shift)
                        out[4 * p + c] = invert ? 255 - v : v
                    }
                }
            }
            return RenderedImage(width: r.width, height: r.height, channels: 4, samples: out)
        case "MONOCHROME1", "MONOCHROME2":
            if frame.photometricInterpretation == "MONOCHROME1" && !isMonochrome1 {
                var p = self
                p.isMonochrome1 = true
                return try p.render(frame)
            }
            guard r.channels == 1 else { throw ImagingError(.unsupportedImage, "\(frame.photometricInterpretation) with \(r.channels) samples") }
            if frame.bitsStored <= 16 {
                var lo = Int32.max, hi = Int32.min
                for v in r.samples { lo = min(lo, v); hi = max(hi, v) }
                if r.samples.isEmpty { lo = 0; hi = 0 }
                let table = grayTable(lo: Int(lo), hi: Int(hi), autoSource: { modalityValues(frame).samples })
                return applyTable(table, lo: Int(lo), to: r.samples, width: r.width, height: r.height)
            }
            return render(values: modalityValues(frame))
        default:
            throw ImagingError(.unsupportedImage, "Photometric Interpretation \(frame.photometricInterpretation)")
        }
    }

    /// Renders a decoded monochrome frame straight from its little-endian bytes (8 or 16 bits allocated, up to
    /// 16 stored): one pass for the value range, one table over it, one pass through the table. The fast path.
    public func render(decoded frame: DecodedFrame) throws(ImagingError) -> RenderedImage {
        let d = frame.descriptor
        guard d.samplesPerPixel == 1, d.bitsStored <= 16, d.bytesPerSample <= 2, d.photometricInterpretation.hasPrefix("MONOCHROME") else {
            return try render(StoredFrame(frame))
        }
        let n = d.pixelCount
        guard frame.bytes.count >= n * d.bytesPerSample else { throw ImagingError(.decodeFrame, "frame too short") }
        var pipeline = self
        pipeline.isMonochrome1 = pipeline.isMonochrome1 || d.photometricInterpretation == "MONOCHROME1"
        if d.bytesPerSample == 1 {
            let samples = frame.bytes.withUnsafeBufferPointer { p -> [Int32] in
                let shift = UInt8(8 - d.bitsStored), mask = UInt8(truncatingIfNeeded: (1 << d.bitsStored) - 1)
                return d.isSigned ? p.prefix(n).map { Int32(Int8(bitPattern: $0 &<< shift) >> Int8(shift)) } : p.prefix(n).map { Int32($0 & mask) }
            }
            return try pipeline.render(StoredFrame(raster: Raster(width: d.columns, height: d.rows, samples: samples), bitsStored: d.bitsStored,
                                                   isSigned: d.isSigned, photometricInterpretation: "MONOCHROME2"))
        }
        if let kernel = pipeline.windowKernel(bitsStored: d.bitsStored, isSigned: d.isSigned) {
            // One pass, no table: the fitted fixed-point window (exactly the table's output, see WindowKernel).
            let gray = [UInt8](unsafeUninitializedCapacity: n) { out, count in
                frame.bytes.withUnsafeBytes { raw in
                    kernel.apply(raw.baseAddress!.assumingMemoryBound(to: UInt16.self), out.baseAddress!, count: n,
                                 bitsStored: d.bitsStored, isSigned: d.isSigned)
                }
                count = n
            }
            if let palette = pipeline.palette { return Self.paletteImage(gray, palette, width: d.columns, height: d.rows) }
            let image = RenderedImage(width: d.columns, height: d.rows, samples: gray)
            return pipeline.output == .rgba8 ? Self.expandToRGBA(image) : image
        }
        let shift = Int16(16 - d.bitsStored)
        let mask = UInt16(truncatingIfNeeded: (1 << d.bitsStored) - 1)
        let signed = d.isSigned
        // Pass 1: the value range, so that the table covers only values present (a CT frame: a few thousand entries).
        let (lo, hi) = frame.bytes.withUnsafeBytes { raw -> (Int32, Int32) in
            let words = raw.baseAddress!.assumingMemoryBound(to: UInt16.self)
            if signed {
                var l = Int16.max, h = Int16.min
                for i in 0..<n { let v = Int16(bitPattern: UInt16(littleEndian: words[i]) &<< UInt16(shift)) &>> shift; l = Swift.min(l, v); h = Swift.max(h, v) }
                return (Int32(l), Int32(h))
            }
            var l = UInt16.max, h = UInt16.min
            for i in 0..<n { let v = UInt16(littleEndian: words[i]) & mask; l = Swift.min(l, v); h = Swift.max(h, v) }
            return (Int32(l), Int32(h))
        }
        let table = pipeline.grayTable(lo: Int(lo), hi: Int(hi), autoSource: {
            (try? StoredFrame(frame)).map { pipeline.modalityValues($0).samples } ?? []
        })
        // Pass 2: one table lookup per pixel, no bounds checks (every index is in lo...hi by pass 1).
        func map<T>(_ t: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: n) { out, count in
                frame.bytes.withUnsafeBytes { raw in
                    t.withUnsafeBufferPointer { tb in
                        let words = raw.baseAddress!.assumingMemoryBound(to: UInt16.self)
                        let o = out.baseAddress!
                        if signed {
                            let table = tb.baseAddress! - Int(lo)
                            for i in 0..<n { (o + i).initialize(to: table[Int(Int16(bitPattern: UInt16(littleEndian: words[i]) &<< UInt16(shift)) &>> shift)]) }
                        } else {
                            let table = tb.baseAddress! - Int(lo)
                            for i in 0..<n { (o + i).initialize(to: table[Int(UInt16(littleEndian: words[i]) & mask)]) }
                        }
                    }
                }
                count = n
            }
        }
        if let palette = pipeline.palette {
            let rgba = map(table.map { palette.rgba[Int($0)] })
            let bytes = rgba.withUnsafeBytes { [UInt8]($0) }  // RGBA bytes in memory order
            return RenderedImage(width: d.columns, height: d.rows, channels: 4, samples: bytes)
        }
        let image = RenderedImage(width: d.columns, height: d.rows, samples: map(table))
        return pipeline.output == .rgba8 ? Self.expandToRGBA(image) : image
    }

    /// Renders modality values (after filters, or of frames deeper than 16 bits) pixel by pixel.
    public func render(values: Raster<Float>) -> RenderedImage {
        let voi = resolvedVOI(for: values.samples)
        let inv = invertsGray
        var gray = [UInt8](repeating: 0, count: values.samples.count)
        for i in 0..<gray.count {
            let g = voi.gray8(Double(values.samples[i]))
            gray[i] = inv ? 255 - g : g
        }
        return finish(gray, width: values.width, height: values.height)
    }

    /// The window as fixed-point arithmetic over stored values of `bitsStored` bits, when the pipeline is a rescale
    /// followed by a LINEAR or LINEAR_EXACT window (monotone in the stored value) and constants reproduce its table.
    func windowKernel(bitsStored: Int, isSigned: Bool) -> WindowKernel? {
        guard (2...16).contains(bitsStored), case .rescale(let slope, let intercept) = modality, slope != 0,
              case .window(let window) = voi, window.function != .sigmoid else { return nil }
        let width = window.function == .linear ? max(window.width, 1) - 1 : window.width
        guard width > 0 else { return nil }
        let inv = invertsGray
        let range = isSigned ? -(1 << (bitsStored - 1))...((1 << (bitsStored - 1)) - 1) : 0...((1 << bitsStored) - 1)
        let key = WindowKernelCache.Key(slope: slope, intercept: intercept, window: window, inverts: inv, bitsStored: bitsStored, isSigned: isSigned)
        return WindowKernelCache.shared.kernel(key) {
            WindowKernel.fit(range: range, isSigned: isSigned, slope: 255 * slope / width * (inv ? -1 : 1)) { v in
                let g = voi.gray8(slope * Double(v) + intercept)
                return inv ? 255 - g : g
            }
        }
    }

    /// The 8-bit grey level (after VOI and presentation, before the palette) of every stored value in `lo...hi`.
    func grayTable(lo: Int, hi: Int, autoSource: () -> [Float]) -> [UInt8] {
        let voi: VOITransform
        if case .auto = self.voi { voi = .window(AutoWindow.window(for: autoSource())) } else { voi = self.voi }
        let inv = invertsGray
        var table = [UInt8](repeating: 0, count: hi - lo + 1)
        let m = modality
        table.withUnsafeMutableBufferPointer { t in
            do {
                for k in 0..<t.count {
                    let g = voi.gray8(m(lo + k))
                    t[k] = inv ? 255 - g : g
                }
            }
        }
        return table
    }

    func applyTable(_ table: [UInt8], lo: Int, to samples: [Int32], width: Int, height: Int) -> RenderedImage {
        var out = [UInt8](repeating: 0, count: samples.count)
        out.withUnsafeMutableBufferPointer { o in
            table.withUnsafeBufferPointer { t in
                samples.withUnsafeBufferPointer { s in
                    for i in 0..<s.count { o[i] = t[Int(s[i]) - lo] }
                }
            }
        }
        return finish(out, width: width, height: height)
    }

    /// Palette and output stages.
    func finish(_ gray: [UInt8], width: Int, height: Int) -> RenderedImage {
        if let palette { return Self.paletteImage(gray, palette, width: width, height: height) }
        let image = RenderedImage(width: width, height: height, samples: gray)
        return output == .rgba8 ? Self.expandToRGBA(image) : image
    }

    /// Grey levels through a palette's 256 colours, written as RGBA bytes in one pass.
    static func paletteImage(_ gray: [UInt8], _ palette: Palette, width: Int, height: Int) -> RenderedImage {
        let n = gray.count
        guard palette.rgba.count >= 256 else {  // a hand-made palette short of 256 colours: its last colour repeats
            let last = palette.rgba.last ?? 0xFF00_0000
            return rgbaImage(gray.map { Int($0) < palette.rgba.count ? palette.rgba[Int($0)] : last }, width: width, height: height)
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: 4 * n) { out, count in
            palette.rgba.withUnsafeBufferPointer { colors in
                gray.withUnsafeBufferPointer { g in
                    let table = colors.baseAddress!, o = UnsafeMutableRawPointer(out.baseAddress!)
                    for i in 0..<n { o.storeBytes(of: table[Int(g[i])].littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
                }
            }
            count = 4 * n
        }
        return RenderedImage(width: width, height: height, channels: 4, samples: bytes)
    }

    static func rgbaImage(_ pixels: [UInt32], width: Int, height: Int) -> RenderedImage {
        var bytes = [UInt8](repeating: 0, count: pixels.count * 4)
        for (i, p) in pixels.enumerated() {
            bytes[4 * i] = UInt8(p & 0xFF); bytes[4 * i + 1] = UInt8(p >> 8 & 0xFF); bytes[4 * i + 2] = UInt8(p >> 16 & 0xFF); bytes[4 * i + 3] = UInt8(p >> 24)
        }
        return RenderedImage(width: width, height: height, channels: 4, samples: bytes)
    }

    static func expandToRGBA(_ image: RenderedImage) -> RenderedImage {
        var bytes = [UInt8](repeating: 255, count: image.samples.count * 4)
        for (i, g) in image.samples.enumerated() { bytes[4 * i] = g; bytes[4 * i + 1] = g; bytes[4 * i + 2] = g }
        return RenderedImage(width: image.width, height: image.height, channels: 4, samples: bytes)
    }
}
