import CZlib

/// A PNG writer (ISO/IEC 15948): 8-bit grey, 16-bit grey, 8-bit RGB and RGBA; non-interlaced, one IDAT,
/// per-row filter chosen by the minimum-sum-of-absolute-differences heuristic, zlib from the system.
public enum PNGEncoder {
    /// Encodes a rendered image: 1 channel → grey, 3 → RGB, 4 → RGBA.
    public static func encode(_ image: RenderedImage, compressionLevel: Int32 = 6) throws(ImagingError) -> [UInt8] {
        let colorType: UInt8
        switch image.channels {
        case 1: colorType = 0
        case 3: colorType = 2
        case 4: colorType = 6
        default: throw ImagingError(.invalidArgument, "PNG of \(image.channels) channels")
        }
        return try encode(bytes: image.samples, width: image.width, height: image.height, bitDepth: 8, colorType: colorType,
                          bytesPerPixel: image.channels, level: compressionLevel)
    }

    /// Encodes 16-bit grey samples (written big endian, as PNG requires).
    public static func encodeGray16(_ samples: [UInt16], width: Int, height: Int, compressionLevel: Int32 = 6) throws(ImagingError) -> [UInt8] {
        guard samples.count == width * height else { throw ImagingError(.invalidArgument, "\(samples.count) samples for \(width)x\(height)") }
        var bytes = [UInt8](repeating: 0, count: samples.count * 2)
        for (i, v) in samples.enumerated() { bytes[2 * i] = UInt8(v >> 8); bytes[2 * i + 1] = UInt8(v & 0xFF) }
        return try encode(bytes: bytes, width: width, height: height, bitDepth: 16, colorType: 0, bytesPerPixel: 2, level: compressionLevel)
    }

    static func encode(bytes: [UInt8], width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, bytesPerPixel bpp: Int,
                       level: Int32) throws(ImagingError) -> [UInt8] {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw ImagingError(.invalidArgument, "PNG of \(width)x\(height)")
        }
        let stride = width * bpp
        var filtered = [UInt8](repeating: 0, count: (stride + 1) * height)
        var candidate = [UInt8](repeating: 0, count: stride)
        bytes.withUnsafeBufferPointer { src in
            filtered.withUnsafeMutableBufferPointer { dst in
                candidate.withUnsafeMutableBufferPointer { cand in
                    for y in 0..<height {
                        let row = y * stride, prev = row - stride
                        var bestType: UInt8 = 0, bestScore = Int.max
                        for type: UInt8 in 0...4 {
                            var score = 0
                            for i in 0..<stride {
                                let x = src[row + i]
                                let a = i >= bpp ? src[row + i - bpp] : 0
                                let b = y > 0 ? src[prev + i] : 0
                                let c = (i >= bpp && y > 0) ? src[prev + i - bpp] : 0
                                let f: UInt8
                                switch type {
                                case 0: f = x
                                case 1: f = x &- a
                                case 2: f = x &- b
                                case 3: f = x &- UInt8((Int(a) + Int(b)) / 2)
                                default: f = x &- paeth(a, b, c)
                                }
                                cand[i] = f
                                score += Int(Int8(bitPattern: f).magnitude)
                            }
                            if score < bestScore {
                                bestScore = score
                                bestType = type
                                dst[y * (stride + 1)] = type
                                for i in 0..<stride { dst[y * (stride + 1) + 1 + i] = cand[i] }
                            }
                        }
                        _ = bestType
                    }
                }
            }
        }
        var bound = compressBound(uLong(filtered.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let status = compressed.withUnsafeMutableBufferPointer { out in
            filtered.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &bound, input.baseAddress, uLong(input.count), level)
            }
        }
        guard status == Z_OK else { throw ImagingError(.encode, "zlib compress2 returned \(status)") }
        compressed.removeSubrange(Int(bound)...)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        appendUInt32(&header, UInt32(width))
        appendUInt32(&header, UInt32(height))
        header += [bitDepth, colorType, 0, 0, 0]
        appendChunk(&png, "IHDR", header)
        appendChunk(&png, "IDAT", compressed)
        appendChunk(&png, "IEND", [])
        return png
    }

    @inline(__always) static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// Length, type, data, and the CRC-32 of type and data (ISO/IEC 15948 §5.3).
    static func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        appendUInt32(&out, UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendUInt32(&out, UInt32(crc))
    }
}
