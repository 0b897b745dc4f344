extension JPEGDecoder {
    /// Decodes a sequential Huffman scan (T.81 Annex F) into the components' coefficient blocks.
    mutating func decodeDCTScan(_ f: inout Frame, members: [(index: Int, dc: Int, ac: Int)]) throws(DicomError) {
        for m in members where f.components[m.index].coefficients.isEmpty {
            let c = f.components[m.index]
            f.components[m.index].coefficients = [Int16](repeating: 0, count: c.blocksWide * c.blocksHigh * 64)
        }
        var reader = JPEGBitReader(data, at: position)
        var predictions = [Int](repeating: 0, count: members.count)
        let interval = restartInterval
        var mcusInInterval = 0
        // A scan of one component codes its blocks one by one, ignoring the MCU padding (T.81 §A.2.2).
        let single = members.count == 1
        let first = f.components[members[0].index]
        let mcusWide = single ? (first.width + 7) / 8 : f.mcusWide
        let mcusHigh = single ? (first.height + 7) / 8 : f.mcusHigh
        for my in 0..<mcusHigh {
            for mx in 0..<mcusWide {
                if interval > 0 {
                    if mcusInInterval == interval {
                        try restart(&reader)
                        mcusInInterval = 0
                        for i in predictions.indices { predictions[i] = 0 }
                    }
                    mcusInInterval += 1
                }
                for (k, m) in members.enumerated() {
                    let c = f.components[m.index]
                    let dc = dcTables[m.dc]!, ac = acTables[m.ac]!
                    let (hs, vs) = single ? (1, 1) : (c.h, c.v)
                    try f.components[m.index].coefficients.withUnsafeMutableBufferPointer { (coefficients: inout UnsafeMutableBufferPointer<Int16>) throws(DicomError) in
                        for v in 0..<vs {
                            for h in 0..<hs {
                                let block = ((my * vs + v) * c.blocksWide + mx * hs + h) * 64
                                try decodeBlock(&reader, dc: dc, ac: ac, prediction: &predictions[k], into: coefficients.baseAddress! + block)
                            }
                        }
                    }
                }
            }
        }
        try endScan(&reader)
    }

    @inline(__always)
    func decodeBlock(_ reader: inout JPEGBitReader, dc: JPEGHuffmanTable, ac: JPEGHuffmanTable, prediction: inout Int, into block: UnsafeMutablePointer<Int16>) throws(DicomError) {
        let s = try reader.decode(dc)
        guard s <= 15 else { throw DicomError(.invalidPixelData, at: reader.position, "JPEG: DC difference category \(s)") }
        prediction += reader.receiveExtend(s)
        block[0] = Int16(truncatingIfNeeded: prediction)
        var k = 1
        while k < 64 {
            let rs = try reader.decode(ac)
            let r = rs >> 4, size = rs & 15
            if size == 0 {
                if r != 15 { break }
                k += 16
                continue
            }
            k += r
            guard k < 64 else { throw DicomError(.invalidPixelData, at: reader.position, "JPEG: AC coefficients run past the block") }
            block[JPEGDecoder.zigzag[k]] = Int16(truncatingIfNeeded: reader.receiveExtend(size))
            k += 1
        }
    }

    /// Inverse DCT, upsampling and colour conversion of the whole frame into the output.
    mutating func finishDCT(_ f: Frame) throws(DicomError) -> String {
        let maximum = (1 << f.precision) - 1
        let center = 1 << (f.precision - 1)
        // Each component's samples at its own resolution, whole blocks.
        var planes: [[Int32]] = []
        for c in f.components {
            let stride = c.blocksWide * 8
            var plane = [Int32](repeating: 0, count: stride * c.blocksHigh * 8)
            let quant = quantTables[c.quantTable]!
            plane.withUnsafeMutableBufferPointer { plane in
                c.coefficients.withUnsafeBufferPointer { coefficients in
                    quant.withUnsafeBufferPointer { quant in
                        for by in 0..<c.blocksHigh {
                            for bx in 0..<c.blocksWide {
                                JPEGIDCT.inverse(coefficients.baseAddress! + (by * c.blocksWide + bx) * 64, quant: quant.baseAddress!,
                                                 into: plane.baseAddress! + by * 8 * stride + bx * 8, stride: stride,
                                                 precision: f.precision, maximum: maximum)
                            }
                        }
                    }
                }
            }
            planes.append(plane)
        }
        // Upsample each component to the frame's size.
        var full: [[Int32]] = []
        for (i, c) in f.components.enumerated() {
            full.append(JPEGUpsampler.upsample(planes[i], stride: c.blocksWide * 8, width: c.width, height: c.height,
                                               hFactor: f.hMax / c.h, vFactor: f.vMax / c.v, hExact: f.hMax % c.h == 0 && f.vMax % c.v == 0,
                                               hRatio: (c.h, f.hMax), vRatio: (c.v, f.vMax), outWidth: f.width, outHeight: f.height))
        }
        planes = []
        let bytesPerSample = descriptor.bytesPerSample, samples = descriptor.samplesPerPixel
        let pixels = f.width * f.height
        var photometric = descriptor.photometricInterpretation
        if f.components.count == 3 && isYCbCr {
            // YCbCr to RGB as libjpeg does (jdcolor.c), 16-bit fixed point.
            let y = full[0], cb = full[1], cr = full[2]
            for p in 0..<pixels {
                let l = Int(y[p]), b = Int(cb[p]) - center, r = Int(cr[p]) - center
                let red = l + ((91881 * r + 32768) >> 16)
                let green = l + ((-22554 * b - 46802 * r + 32768) >> 16)
                let blue = l + ((116130 * b + 32768) >> 16)
                store(min(max(red, 0), maximum), pixel: p, component: 0, bytesPerSample: bytesPerSample, samples: samples)
                store(min(max(green, 0), maximum), pixel: p, component: 1, bytesPerSample: bytesPerSample, samples: samples)
                store(min(max(blue, 0), maximum), pixel: p, component: 2, bytesPerSample: bytesPerSample, samples: samples)
            }
            photometric = "RGB"
        } else {
            for (i, plane) in full.enumerated() {
                for p in 0..<pixels { store(Int(plane[p]), pixel: p, component: i, bytesPerSample: bytesPerSample, samples: samples) }
            }
        }
        return photometric
    }

    /// Whether three components hold YCbCr: the Adobe transform flag decides when present, then the data set's
    /// Photometric Interpretation, then a JFIF marker; component ids R, G, B mean RGB.
    var isYCbCr: Bool {
        if let adobeTransform { return adobeTransform != 0 }
        if descriptor.photometricInterpretation.hasPrefix("YBR") { return true }
        if let f = frame, f.components.map(\.id) == [0x52, 0x47, 0x42] { return false }
        return hasJFIF
    }
}

