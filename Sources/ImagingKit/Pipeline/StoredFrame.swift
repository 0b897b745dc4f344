import DicomCore

/// One frame's stored values as signed integers: masked to Bits Stored and sign-extended (PS3.5 §8.1.1),
/// colour samples interleaved. The input of ``ModalityLUT``.
public struct StoredFrame: Sendable {
    /// Stored values; for unsigned 32-bit data, values above `Int32.max` are clamped to it.
    public var raster: Raster<Int32>
    public var bitsStored: Int
    public var isSigned: Bool
    /// Photometric Interpretation of `raster`: `MONOCHROME1`, `MONOCHROME2`, `PALETTE COLOR`, `RGB`
    /// (YBR_FULL and YBR_FULL_422 are converted to RGB on the way in).
    public var photometricInterpretation: String

    public init(raster: Raster<Int32>, bitsStored: Int, isSigned: Bool, photometricInterpretation: String) {
        self.raster = raster
        self.bitsStored = bitsStored
        self.isSigned = isSigned
        self.photometricInterpretation = photometricInterpretation
    }

    /// The smallest and largest value Bits Stored and Pixel Representation allow.
    public var storedRange: ClosedRange<Int> {
        let b = min(bitsStored, 32)
        return isSigned ? -(1 << (b - 1))...((1 << (b - 1)) - 1) : 0...min((1 << b) - 1, Int(Int32.max))
    }

    public var isMonochrome: Bool { photometricInterpretation.hasPrefix("MONOCHROME") }

    /// Stored values of a decoded frame (`DicomFile.decodedFrame(_:)`): YBR_FULL is converted to RGB.
    public init(_ frame: DecodedFrame) throws(ImagingError) {
        let d = frame.descriptor
        let n = d.pixelCount * d.samplesPerPixel
        guard frame.bytes.count >= n * d.bytesPerSample else { throw ImagingError(.decodeFrame, "frame holds \(frame.bytes.count) bytes") }
        var out = [Int32](repeating: 0, count: n)
        let bits = min(d.bitsStored, 32)
        frame.bytes.withUnsafeBytes { raw in
            switch d.bytesPerSample {
            case 1:
                let p = raw.bindMemory(to: UInt8.self)
                let shift = 8 - bits
                for i in 0..<n {
                    out[i] = d.isSigned ? Int32(Int8(bitPattern: p[i] &<< UInt8(shift)) >> Int8(shift)) : Int32(p[i] & UInt8(truncatingIfNeeded: (1 << bits) - 1))
                }
            case 2:
                let shift = UInt16(16 - bits), mask = UInt16(truncatingIfNeeded: (1 << bits) - 1)
                for i in 0..<n {
                    let v = UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8
                    out[i] = d.isSigned ? Int32(Int16(bitPattern: v &<< shift) >> Int16(shift)) : Int32(v & mask)
                }
            case 4:
                let shift = UInt32(32 - bits), mask = bits == 32 ? UInt32.max : UInt32((1 << bits) - 1)
                for i in 0..<n {
                    let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian
                    out[i] = d.isSigned ? Int32(bitPattern: v &<< shift) >> Int32(shift) : Int32(clamping: v & mask)
                }
            default:
                break
            }
        }
        guard [1, 2, 4].contains(d.bytesPerSample) else { throw ImagingError(.unsupportedImage, "\(d.bitsAllocated) bits allocated") }
        // Colour samples deeper than 16 bits keep their top 16 bits: enough for display, and no clamping of
        // unsigned 32-bit values into Int32.
        var storedBits = d.bitsStored
        if d.samplesPerPixel > 1 && d.bitsStored > 16 && d.bytesPerSample == 4 {
            let shift = UInt32(d.bitsStored - 16)
            frame.bytes.withUnsafeBytes { raw in
                for i in 0..<n { out[i] = Int32(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian >> shift & 0xFFFF) }
            }
            storedBits = 16
        }
        self.init(raster: Raster(width: d.columns, height: d.rows, channels: d.samplesPerPixel, samples: out),
                  bitsStored: storedBits, isSigned: d.isSigned, photometricInterpretation: d.photometricInterpretation)
        if photometricInterpretation == "YBR_FULL" || photometricInterpretation == "YBR_FULL_422" {
            ColorConversion.ybrFullToRGB(&raster, maxValue: Int32((1 << min(bitsStored, 16)) - 1))
            photometricInterpretation = "RGB"
        }
    }

    /// Frame `index` (0-based) of a file. Native YBR_FULL_422 (two samples of luminance to one pair of chrominance,
    /// PS3.3 §C.7.6.3.1.2) is upsampled here; everything else goes through `DicomFile.decodedFrame(_:)`.
    public init(file: DicomFile, frame index: Int) throws(ImagingError) {
        let ds = file.dataSet
        if ds.string(.photometricInterpretation) == "YBR_FULL_422", case .bytes? = ds.pixelDataElement?.value, ds.int(.bitsAllocated) == 8 {
            guard let rows = ds.int(.rows), let cols = ds.int(.columns), rows > 0, cols > 0, let all = ds.pixelDataElement?.bytes else {
                throw ImagingError(.decodeFrame, "Rows or Columns missing")
            }
            let length = rows * cols * 2
            let start = all.startIndex + index * length
            guard index >= 0, index < ds.numberOfFrames, start + length <= all.endIndex else {
                throw ImagingError(.decodeFrame, "frame \(index + 1) of a YBR_FULL_422 image is past the end of Pixel Data")
            }
            var out = [Int32](repeating: 0, count: rows * cols * 3)
            for y in 0..<rows {
                for x in 0..<cols {
                    let pair = start + (y * cols + (x & ~1)) * 2
                    let yy = all[pair + (x & 1)]
                    let cb = all[pair + 2], cr = all[pair + 3]
                    let o = (y * cols + x) * 3
                    out[o] = Int32(yy); out[o + 1] = Int32(cb); out[o + 2] = Int32(cr)
                }
            }
            var raster = Raster(width: cols, height: rows, channels: 3, samples: out)
            ColorConversion.ybrFullToRGB(&raster, maxValue: 255)
            self.init(raster: raster, bitsStored: 8, isSigned: false, photometricInterpretation: "RGB")
            return
        }
        let decoded: DecodedFrame
        do { decoded = try file.decodedFrame(index) } catch { throw ImagingError(.decodeFrame, error.description) }
        try self.init(decoded)
    }
}

/// Colour space conversions (PS3.3 §C.7.6.3.1.2).
public enum ColorConversion {
    /// YBR_FULL → RGB in place, with the ITU-R BT.601 full-range equations of PS3.3 §C.7.6.3.1.2.
    public static func ybrFullToRGB(_ raster: inout Raster<Int32>, maxValue: Int32 = 255) {
        guard raster.channels == 3 else { return }
        let half = Double(maxValue + 1) / 2
        let top = Double(maxValue)
        raster.samples.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 3) {
                let y = Double(p[i]), cb = Double(p[i + 1]) - half, cr = Double(p[i + 2]) - half
                let r = y + 1.402 * cr
                let g = y - 0.344136 * cb - 0.714136 * cr
                let b = y + 1.772 * cb
                p[i] = Int32(min(max(r.rounded(), 0), top))
                p[i + 1] = Int32(min(max(g.rounded(), 0), top))
                p[i + 2] = Int32(min(max(b.rounded(), 0), top))
            }
        }
    }
}
