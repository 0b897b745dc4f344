/// What `J2KEncoder` writes beyond its defaults (Part 1 code-blocks of 64x64, LRCP, up to 5 levels).
struct J2KEncoderOptions: Sendable {
    /// HT code-blocks (ITU-T T.814 | ISO/IEC 15444-15), with the CAP marker and Rsiz bit that announce them.
    var highThroughput = false
    /// HT only: code each block's cleanup pass at bit-plane 1 followed by SigProp and MagRef passes for bit-plane
    /// 0 where that stays lossless (see `J2KHTBlockEncoder`); mainly to exercise decoders' refinement passes.
    var htRefinement = false
    /// Decomposition levels; nil for up to 5 (and, with RPCL, enough for a lowest resolution of at most 64x64).
    var levels: Int?
    /// Code-block size exponents (2…10 each, their sum at most 12).
    var codeBlockWidthExponent = 6, codeBlockHeightExponent = 6
    /// LRCP or RPCL (the same packet sequence with one tile, one layer and one precinct per resolution).
    var progression = J2KProgression.lrcp
    /// A TLM marker segment in the main header (PS3.5 §10.18 asks for it with HTJ2K Lossless RPCL).
    var tileLengths = false
}

/// What `J2KEncoder` did, for tests and benchmarks.
struct J2KEncoderStatistics: Sendable {
    /// Code-blocks with coded passes, and of them those with HT refinement passes.
    var codedBlocks = 0, refinedBlocks = 0
    /// Samples made significant by HT SigProp passes, and samples refined by HT MagRef passes.
    var sigPropSignificant = 0, magRefRefined = 0
    /// Bytes of the HT refinement segments.
    var refinementBytes = 0
}

/// How the coefficients of each band were quantized, as QCD says it (§A.6.4): band 0 is the LL band, then HL, LH
/// and HH of each level from the lowest resolution up. A band of exponent ε_b has G + ε_b − 1 magnitude bit-planes.
struct J2KBandQuantization: Sendable {
    /// G, 0…7.
    var guardBits: Int
    /// ε_b, 0…31.
    var exponents: [Int]
    /// μ_b, 0…2047, of scalar expounded quantization (the irreversible path); nil for none (reversible).
    var mantissas: [Int]?

    /// The band index of orientation `o` (1 HL, 2 LH, 3 HH; 0 LL at resolution 0) at resolution `r`.
    static func band(resolution r: Int, orientation o: Int) -> Int { r == 0 ? 0 : 1 + 3 * (r - 1) + (o - 1) }

    /// The log2 gain of each band's nominal range over the samples' (§E.1.1): 0 for LL, 1 for HL and LH, 2 for HH.
    static func gains(levels: Int) -> [Int] { [0] + (0..<levels).flatMap { _ in [1, 1, 2] } }
}

/// JPEG 2000 encoding (ISO/IEC 15444-1, or 15444-15 with HT code-blocks): one tile, one quality layer, maximal
/// precincts. Losslessly here (reversible 5/3 wavelet, RCT for three components, no quantization); irreversibly to a
/// target size in `J2KEncoder+Irreversible.swift`.
enum J2KEncoder {
    /// Decomposition levels and code-block size exponents for `options`, checked.
    static func layout(width: Int, height: Int, options: J2KEncoderOptions) throws(DicomError) -> (levels: Int, xcb: Int, ycb: Int) {
        var levels = 0
        while levels < 5 && (min(width, height) >> (levels + 1)) >= 1 { levels += 1 }
        if options.progression == .rpcl {
            while levels < 32 && ceilDiv(max(width, height), 1 << levels) > 64 { levels += 1 }
        }
        if let l = options.levels { levels = l }
        let xcb = options.codeBlockWidthExponent, ycb = options.codeBlockHeightExponent
        guard levels >= 0, levels <= 32, (2...10).contains(xcb), (2...10).contains(ycb), xcb + ycb <= 12 else {
            throw DicomError(.invalidPixelData, "JPEG 2000 encoding with \(levels) levels and code-blocks 2^\(xcb)x2^\(ycb)")
        }
        return (levels, xcb, ycb)
    }