/// The accurate integer inverse DCT of libjpeg (jidctint.c, "islow"), so results match DCMTK and libjpeg exactly.
enum JPEGIDCT {
    @inline(__always)
    static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }

    static func inverse(_ input: UnsafePointer<Int16>, quant: UnsafePointer<UInt16>, into out: UnsafeMutablePointer<Int32>, stride: Int,
                        precision: Int, maximum: Int) {
        let constBits = 13
        let pass1Bits = precision == 8 ? 2 : 1
        let center = 1 << (precision - 1)
        var ws = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &ws) { raw in
            let w = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            for col in 0..<8 {
                @inline(__always) func q(_ row: Int) -> Int { Int(input[row * 8 + col]) * Int(quant[row * 8 + col]) }
                if input[8 + col] == 0 && input[16 + col] == 0 && input[24 + col] == 0 && input[32 + col] == 0
                    && input[40 + col] == 0 && input[48 + col] == 0 && input[56 + col] == 0 {
                    let dc = q(0) << pass1Bits
                    for row in 0..<8 { w[row * 8 + col] = dc }
                    continue
                }
                let r = butterfly(q(0), q(1), q(2), q(3), q(4), q(5), q(6), q(7))
                let shift = constBits - pass1Bits
                w[col] = descale(r.0, shift); w[56 + col] = descale(r.7, shift)
                w[8 + col] = descale(r.1, shift); w[48 + col] = descale(r.6, shift)
                w[16 + col] = descale(r.2, shift); w[40 + col] = descale(r.5, shift)
                w[24 + col] = descale(r.3, shift); w[32 + col] = descale(r.4, shift)
            }
            for row in 0..<8 {
                let o = out + row * stride
                let i = row * 8
                let shift = constBits + pass1Bits + 3
                @inline(__always) func put(_ k: Int, _ v: Int) { o[k] = Int32(min(max(v + center, 0), maximum)) }
                if w[i + 1] == 0 && w[i + 2] == 0 && w[i + 3] == 0 && w[i + 4] == 0 && w[i + 5] == 0 && w[i + 6] == 0 && w[i + 7] == 0 {
                    let dc = descale(w[i], pass1Bits + 3)
                    for k in 0..<8 { put(k, dc) }
                    continue
                }
                let r = butterfly(w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7])
                put(0, descale(r.0, shift)); put(7, descale(r.7, shift))
                put(1, descale(r.1, shift)); put(6, descale(r.6, shift))
                put(2, descale(r.2, shift)); put(5, descale(r.5, shift))
                put(3, descale(r.3, shift)); put(4, descale(r.4, shift))
            }
        }
    }

    /// One 8-point pass, outputs scaled by 2^13 (CONST_BITS).
    @inline(__always)
    static func butterfly(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int, _ i6: Int, _ i7: Int)
        -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        // Even part.
        var z1 = (i2 + i6) * 4433
        let t2e = z1 + i6 * -15137
        let t3e = z1 + i2 * 6270
        let t0e = (i0 + i4) << 13
        let t1e = (i0 - i4) << 13
        let t10 = t0e + t3e, t13 = t0e - t3e, t11 = t1e + t2e, t12 = t1e - t2e
        // Odd part.
        var t0 = i7, t1 = i5, t2 = i3, t3 = i1
        z1 = t0 + t3
        var z2 = t1 + t2, z3 = t0 + t2, z4 = t1 + t3
        let z5 = (z3 + z4) * 9633
        t0 *= 2446; t1 *= 16819; t2 *= 25172; t3 *= 12299
        z1 *= -7373; z2 *= -20995; z3 *= -16069; z4 *= -3196
        z3 += z5; z4 += z5
        t0 += z1 + z3; t1 += z2 + z4; t2 += z2 + z3; t3 += z1 + z4
        return (t10 + t3, t11 + t2, t12 + t1, t13 + t0, t13 - t0, t12 - t1, t11 - t2, t10 - t3)
    }
}

