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
    mutating func finishDCT(_ f: inout Frame) throws(DicomError) -> String {
        let maximum = (1 << f.precision) - 1
        let center = 1 << (f.precision - 1)
        // Each component's samples at its own resolution, whole blocks.
        var planes: [[Int32]] = []
        for i in f.components.indices {
            let c = f.components[i]
            f.components[i].coefficients = []
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
        if f.components.count == 3 && isYCbCr(f) {
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
    func isYCbCr(_ f: Frame) -> Bool {
        if let adobeTransform { return adobeTransform != 0 }
        if descriptor.photometricInterpretation.hasPrefix("YBR") { return true }
        if f.components.map(\.id) == [0x52, 0x47, 0x42] { return false }
        return hasJFIF
    }
}