    /// The size of resolution `r` of a `levels`-level decomposition of a tile at the origin: ceil(size / 2^(levels − r)).
    static func resolutionSize(width: Int, height: Int, levels: Int, _ r: Int) -> (Int, Int) {
        (ceilDiv(width, 1 << (levels - r)), ceilDiv(height, 1 << (levels - r)))
    }

    /// Encodes `planes` (one per component, `width` x `height`, values in the component's range) losslessly with
    /// `options`; returns the codestream and what the block coders did. Throws only for options out of range or, in HT
    /// mode, magnitudes beyond a band's bit-planes (samples outside `precision`).
    static func encode(planes: [[Int32]], width: Int, height: Int, precision: Int, isSigned: Bool, colourTransform: Bool,
                       options: J2KEncoderOptions = J2KEncoderOptions()) throws(DicomError) -> (bytes: [UInt8], statistics: J2KEncoderStatistics) {
        let n = planes.count
        let (levels, _, _) = try layout(width: width, height: height, options: options)
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
        let size = { (r: Int) in resolutionSize(width: width, height: height, levels: levels, r) }
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
        let exponents = J2KBandQuantization.gains(levels: levels).map { precision + $0 + (useRCT ? 1 : 0) }
        return try codestream(coefficients, width: width, height: height, precision: precision, isSigned: isSigned,
                              componentTransform: useRCT, reversible: true,
                              quantization: J2KBandQuantization(guardBits: 2, exponents: exponents), options: options)
    }

