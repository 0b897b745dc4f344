#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// A baseline JPEG writer (ITU-T T.81, JFIF): 8-bit grey or YCbCr 4:4:4 from RGB/RGBA, the quantisation tables of
/// T.81 Annex K scaled by quality as libjpeg does, the Annex K Huffman tables, a separable floating-point DCT.
/// For thumbnails and previews; DicomCore's codecs handle JPEG inside DICOM.
public enum JPEGEncoder {
    /// Encodes a rendered image (1 channel → grey; 3 or 4 → YCbCr, alpha dropped) at `quality` 1–100.
    public static func encode(_ image: RenderedImage, quality: Int = 90) throws(ImagingError) -> [UInt8] {
        guard [1, 3, 4].contains(image.channels) else { throw ImagingError(.invalidArgument, "JPEG of \(image.channels) channels") }
        guard image.width > 0, image.height > 0, image.width <= 65535, image.height <= 65535 else {
            throw ImagingError(.invalidArgument, "JPEG of \(image.width)x\(image.height)")
        }
        let q = min(max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        func table(_ base: [Int]) -> [Int] { base.map { min(max(($0 * scale + 50) / 100, 1), 255) } }
        let lumaQ = table(lumaBase), chromaQ = table(chromaBase)
        let components = image.channels == 1 ? 1 : 3

        var out = BitWriter()
        out.bytes.reserveCapacity(image.width * image.height / 4 + 1024)
        out.bytes += [0xFF, 0xD8]
        out.bytes += [0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        for (id, t) in [lumaQ, chromaQ].prefix(components == 1 ? 1 : 2).enumerated() {
            out.bytes += [0xFF, 0xDB, 0, 67, UInt8(id)]
            out.bytes += zigzag.map { UInt8(t[$0]) }
        }
        out.bytes += [0xFF, 0xC0, 0, UInt8(8 + 3 * components), 8,
                      UInt8(image.height >> 8), UInt8(image.height & 0xFF), UInt8(image.width >> 8), UInt8(image.width & 0xFF), UInt8(components)]
        for c in 0..<components { out.bytes += [UInt8(c + 1), 0x11, c == 0 ? 0 : 1] }
        let tables = components == 1 ? [(0x00, dcLumaBits, dcLumaValues), (0x10, acLumaBits, acLumaValues)]
            : [(0x00, dcLumaBits, dcLumaValues), (0x10, acLumaBits, acLumaValues), (0x01, dcChromaBits, dcChromaValues), (0x11, acChromaBits, acChromaValues)]
        for (id, bits, values) in tables {
            let length = 2 + 1 + 16 + values.count
            out.bytes += [0xFF, 0xC4, UInt8(length >> 8), UInt8(length & 0xFF), UInt8(id)]
            out.bytes += bits.map(UInt8.init) + values.map(UInt8.init)
        }
        out.bytes += [0xFF, 0xDA, 0, UInt8(6 + 2 * components), UInt8(components)]
        for c in 0..<components { out.bytes += [UInt8(c + 1), c == 0 ? 0x00 : 0x11] }
        out.bytes += [0, 63, 0]

        let dcL = HuffmanCode(bits: dcLumaBits, values: dcLumaValues), acL = HuffmanCode(bits: acLumaBits, values: acLumaValues)
        let dcC = HuffmanCode(bits: dcChromaBits, values: dcChromaValues), acC = HuffmanCode(bits: acChromaBits, values: acChromaValues)
        // Quantisation folded into the DCT output scale: divide by (q · 1) after the orthonormal DCT.
        let inverseL = zigzag.map { 1 / Float(lumaQ[$0]) }, inverseC = zigzag.map { 1 / Float(chromaQ[$0]) }
        var previousDC = [Int](repeating: 0, count: components)
        var block = [Float](repeating: 0, count: 64 * components)
        var coefficients = [Float](repeating: 0, count: 64)
        let w = image.width, h = image.height, ch = image.channels
        image.samples.withUnsafeBufferPointer { src in
            for by in stride(from: 0, to: h, by: 8) {
                for bx in stride(from: 0, to: w, by: 8) {
                    for y in 0..<8 {
                        let sy = min(by + y, h - 1)
                        for x in 0..<8 {
                            let p = (sy * w + min(bx + x, w - 1)) * ch
                            if components == 1 {
                                block[y * 8 + x] = Float(src[p]) - 128
                            } else {
                                let r = Float(src[p]), g = Float(src[p + 1]), b = Float(src[p + 2])
                                block[y * 8 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128
                                block[64 + y * 8 + x] = -0.168736 * r - 0.331264 * g + 0.5 * b
                                block[128 + y * 8 + x] = 0.5 * r - 0.418688 * g - 0.081312 * b
                            }
                        }
                    }
                    for c in 0..<components {
                        block.withUnsafeBufferPointer { blk in
                            coefficients.withUnsafeMutableBufferPointer { co in forwardDCT(blk.baseAddress! + 64 * c, co.baseAddress!) }
                        }
                        let inverse = c == 0 ? inverseL : inverseC
                        var quantised = [Int](repeating: 0, count: 64)
                        for k in 0..<64 { quantised[k] = Int((coefficients[zigzag[k]] * inverse[k]).rounded()) }
                        let dc = c == 0 ? dcL : dcC, ac = c == 0 ? acL : acC
                        let diff = quantised[0] - previousDC[c]
                        previousDC[c] = quantised[0]
                        let (size, bitsValue) = magnitude(diff)
                        out.write(dc.code[size], dc.length[size])
                        if size > 0 { out.write(bitsValue, size) }
                        var run = 0
                        for k in 1..<64 {
                            let v = quantised[k]
                            if v == 0 { run += 1; continue }
                            while run > 15 { out.write(ac.code[0xF0], ac.length[0xF0]); run -= 16 }
                            let (s, b) = magnitude(v)
                            let symbol = run << 4 | s
                            out.write(ac.code[symbol], ac.length[symbol])
                            out.write(b, s)
                            run = 0
                        }
                        if run > 0 { out.write(ac.code[0], ac.length[0]) }
                    }
                }
            }
        }
        out.flush()
        out.bytes += [0xFF, 0xD9]
        return out.bytes
    }

    /// Size category and the bits that represent `v` in it (T.81 §F.1.2.1).
    @inline(__always) static func magnitude(_ v: Int) -> (Int, Int) {
        let a = abs(v)
        let size = a == 0 ? 0 : Int.bitWidth - a.leadingZeroBitCount
        return (size, v >= 0 ? v : v + (1 << size) - 1)
    }

    /// DCT basis: `c[u][x] = C(u)/2 · cos((2x+1)uπ/16)`, C(0) = 1/√2.
    static let basis: [Float] = (0..<64).map { i in
        let u = i / 8, x = i % 8
        return Float((u == 0 ? 1 / 2.0.squareRoot() : 1) / 2 * cos(Double(2 * x + 1) * Double(u) * Double.pi / 16))
    }

    /// `out = B · in · Bᵀ` for one 8×8 block.
    static func forwardDCT(_ input: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        var tmp = [Float](repeating: 0, count: 64)
        basis.withUnsafeBufferPointer { b in
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<8 {
                    for u in 0..<8 {
                        var s: Float = 0
                        for x in 0..<8 { s += b[u * 8 + x] * input[y * 8 + x] }
                        t[y * 8 + u] = s
                    }
                }
                for v in 0..<8 {
                    for u in 0..<8 {
                        var s: Float = 0
                        for y in 0..<8 { s += b[v * 8 + y] * t[y * 8 + u] }
                        out[v * 8 + u] = s
                    }
                }
            }
        }
    }

    struct HuffmanCode {
        var code = [Int](repeating: 0, count: 256)
        var length = [Int](repeating: 0, count: 256)
        /// Canonical codes from BITS and HUFFVAL (T.81 Annex C).
        init(bits: [Int], values: [Int]) {
            var c = 0, k = 0
            for l in 1...16 {
                for _ in 0..<bits[l - 1] {
                    code[values[k]] = c
                    length[values[k]] = l
                    c += 1; k += 1
                }
                c <<= 1
            }
        }
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var count = 0

        /// Appends the low `length` bits of `value`, stuffing a zero after each 0xFF byte (T.81 §F.1.2.3).
        @inline(__always) mutating func write(_ value: Int, _ length: Int) {
            guard length > 0 else { return }
            buffer = buffer << UInt64(length) | UInt64(value & ((1 << length) - 1))
            count += length
            while count >= 8 {
                let byte = UInt8(truncatingIfNeeded: buffer >> UInt64(count - 8))
                bytes.append(byte)
                if byte == 0xFF { bytes.append(0) }
                count -= 8
            }
        }

        /// Pads the last byte with 1 bits.
        mutating func flush() {
            if count > 0 { write((1 << (8 - count)) - 1, 8 - count) }
        }
    }

    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]
    static let lumaBase = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chromaBase = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ]
    static let dcLumaBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    static let dcLumaValues = Array(0...11)
    static let dcChromaBits = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    static let dcChromaValues = Array(0...11)
    static let acLumaBits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
    static let acLumaValues = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08,
        0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6,
        0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
    ]
    static let acChromaBits = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77]
    static let acChromaValues = [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
        0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0, 0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
        0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
        0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4,
        0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
    ]
}
