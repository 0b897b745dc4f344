import DicomCore
import Foundation
import ImagingKit

/// `FrameWireEncoder` timings: the MIF1 encode that mi-server pays for every frame of a first view (before gzip),
/// for a 512x512 signed 16-bit CT-like frame (smooth phantom plus noise) and a 512x512 8-bit RGB frame, packed and
/// planar. Printed in ns per sample (a sample being one value: a pixel of the CT, one colour of the RGB frame).
enum FrameWireTiming {
    /// A deterministic noise source (an LCG), so that every run times the same frames.
    struct Noise {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        /// A value in -amplitude...amplitude, roughly triangular (the sum of two uniform draws).
        mutating func next(_ amplitude: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = Int((state >> 33) % UInt64(amplitude + 1)), b = Int((state >> 13) % UInt64(amplitude + 1))
            return a - b
        }
    }

    /// A CT-like slice in stored values (Rescale Intercept 0, so air is negative): air outside an elliptic body, soft tissue
    /// with a slow gradient, a bright "bone" ring and two darker organs, then noise of a few HU everywhere.
    static func ctPhantom(_ size: Int) throws -> DecodedFrame {
        var noise = Noise()
        var bytes = [UInt8](repeating: 0, count: size * size * 2)
        let c = Double(size) / 2
        for y in 0..<size {
            for x in 0..<size {
                let dx = (Double(x) - c) / (0.45 * Double(size)), dy = (Double(y) - c) / (0.35 * Double(size))
                let r = (dx * dx + dy * dy).squareRoot()
                var v: Int
                if r > 1 { v = -1000 + noise.next(6) }
                else if r > 0.93 { v = 700 + Int(200 * (r - 0.93) / 0.07) + noise.next(12) }
                else {
                    v = 40 + Int(20 * dx) + noise.next(10)
                    let ox = dx - 0.35, oy = dy + 0.1
                    if ox * ox + oy * oy < 0.04 { v += 25 }
                    if (dx + 0.3) * (dx + 0.3) + dy * dy < 0.02 { v = -800 + noise.next(20) }
                }
                let stored = Int16(v)   // stored = HU (Rescale Intercept 0): negative values, as in many CTs
                bytes[2 * (y * size + x)] = UInt8(truncatingIfNeeded: stored)
                bytes[2 * (y * size + x) + 1] = UInt8(truncatingIfNeeded: stored >> 8)
            }
        }
        return try frame(bytes, size: size, samples: 1, bits: 16, signed: true)
    }

    /// A photo-like 8-bit RGB frame: three slow gradients with noise, interleaved.
    static func rgbPhantom(_ size: Int) throws -> DecodedFrame {
        var noise = Noise()
        var bytes = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let base = [x / 2, y / 2, (x + y) / 4]
                for k in 0..<3 { bytes[3 * (y * size + x) + k] = UInt8(clamping: base[k] + noise.next(4)) }
            }
        }
        return try frame(bytes, size: size, samples: 3, bits: 8, signed: false)
    }

    /// A decoded frame of `bytes` through a DICOM data set, as a server gets it.
    static func frame(_ bytes: [UInt8], size: Int, samples: Int, bits: Int, signed: Bool) throws -> DecodedFrame {
        try DicomFile(dataSet: try dataSet(bytes, size: size, samples: samples, bits: bits, signed: signed),
                      transferSyntax: .explicitVRLittleEndian).decodedFrame(0)
    }

    /// A square image's data set with `bytes` as its Pixel Data.
    static func dataSet(_ bytes: [UInt8], size: Int, samples: Int, bits: Int, signed: Bool) throws -> DataSet {
        var ds = DataSet()
        try ds.setInts([size], for: .rows)
        try ds.setInts([size], for: .columns)
        try ds.setInts([samples], for: .samplesPerPixel)
        try ds.setString(samples == 3 ? "RGB" : "MONOCHROME2", for: .photometricInterpretation)
        if samples == 3 { try ds.setInts([0], for: .planarConfiguration) }
        try ds.setInts([bits], for: .bitsAllocated)
        try ds.setInts([bits], for: .bitsStored)
        try ds.setInts([bits - 1], for: .highBit)
        try ds.setInts([signed ? 1 : 0], for: .pixelRepresentation)
        ds.set(DataElement(tag: .pixelData, vr: bits == 8 ? .OB : .OW, bytes: bytes))
        return ds
    }

    /// The lines to print: median time of `runs` encodes per case, in µs and ns per sample, and the encoded size.
    static func lines(runs: Int, median: (Int, () -> Void) -> Double) throws -> [String] {
        let frames = [("CT 512x512 s16", try ctPhantom(512)), ("RGB 512x512 u8", try rgbPhantom(512))]
        var out: [String] = []
        var sink = 0
        for (name, frame) in frames {
            let samples = Double(frame.descriptor.pixelCount * frame.descriptor.samplesPerPixel)
            for packed in [true, false] {
                let size = try FrameWireEncoder.encode(frame, packed: packed).count
                let us = median(runs) { sink &+= (try? FrameWireEncoder.encode(frame, packed: packed))?.count ?? 0 }
                out.append("imaging-bench: FrameWire encode \(name) \(packed ? "packed" : "planar") "
                           + "\(String(format: "%.0f", us)) us, \(String(format: "%.2f", us * 1000 / samples)) ns/sample, \(size) bytes")
            }
        }
        out += try coldPath(runs: runs, median: median, sink: &sink)
        out.append("(wire sink \(sink))")
        return out
    }

    /// The steps of mi-server's first answer for a CT frame (`PixelService.wirePiece` less the file read and the
    /// cache): parse the file's bytes, decode the frame, encode it packed, gzip it at level 1 as the server does.
    static func coldPath(runs: Int, median: (Int, () -> Void) -> Double, sink: inout Int) throws -> [String] {
        let phantom = try dataSet(try ctPhantom(512).bytes, size: 512, samples: 1, bits: 16, signed: true)
        let bytes = try DicomFile(dataSet: phantom, transferSyntax: .explicitVRLittleEndian).encoded(as: .explicitVRLittleEndian)
        let file = try DicomFile(bytes: bytes)
        let frame = try file.decodedFrame(0)
        let wire = try FrameWireEncoder.encode(frame, packed: true)
        var total = 0
        let parse = median(runs) { total &+= (try? DicomFile(bytes: bytes))?.dataSet.count ?? 0 }
        let decode = median(runs) { total &+= (try? file.decodedFrame(0))?.bytes.count ?? 0 }
        let encode = median(runs) { total &+= (try? FrameWireEncoder.encode(frame, packed: true))?.count ?? 0 }
        let gzip = median(runs) { total &+= (try? Gzip.Piece(wire))?.deflated.count ?? 0 }
        let gzipped = try Gzip.Piece(wire).deflated.count
        sink &+= total
        func f(_ v: Double) -> String { String(format: "%.0f", v) }
        return ["imaging-bench: FrameWire cold path CT 512x512 (\(bytes.count) byte file): DicomFile(bytes:) \(f(parse)) us, "
                + "decodedFrame \(f(decode)) us, encode packed \(f(encode)) us, gzip level 1 \(f(gzip)) us (\(wire.count) -> \(gzipped) bytes)"]
    }
}