    /// The codestream of quantized wavelet `coefficients` (one plane per component, each band where the transform
    /// left it): SIZ, (CAP), COD, QCD, one tile-part of packets, EOC.
    static func codestream(_ coefficients: [[Int32]], width: Int, height: Int, precision: Int, isSigned: Bool,
                           componentTransform: Bool, reversible: Bool, quantization q: J2KBandQuantization,
                           options: J2KEncoderOptions) throws(DicomError) -> (bytes: [UInt8], statistics: J2KEncoderStatistics) {
        let n = coefficients.count
        let (levels, xcb, ycb) = try layout(width: width, height: height, options: options)
        let size = { (r: Int) in resolutionSize(width: width, height: height, levels: levels, r) }
        let guardBits = q.guardBits
        // Packets, LRCP with one layer and one precinct per resolution.
        var body: [UInt8] = []
        var blockEncoder = J2KBlockEncoder(), htEncoder = J2KHTBlockEncoder()
        var statistics = J2KEncoderStatistics()
        let cbw = 1 << xcb, cbh = 1 << ycb
        for r in 0...levels {
            for c in 0..<n {
                var writer = J2KBitWriter()
                var blockData: [[UInt8]] = []
                writer.bit(1)
                let (w, h) = size(r)
                let (lw, lh) = r == 0 ? (0, 0) : size(r - 1)
                for o in (r == 0 ? [0] : [1, 2, 3]) {
                    let bx0 = o & 1 == 1 ? lw : 0, by0 = o >> 1 == 1 ? lh : 0
                    let bw = r == 0 ? w : (o & 1 == 1 ? w - lw : lw), bh = r == 0 ? h : (o >> 1 == 1 ? h - lh : lh)
                    guard bw > 0, bh > 0 else { continue }
                    let magnitudeBits = guardBits + q.exponents[J2KBandQuantization.band(resolution: r, orientation: o)] - 1
                    let across = ceilDiv(bw, cbw), down = ceilDiv(bh, cbh)
                    // Bytes, coding passes, zero bit-planes, and (bytes, passes) of each codeword segment.
                    var encoded: [(bytes: [UInt8], passes: Int, zero: Int, segments: [(Int, Int)])] = []
                    for j in 0..<down {
                        for i in 0..<across {
                            let x0 = i * cbw, y0 = j * cbh, cw = min(cbw, bw - x0), ch = min(cbh, bh - y0)
                            try coefficients[c].withUnsafeBufferPointer { buf throws(DicomError) in
                                let start = buf.baseAddress! + (by0 + y0) * width + bx0 + x0
                                if options.highThroughput {
                                    let b = try htEncoder.encode(start, width: cw, height: ch, stride: width, magnitudeBits: magnitudeBits,
                                                                 refine: options.htRefinement)
                                    let segments = b.passes == 3 ? [(b.cleanupLength, 1), (b.refinementLength, 2)] : [(b.bytes.count, 1)]
                                    encoded.append((b.bytes, b.passes, magnitudeBits - 1 - b.cleanupPlane, segments))
                                    statistics.codedBlocks += b.passes > 0 ? 1 : 0
                                    statistics.refinedBlocks += b.passes == 3 ? 1 : 0
                                    statistics.sigPropSignificant += b.sigPropSignificant
                                    statistics.magRefRefined += b.magRefRefined
                                    statistics.refinementBytes += b.refinementLength
                                } else {
                                    let b = blockEncoder.encode(start, width: cw, height: ch, stride: width, orientation: o)
                                    encoded.append((b.bytes, b.passes, magnitudeBits - b.bitplanes, [(b.bytes.count, b.passes)]))
                                    statistics.codedBlocks += b.passes > 0 ? 1 : 0
                                }
                            }
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
                        // Lblock (§B.10.7.1) grows until every segment's length fits Lblock + ⌊log2 passes⌋ bits.
                        func lengthBits(_ lblock: Int, _ passes: Int) -> Int { lblock + (Int.bitWidth - 1 - passes.leadingZeroBitCount) }
                        var lblock = 3
                        while e.segments.contains(where: { $0.0 >= 1 << lengthBits(lblock, $0.1) }) { lblock += 1; writer.bit(1) }
                        writer.bit(0)
                        for (length, passes) in e.segments { writer.bits(length, lengthBits(lblock, passes)) }
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
        // SIZ; Rsiz bit 14 says the codestream uses ISO/IEC 15444-15 capabilities (given in CAP).
        u16(0xFF51); u16(38 + 3 * n); u16(options.highThroughput ? 0x4000 : 0)
        u32(width); u32(height); u32(0); u32(0); u32(width); u32(height); u32(0); u32(0); u16(n)
        for _ in 0..<n { out.append(UInt8((precision - 1) | (isSigned ? 0x80 : 0))); out.append(1); out.append(1) }
        let highestExponent = q.exponents.max() ?? 0
        if options.highThroughput {
            // CAP (T.814 Annex A): Pcap with the Part 15 bit, then Ccap15: HT code-blocks only, one HT set per block,
            // no ROI, reversible, and MAGB, the largest M_b of any band (0 up to 8, else M_b - 8 below 28).
            let mb = guardBits + highestExponent - 1
            u16(0xFF50); u16(8); u32(1 << 17); u16(mb <= 8 ? 0 : min(mb - 8, 19))
        }
        // COD: no SOP/EPH, one layer, levels, code-block size and style, 5/3 or 9/7.
        u16(0xFF52); u16(12); out.append(0); out.append(UInt8(options.progression.rawValue)); u16(1); out.append(componentTransform ? 1 : 0)
        out.append(UInt8(levels)); out.append(UInt8(xcb - 2)); out.append(UInt8(ycb - 2))
        out.append(UInt8(options.highThroughput ? J2KBlockStyle.highThroughput : 0)); out.append(reversible ? 1 : 0)
        // QCD: no quantization (an exponent a byte), or scalar expounded (exponent and mantissa, two bytes a band).
        if let mantissas = q.mantissas {
            u16(0xFF5C); u16(3 + 2 * q.exponents.count); out.append(UInt8(guardBits << 5 | 2))
            for (e, m) in zip(q.exponents, mantissas) { u16(e << 11 | m) }
        } else {
            u16(0xFF5C); u16(3 + q.exponents.count); out.append(UInt8(guardBits << 5))
            for e in q.exponents { out.append(UInt8(e << 3)) }
        }
        let tilePartLength = 14 + body.count
        if options.tileLengths {
            // TLM: no tile indices (tile-parts in order), 32-bit lengths.
            u16(0xFF55); u16(8); out.append(0); out.append(0x40); u32(tilePartLength)
        }
        u16(0xFF90); u16(10); u16(0); u32(tilePartLength); out.append(0); out.append(1)
        u16(0xFF93)
        out += body
        u16(0xFFD9)
        return (out, statistics)
    }
}