/// Upsampling of subsampled components to the frame size: libjpeg's "fancy" triangle filter for 2:1 horizontal
/// (h2v1) and 2:1 both ways (h2v2), replication otherwise, as DCMTK's libjpeg does by default.
enum JPEGUpsampler {
    static func upsample(_ plane: [Int32], stride: Int, width: Int, height: Int, hFactor: Int, vFactor: Int, hExact: Bool,
                         hRatio: (Int, Int), vRatio: (Int, Int), outWidth: Int, outHeight: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: outWidth * outHeight)
        if hExact && hFactor == 1 && vFactor == 1 {
            for y in 0..<outHeight { for x in 0..<outWidth { out[y * outWidth + x] = plane[y * stride + x] } }
            return out
        }
        if hExact && hFactor == 2 && (vFactor == 1 || vFactor == 2) && width >= 2 {
            out.withUnsafeMutableBufferPointer { out in
                plane.withUnsafeBufferPointer { plane in
                    var row = [Int](repeating: 0, count: width)
                    var doubled = [Int](repeating: 0, count: 2 * width)
                    for y in 0..<outHeight {
                        let sy = y / vFactor
                        if vFactor == 1 {
                            for x in 0..<width { row[x] = Int(plane[sy * stride + x]) }
                            fancyRow(row, width: width, vertical: false, into: &doubled)
                        } else {
                            // The nearer input row weighs 3, the farther 1 (jdsample.c h2v2_fancy_upsample).
                            let other = y % 2 == 0 ? max(sy - 1, 0) : min(sy + 1, height - 1)
                            for x in 0..<width { row[x] = 3 * Int(plane[sy * stride + x]) + Int(plane[other * stride + x]) }
                            fancyRow(row, width: width, vertical: true, into: &doubled)
                        }
                        for x in 0..<outWidth { out[y * outWidth + x] = Int32(doubled[x]) }
                    }
                }
            }
            return out
        }
        for y in 0..<outHeight {
            let sy = min(y * vRatio.0 / vRatio.1, height - 1)
            for x in 0..<outWidth { out[y * outWidth + x] = plane[sy * stride + min(x * hRatio.0 / hRatio.1, width - 1)] }
        }
        return out
    }

    /// Doubles `src[0..<width]` horizontally into `dst[0..<2*width]`; `vertical` when `src` holds 3:1 sums of two rows.
    static func fancyRow(_ src: [Int], width: Int, vertical: Bool, into dst: inout [Int]) {
        let last = width - 1
        if !vertical {
            dst[0] = src[0]
            dst[1] = (src[0] * 3 + src[1] + 2) >> 2
            if width > 2 {
                for i in 1..<last {
                    let v = src[i] * 3
                    dst[2 * i] = (v + src[i - 1] + 1) >> 2
                    dst[2 * i + 1] = (v + src[i + 1] + 2) >> 2
                }
            }
            dst[2 * last] = (src[last] * 3 + src[last - 1] + 1) >> 2
            dst[2 * last + 1] = src[last]
        } else {
            dst[0] = (src[0] * 4 + 8) >> 4
            dst[1] = (src[0] * 3 + src[1] + 7) >> 4
            if width > 2 {
                for i in 1..<last {
                    dst[2 * i] = (src[i] * 3 + src[i - 1] + 8) >> 4
                    dst[2 * i + 1] = (src[i] * 3 + src[i + 1] + 7) >> 4
                }
            }
            dst[2 * last] = (src[last] * 3 + src[last - 1] + 8) >> 4
            dst[2 * last + 1] = (src[last] * 4 + 7) >> 4
        }
    }
}
