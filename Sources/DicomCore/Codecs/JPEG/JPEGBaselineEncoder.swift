/// Encodes one 8-bit frame with the baseline process (T.81 Annex F, SOF0): greyscale as one component, colour as
/// YCbCr with the chroma halved horizontally (4:2:2, DICOM's YBR_FULL_422), quantization tables of Annex K scaled by
/// quality as libjpeg does, Huffman tables optimised for the frame.
struct JPEGBaselineEncoder {
    let descriptor: ImageDescriptor
    let quality: Int

    /// The codestream and the Photometric Interpretation it holds.
    func encode(_ frame: UnsafeRawBufferPointer) throws(DicomError) -> (bytes: [UInt8], photometric: String) {
        let d = descriptor
        guard d.bitsAllocated == 8, d.bitsStored <= 8, !d.isSigned, d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            throw DicomError(.invalidPixelData, "JPEG baseline: needs unsigned 8-bit samples, 1 or 3 per pixel")
        }
        guard frame.count >= d.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame has \(frame.count) bytes, \(d.decodedFrameLength) expected")
        }
        let width = d.columns, height = d.rows, n = d.samplesPerPixel
        let colour = n == 3
        // Component planes at full resolution.
        var planes = [[Float]](repeating: [Float](repeating: 0, count: width * height), count: n)
        let convert = colour && !d.photometricInterpretation.hasPrefix("YBR")
        for p in 0..<(width * height) {
            if colour {
                let r = Float(frame[3 * p]), g = Float(frame[3 * p + 1]), b = Float(frame[3 * p + 2])
                if convert {
                    // JFIF / PS3.3 §C.7.6.3.1.2 YBR_FULL.
                    planes[0][p] = 0.299 * r + 0.587 * g + 0.114 * b
                    planes[1][p] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
                    planes[2][p] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
                } else {
                    planes[0][p] = r; planes[1][p] = g; planes[2][p] = b
                }
            } else {
                planes[0][p] = Float(frame[p])
            }
        }
        // Chroma halved horizontally: the mean of each pair.
        let chromaWidth = (width + 1) / 2
        if colour {
            for c in 1...2 {
                var half = [Float](repeating: 0, count: chromaWidth * height)
                for y in 0..<height {
                    for x in 0..<chromaWidth {
                        let a = planes[c][y * width + 2 * x], b = planes[c][y * width + min(2 * x + 1, width - 1)]
                        half[y * chromaWidth + x] = (a + b) / 2
                    }
                }
                planes[c] = half
            }
        }
        let widths = colour ? [width, chromaWidth, chromaWidth] : [width]
        let hs = colour ? [2, 1, 1] : [1]
        let tables = colour ? [0, 1, 1] : [0]
        let quant = [Self.scaled(Self.luminance, quality), Self.scaled(Self.chrominance, quality)]
        let mcuWidth = 8 * (hs.max() ?? 1)
        let mcusWide = (width + mcuWidth - 1) / mcuWidth, mcusHigh = (height + 7) / 8
        // Quantized coefficients of every block in scan order, zigzag order within a block.
        let blocksPerMCU = hs.reduce(0, +)
        var coefficients = [Int16](repeating: 0, count: mcusWide * mcusHigh * blocksPerMCU * 64)
        var block = [Float](repeating: 0, count: 64)
        var index = 0
        for my in 0..<mcusHigh {
            for mx in 0..<mcusWide {
                for c in 0..<n {
                    for h in 0..<hs[c] {
                        let x0 = (mx * hs[c] + h) * 8, y0 = my * 8
                        let w = widths[c]
                        for y in 0..<8 {
                            let sy = min(y0 + y, height - 1)
                            for x in 0..<8 { block[y * 8 + x] = planes[c][sy * w + min(x0 + x, w - 1)] - 128 }
                        }
                        Self.forwardDCT(&block)
                        let q = quant[tables[c]]
                        for k in 0..<64 {
                            let natural = JPEGDecoder.zigzag[k]
                            coefficients[index + k] = Int16((block[natural] / Float(q[natural])).rounded())
                        }
                        index += 64
                    }
                }
            }
        }
        // Symbol frequencies, then the tables, then the data: the same walk twice.
        var dcFrequencies = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 2)
        var acFrequencies = dcFrequencies
        func walk(_ emit: (_ table: Int, _ isDC: Bool, _ symbol: Int, _ bits: UInt32, _ size: Int) -> Void) {
            var predictions = [Int](repeating: 0, count: n)
            var i = 0
            for _ in 0..<(mcusWide * mcusHigh) {
                for c in 0..<n {
                    for _ in 0..<hs[c] {
                        let dc = Int(coefficients[i])
                        let (size, bits) = JPEGBitWriter.category(dc - predictions[c])
                        predictions[c] = dc
                        emit(tables[c], true, size, bits, size)
                        var run = 0
                        for k in 1..<64 {
                            let v = Int(coefficients[i + k])
                            if v == 0 { run += 1; continue }
                            while run > 15 { emit(tables[c], false, 0xF0, 0, 0); run -= 16 }
                            let (s, b) = JPEGBitWriter.category(v)
                            emit(tables[c], false, run << 4 | s, b, s)
                            run = 0
                        }
                        if run > 0 { emit(tables[c], false, 0x00, 0, 0) }
                        i += 64
                    }
                }
            }
        }
        walk { table, isDC, symbol, _, _ in
            if isDC { dcFrequencies[table][symbol] += 1 } else { acFrequencies[table][symbol] += 1 }
        }
        let classes = colour ? 2 : 1
        let dcTables = (0..<classes).map { JPEGHuffmanEncoder(frequencies: dcFrequencies[$0]) }
        let acTables = (0..<classes).map { JPEGHuffmanEncoder(frequencies: acFrequencies[$0]) }

        var out = JPEGBitWriter(capacity: d.decodedFrameLength / 4 + 1024)
        out.marker(0xD8)
        out.segment(0xE0, [0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])  // JFIF 1.01, no thumbnail
        for t in 0..<classes { out.segment(0xDB, [UInt8(t)] + (0..<64).map { UInt8(quant[t][JPEGDecoder.zigzag[$0]]) }) }
        var sof: [UInt8] = [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(n)]
        for c in 0..<n { sof += [UInt8(c + 1), UInt8(hs[c] << 4 | 1), UInt8(tables[c])] }
        out.segment(0xC0, sof)
        for t in 0..<classes {
            out.huffmanTable(tableClass: 0, id: t, dcTables[t])
            out.huffmanTable(tableClass: 1, id: t, acTables[t])
        }
        var sos: [UInt8] = [UInt8(n)]
        for c in 0..<n { sos += [UInt8(c + 1), UInt8(tables[c] << 4 | tables[c])] }
        out.segment(0xDA, sos + [0, 63, 0])
        walk { table, isDC, symbol, bits, size in
            let t = isDC ? dcTables[table] : acTables[table]
            out.write(t.code[symbol], Int(t.length[symbol]))
            out.write(bits, size)
        }
        out.flush()
        return (out.finish(), colour ? "YBR_FULL_422" : d.photometricInterpretation)
    }

    /// The separable forward DCT of T.81 §A.3.3, in floating point.
    static func forwardDCT(_ block: inout [Float]) {
        var temp = [Float](repeating: 0, count: 64)
        for y in 0..<8 {
            for u in 0..<8 {
                var s: Float = 0
                for x in 0..<8 { s += block[y * 8 + x] * cosines[u * 8 + x] }
                temp[y * 8 + u] = s
            }
        }
        for u in 0..<8 {
            for v in 0..<8 {
                var s: Float = 0
                for y in 0..<8 { s += temp[y * 8 + u] * cosines[v * 8 + y] }
                block[v * 8 + u] = s
            }
        }
    }

    /// C(u)/2 · cos((2x+1)uπ/16), row u.
    static let cosines: [Float] = (0..<64).map { i in
        let u = i / 8, x = i % 8
        let c = u == 0 ? 1 / Double(2).squareRoot() : 1
        return Float(c / 2 * cosine(Double((2 * x + 1) * u) * Double.pi / 16))
    }

    /// cos by its Taylor series after range reduction: the standard library has no cos without Foundation.
    static func cosine(_ x: Double) -> Double {
        var a = x.truncatingRemainder(dividingBy: 2 * Double.pi)
        if a > Double.pi { a -= 2 * Double.pi }
        var term = 1.0, sum = 1.0
        for k in 1..<30 {
            term *= -a * a / Double((2 * k - 1) * (2 * k))
            sum += term
        }
        return sum
    }

    /// Annex K quantization tables (natural order), scaled for `quality` as libjpeg's jpeg_quality_scaling does.
    static func scaled(_ table: [Int], _ quality: Int) -> [Int] {
        let q = min(max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        return table.map { min(max(($0 * scale + 50) / 100, 1), 255) }
    }

    static let luminance = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chrominance = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    ] + [Int](repeating: 99, count: 32)
}
