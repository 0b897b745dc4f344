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
/// T.81 Annex K scaled by quality as libjpeg does, the Annex K Huffman tables, the AAN floating-point DCT with quantisation folded into one multiply.
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
        // The AAN DCT leaves row u, column v scaled by 8·s(u)·s(v); dividing by that and by the quantiser is one
        // multiplication per coefficient (reciprocals in natural order).
        let aan: [Float] = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.541196100, 0.275899379]
        func reciprocals(_ q: [Int]) -> [Float] { (0..<64).map { 1 / (Float(q[$0]) * aan[$0 / 8] * aan[$0 % 8] * 8) } }
        let recipL = reciprocals(lumaQ), recipC = reciprocals(chromaQ)
        var previousDC = [Int](repeating: 0, count: components)
        // Scratch for one block per component, the quantised block, and the tables, allocated once per image.
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 3)
        let quantised = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        let order = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        let recip = UnsafeMutablePointer<Float>.allocate(capacity: 128)
        defer { block.deallocate(); quantised.deallocate(); order.deallocate(); recip.deallocate() }
        for k in 0..<64 { order[k] = zigzag[k]; recip[k] = recipL[k]; recip[64 + k] = recipC[k] }
        let w = image.width, h = image.height, ch = image.channels
        let roundingMagic: Float = 12_582_912  // 1.5·2²³, see the quantisation below
        image.samples.withUnsafeBufferPointer { srcBuffer in
            let src = srcBuffer.baseAddress!
            for by in stride(from: 0, to: h, by: 8) {
                for bx in stride(from: 0, to: w, by: 8) {
                    let interior = bx + 8 <= w && by + 8 <= h
                    for y in 0..<8 {
                        let sy = min(by + y, h - 1)
                        let row = block + y * 8
                        if components == 1 && interior {
                            let p = src + sy * w + bx
                            for x in 0..<8 { row[x] = Float(p[x]) - 128 }
                            continue
                        }
                        for x in 0..<8 {
                            let p = (sy * w + min(bx + x, w - 1)) * ch
                            if components == 1 {
                                row[x] = Float(src[p]) - 128
                            } else {
                                let r = Float(src[p]), g = Float(src[p + 1]), b = Float(src[p + 2])
                                row[x] = 0.299 * r + 0.587 * g + 0.114 * b - 128
                                row[64 + x] = -0.168736 * r - 0.331264 * g + 0.5 * b
                                row[128 + x] = 0.5 * r - 0.418688 * g - 0.081312 * b
                            }
                        }
                    }
                    for c in 0..<components {
                        let coefficients = block + 64 * c
                        forwardDCT(coefficients)
                        let inverse = recip + (c == 0 ? 0 : 64)
                        // Round to nearest by adding and removing 1.5·2²³ (exact for |x| < 2²²; quantised coefficients of
                        // 8-bit samples stay below 2¹²): `rounded()` is a call to roundf per coefficient on x86-64
                        // without SSE4.1, and was the largest single cost of the encoder.
                        for k in 0..<64 { let i = order[k]; quantised[k] = Int((coefficients[i] * inverse[i] + roundingMagic) - roundingMagic) }
                        let dc = c == 0 ? dcL : dcC, ac = c == 0 ? acL : acC
                        let diff = quantised[0] - previousDC[c]
                        previousDC[c] = quantised[0]
                        let (size, bitsValue) = magnitude(diff)
                        out.write(dc.code[size] << size | bitsValue, dc.length[size] + size)
                        var run = 0
                        for k in 1..<64 {
                            let v = quantised[k]
                            if v == 0 { run += 1; continue }
                            while run > 15 { out.write(ac.code[0xF0], ac.length[0xF0]); run -= 16 }
                            let (s, b) = magnitude(v)
                            let symbol = run << 4 | s
                            out.write(ac.code[symbol] << s | b, ac.length[symbol] + s)
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

    /// In-place forward DCT of one 8×8 block: the Arai–Agui–Nakajima factorisation (as libjpeg's `jfdctflt.c`),
    /// 5 multiplications per 8 points; coefficient (u, v) comes out scaled by `8·s(u)·s(v)`, undone with quantisation.
    @inline(__always) static func forwardDCT(_ d: UnsafeMutablePointer<Float>) {
        @inline(__always) func pass(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
            let tmp0 = p[0] + p[7 * step], tmp7 = p[0] - p[7 * step]
            let tmp1 = p[step] + p[6 * step], tmp6 = p[step] - p[6 * step]
            let tmp2 = p[2 * step] + p[5 * step], tmp5 = p[2 * step] - p[5 * step]
            let tmp3 = p[3 * step] + p[4 * step], tmp4 = p[3 * step] - p[4 * step]
            let tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3
            let tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2
            p[0] = tmp10 + tmp11
            p[4 * step] = tmp10 - tmp11
            let z1 = (tmp12 + tmp13) * 0.707106781
            p[2 * step] = tmp13 + z1
            p[6 * step] = tmp13 - z1
            let t10 = tmp4 + tmp5, t11 = tmp5 + tmp6, t12 = tmp6 + tmp7
            let z5 = (t10 - t12) * 0.382683433
            let z2 = 0.541196100 * t10 + z5
            let z4 = 1.306562965 * t12 + z5
            let z3 = t11 * 0.707106781
            let z11 = tmp7 + z3, z13 = tmp7 - z3
            p[5 * step] = z13 + z2
            p[3 * step] = z13 - z2
            p[step] = z11 + z4
            p[7 * step] = z11 - z4
        }
        for row in 0..<8 { pass(d + row * 8, 1) }
        for column in 0..<8 { pass(d + column, 8) }
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

        /// Appends the low `length` (≤ 32) bits of `value`, stuffing a zero after each 0xFF byte (T.81 §F.1.2.3).
        /// Bits collect in a 64-bit accumulator and leave four bytes at a time.
        @inline(__always) mutating func write(_ value: Int, _ length: Int) {
            guard length > 0 else { return }
            buffer = buffer << UInt64(length) | UInt64(truncatingIfNeeded: value) & ((1 << UInt64(length)) - 1)
            count += length
            if count >= 32 {
                count -= 32
                let word = UInt32(truncatingIfNeeded: buffer >> UInt64(count))
                // No 0xFF byte (the common case): append all four.
                if !Self.hasFF(word) {
                    bytes.append(UInt8(truncatingIfNeeded: word >> 24)); bytes.append(UInt8(truncatingIfNeeded: word >> 16))
                    bytes.append(UInt8(truncatingIfNeeded: word >> 8)); bytes.append(UInt8(truncatingIfNeeded: word))
                } else {
                    for shift in stride(from: 24, through: 0, by: -8) {
                        let byte = UInt8(truncatingIfNeeded: word >> UInt32(shift))
                        bytes.append(byte)
                        if byte == 0xFF { bytes.append(0) }
                    }
                }
            }
        }

        @inline(__always) static func hasFF(_ w: UInt32) -> Bool {
            let x = ~w  // a 0xFF byte of w is a zero byte of x
            return (x &- 0x0101_0101) & ~x & 0x8080_8080 != 0
        }

        /// Drains whole bytes, then pads the last byte with 1 bits.
        mutating func flush() {
            while count >= 8 {
                count -= 8
                let byte = UInt8(truncatingIfNeeded: buffer >> UInt64(count))
                bytes.append(byte)
                if byte == 0xFF { bytes.append(0) }
            }
            if count > 0 {
                let byte = UInt8(truncatingIfNeeded: buffer << UInt64(8 - count)) | UInt8((1 << (8 - count)) - 1)
                bytes.append(byte)
                if byte == 0xFF { bytes.append(0) }
                count = 0
            }
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
