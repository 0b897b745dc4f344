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
                    let dc = dcTables[m.dc]!.lookupView, ac = acTables[m.ac]!.lookupView
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
    func decodeBlock(_ reader: inout JPEGBitReader, dc: JPEGHuffmanLookup, ac: JPEGHuffmanLookup, prediction: inout Int, into block: UnsafeMutablePointer<Int16>) throws(DicomError) {
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
    ///
    /// Each component is transformed into a plane of 16-bit samples at its own resolution (freeing its coefficients),
    /// then lines are upsampled, converted and written one output line at a time.
    mutating func finishDCT(_ f: inout Frame) throws(DicomError) -> String {
        let maximum = (1 << f.precision) - 1
        let center = 1 << (f.precision - 1)
        var planes: [[UInt16]] = []
        for i in f.components.indices {
            let c = f.components[i]
            f.components[i].coefficients = []
            let stride = c.blocksWide * 8
            var plane = [UInt16](repeating: 0, count: stride * c.blocksHigh * 8)
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
        let n = f.components.count, width = f.width
        let upsamplers = f.components.map { c in
            JPEGUpsampler(stride: c.blocksWide * 8, width: c.width, height: c.height, h: c.h, v: c.v, hMax: f.hMax, vMax: f.vMax, outWidth: width)
        }
        let convert = n == 3 && isYCbCr(f)
        let writer = JPEGSampleWriter(descriptor: descriptor, output: output)
        let bytesPerSample = descriptor.bytesPerSample
        var lines = [[Int]](repeating: [Int](repeating: 0, count: width), count: n)
        var rgb = [Int](repeating: 0, count: convert ? 3 * width : 0)
        for y in 0..<f.height {
            for c in 0..<n { upsamplers[c].line(y, of: planes[c], into: &lines[c]) }
            let offset = y * width * n * bytesPerSample
            if convert {
                // YCbCr to RGB as libjpeg does (jdcolor.c), 16-bit fixed point.
                for x in 0..<width {
                    let l = lines[0][x], b = lines[1][x] - center, r = lines[2][x] - center
                    rgb[3 * x] = min(max(l + ((91881 * r + 32768) >> 16), 0), maximum)
                    rgb[3 * x + 1] = min(max(l + ((-22554 * b - 46802 * r + 32768) >> 16), 0), maximum)
                    rgb[3 * x + 2] = min(max(l + ((116130 * b + 32768) >> 16), 0), maximum)
                }
                rgb.withUnsafeBufferPointer { writer.writeLine($0.baseAddress!, stride: 1, count: 3 * width, shift: 0, at: offset, outputStride: bytesPerSample) }
            } else {
                for c in 0..<n {
                    lines[c].withUnsafeBufferPointer {
                        writer.writeLine($0.baseAddress!, stride: 1, count: width, shift: 0, at: offset + c * bytesPerSample, outputStride: n * bytesPerSample)
                    }
                }
            }
        }
        // Three components that are not YCbCr (Adobe transform 0) are RGB whatever the data set says.
        return convert || (n == 3 && descriptor.photometricInterpretation.hasPrefix("YBR")) ? "RGB" : descriptor.photometricInterpretation
    }

    /// Whether three components hold YCbCr: the Adobe transform flag decides when present, then the data set's
    /// Photometric Interpretation, then a JFIF marker; component ids R, G, B mean RGB.
    func isYCbCr(_ f: Frame) -> Bool {
        if let adobeTransform { return adobeTransform != 0 }
        if descriptor.photometricInterpretation.hasPrefix("YBR") { return true }
        if f.components.map(\.id) == [0x52, 0x47, 0x42] { return false }
        return hasJFIF
    }
}
