/// Lossless JPEG 2000 encoding (ISO/IEC 15444-1): one tile, reversible 5/3 wavelet, RCT for three components,
/// one quality layer, LRCP progression, 64x64 code-blocks, maximal precincts, no quantization.
enum J2KEncoder {
    /// Encodes `planes` (one per component, `width` x `height`, values in the component's range).
    static func encode(planes: [[Int32]], width: Int, height: Int, precision: Int, isSigned: Bool, colourTransform: Bool) -> [UInt8] {
        let n = planes.count
        var levels = 0
        while levels < 5 && (min(width, height) >> (levels + 1)) >= 1 { levels += 1 }
        let useRCT = n == 3 && colourTransform
        // DC level shift, RCT, forward DWT.
        var coefficients = planes.map { plane -> [Int32] in
            isSigned ? plane : plane.map { $0 - (Int32(1) << Int32(precision - 1)) }
        }
        if useRCT {
            for i in 0..<(width * height) {
                let r = coefficients[0][i], g = coefficients[1][i], b = coefficients[2][i]
                coefficients[0][i] = (r + 2 * g + b) >> 2
                coefficients[1][i] = b - g
                coefficients[2][i] = r - g
            }
        }
        // Resolution sizes (tile at origin, so resolution r is ceil(size / 2^(levels - r))).
        func size(_ r: Int) -> (Int, Int) { (ceilDiv(width, 1 << (levels - r)), ceilDiv(height, 1 << (levels - r))) }
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: max(width, height) + 8)
        defer { scratch.deallocate() }
        for c in 0..<n {
            coefficients[c].withUnsafeMutableBufferPointer { buf in
                for r in stride(from: levels, through: 1, by: -1) {
                    let (w, h) = size(r)
                    for x in 0..<w { J2KWavelet.forward53(buf.baseAddress! + x, n: h, step: width, parity: 0, scratch: scratch) }
                    for y in 0..<h { J2KWavelet.forward53(buf.baseAddress! + y * width, n: w, step: 1, parity: 0, scratch: scratch) }
                }
            }
        }
        let guardBits = 2
        // Packets, LRCP with one layer and one precinct per resolution.
        var body: [UInt8] = []
        var blockEncoder = J2KBlockEncoder()
        for r in 0...levels {
            for c in 0..<n {
                let precisionC = precision + (useRCT && c > 0 ? 1 : 0)
                _ = precisionC
                var writer = J2KBitWriter()
                var blockData: [[UInt8]] = []
                writer.bit(1)
                let (w, h) = size(r)
                let (lw, lh) = r == 0 ? (0, 0) : size(r - 1)
                for o in (r == 0 ? [0] : [1, 2, 3]) {
                    let bx0 = o & 1 == 1 ? lw : 0, by0 = o >> 1 == 1 ? lh : 0
                    let bw = r == 0 ? w : (o & 1 == 1 ? w - lw : lw), bh = r == 0 ? h : (o >> 1 == 1 ? h - lh : lh)
                    guard bw > 0, bh > 0 else { continue }
                    let gain = o == 0 ? 0 : (o == 3 ? 2 : 1)
                    let magnitudeBits = guardBits + precision + gain + (useRCT ? 1 : 0) - 1
                    let across = ceilDiv(bw, 64), down = ceilDiv(bh, 64)
                    var encoded: [(bytes: [UInt8], passes: Int, zero: Int)] = []
                    for j in 0..<down {
                        for i in 0..<across {
                            let x0 = i * 64, y0 = j * 64, cw = min(64, bw - x0), ch = min(64, bh - y0)
                            let result = coefficients[c].withUnsafeBufferPointer { buf in
                                blockEncoder.encode(buf.baseAddress! + (by0 + y0) * width + bx0 + x0, width: cw, height: ch, stride: width, orientation: o)
                            }
                            encoded.append((result.bytes, result.passes, magnitudeBits - result.bitplanes))
                        }
                    }
                    var inclusion = J2KTagTree(width: across, height: down)
                    var zero = J2KTagTree(width: across, height: down)
                    inclusion.setLeaves(encoded.map { $0.passes > 0 ? 0 : 1 })
                    zero.setLeaves(encoded.map { $0.zero })
                    for (k, e) in encoded.enumerated() {
                        inclusion.encode(k, threshold: 1, &writer)
                        guard e.passes > 0 else { continue }
                        zero.encode(k, threshold: e.zero + 1, &writer)
                        let p = e.passes
                        if p == 1 { writer.bit(0) } else if p == 2 { writer.bits(0b10, 2) } else if p <= 5 { writer.bits(0b1100 | (p - 3), 4) }
                        else if p <= 36 { writer.bits(0b1111_00000 | (p - 6), 9) } else { writer.bits(0b1111_11111_0000000 | (p - 37), 16) }
                        var bits = 3, m = p
                        while m > 1 { bits += 1; m >>= 1 }
                        var lblock = 3
                        while e.bytes.count >= 1 << bits { bits += 1; lblock += 1; writer.bit(1) }
                        _ = lblock
                        writer.bit(0)
                        writer.bits(e.bytes.count, bits)
                        blockData.append(e.bytes)
                    }
                }
                body += writer.finish()
                for d in blockData { body += d }
            }
        }
        // Codestream.
        var out: [UInt8] = [0xFF, 0x4F]
        func u16(_ v: Int) { out.append(UInt8(v >> 8 & 0xFF)); out.append(UInt8(v & 0xFF)) }
        func u32(_ v: Int) { u16(v >> 16 & 0xFFFF); u16(v & 0xFFFF) }
        u16(0xFF51); u16(38 + 3 * n); u16(0); u32(width); u32(height); u32(0); u32(0); u32(width); u32(height); u32(0); u32(0); u16(n)
        for _ in 0..<n { out.append(UInt8((precision - 1) | (isSigned ? 0x80 : 0))); out.append(1); out.append(1) }
        u16(0xFF52); u16(12); out.append(0); out.append(0); u16(1); out.append(useRCT ? 1 : 0)
        out.append(UInt8(levels)); out.append(4); out.append(4); out.append(0); out.append(1)
        u16(0xFF5C); u16(3 + 3 * levels + 1); out.append(UInt8(guardBits << 5))
        for b in 0...(3 * levels) {
            let gain = b == 0 ? 0 : ((b - 1) % 3 == 2 ? 2 : 1)
            out.append(UInt8((precision + gain + (useRCT ? 1 : 0)) << 3))
        }
        u16(0xFF90); u16(10); u16(0); u32(14 + body.count); out.append(0); out.append(1)
        u16(0xFF93)
        out += body
        u16(0xFFD9)
        return out
    }
}
