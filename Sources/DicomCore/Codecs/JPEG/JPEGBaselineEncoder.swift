/// Encodes one 8-bit frame with the baseline process (T.81 Annex F, SOF0): greyscale as one component, colour as
/// YCbCr with the chroma halved horizontally (4:2:2, DICOM's YBR_FULL_422), quantization tables of Annex K scaled by
/// quality as libjpeg does, Huffman tables optimised for the frame.
struct JPEGBaselineEncoder {
    let descriptor: ImageDescriptor
    let quality: Int
    /// Sampling factors of luma (chroma is 1x1): (2, 1) is 4:2:2. Others are used by tests to exercise decoders.
    var luma = (2, 1)
    /// MCUs between restart markers; 0 for none. Used by tests.
    var restartInterval = 0
    /// One scan per component. Used by tests.
    var separateScans = false

    /// The codestream and the Photometric Interpretation it holds.
    func encode(_ frame: UnsafeRawBufferPointer) throws(DicomError) -> (bytes: [UInt8], photometric: String) {
        let d = descriptor
        guard d.bitsAllocated == 8, d.bitsStored <= 8, !d.isSigned, (1...4).contains(luma.0), (1...4).contains(luma.1), (0...65535).contains(restartInterval), d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
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
        // Chroma reduced by the luma sampling factors: the mean of each box.
        let (lumaH, lumaV) = colour ? luma : (1, 1)
        let chromaWidth = (width + lumaH - 1) / lumaH, chromaHeight = (height + lumaV - 1) / lumaV
        if colour && (lumaH > 1 || lumaV > 1) {
            for c in 1...2 {
                var reduced = [Float](repeating: 0, count: chromaWidth * chromaHeight)
                for y in 0..<chromaHeight {
                    for x in 0..<chromaWidth {
                        var sum: Float = 0
                        for dy in 0..<lumaV {
                            for dx in 0..<lumaH { sum += planes[c][min(y * lumaV + dy, height - 1) * width + min(x * lumaH + dx, width - 1)] }
                        }
                        reduced[y * chromaWidth + x] = sum / Float(lumaH * lumaV)
                    }
                }
                planes[c] = reduced
            }
        }
        let widths = colour ? [width, chromaWidth, chromaWidth] : [width]
        let heights = colour ? [height, chromaHeight, chromaHeight] : [height]
        let hs = colour ? [lumaH, 1, 1] : [1], vs = colour ? [lumaV, 1, 1] : [1]
        let tables = colour ? [0, 1, 1] : [0]
        let quant = [Self.scaled(Self.luminance, quality), Self.scaled(Self.chrominance, quality)]
        let mcusWide = (width + 8 * lumaH - 1) / (8 * lumaH), mcusHigh = (height + 8 * lumaV - 1) / (8 * lumaV)
        // Quantized coefficients of each component's blocks (whole MCUs), zigzag order within a block.
        let blocksWide = hs.map { $0 * mcusWide }, blocksHigh = vs.map { $0 * mcusHigh }
        var coefficients = (0..<n).map { [Int16](repeating: 0, count: blocksWide[$0] * blocksHigh[$0] * 64) }
        var block = [Float](repeating: 0, count: 64)
        for c in 0..<n {
            let w = widths[c], h = heights[c], q = quant[tables[c]]
            for by in 0..<blocksHigh[c] {
                for bx in 0..<blocksWide[c] {
                    for y in 0..<8 {
                        let sy = min(by * 8 + y, h - 1)
                        for x in 0..<8 { block[y * 8 + x] = planes[c][sy * w + min(bx * 8 + x, w - 1)] - 128 }
                    }
                    Self.forwardDCT(&block)
                    let index = (by * blocksWide[c] + bx) * 64
                    for k in 0..<64 {
                        let natural = JPEGDecoder.zigzag[k]
                        coefficients[c][index + k] = Int16((block[natural] / Float(q[natural])).rounded())
                    }
                }
            }
        }
        let scans: [[Int]] = separateScans ? (0..<n).map { [$0] } : [Array(0..<n)]
        // Symbol frequencies, then the tables, then the data: the same walk twice.
        var dcFrequencies = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 2)
        var acFrequencies = dcFrequencies
        func walk(_ scan: [Int], restart: () -> Void, _ emit: (_ table: Int, _ isDC: Bool, _ symbol: Int, _ bits: UInt32, _ size: Int) -> Void) {
            var predictions = [Int](repeating: 0, count: n)
            func code(_ c: Int, _ by: Int, _ bx: Int) {
                let i = (by * blocksWide[c] + bx) * 64
                let dc = Int(coefficients[c][i])
                let (size, bits) = JPEGBitWriter.category(dc - predictions[c])
                predictions[c] = dc
                emit(tables[c], true, size, bits, size)
                var run = 0
                for k in 1..<64 {
                    let v = Int(coefficients[c][i + k])
                    if v == 0 { run += 1; continue }
                    while run > 15 { emit(tables[c], false, 0xF0, 0, 0); run -= 16 }
                    let (s, b) = JPEGBitWriter.category(v)
                    emit(tables[c], false, run << 4 | s, b, s)
                    run = 0
                }
                if run > 0 { emit(tables[c], false, 0x00, 0, 0) }
            }
            var mcus = 0
            func nextMCU() {
                if restartInterval > 0 {
                    if mcus == restartInterval {
                        restart()
                        mcus = 0
                        for i in predictions.indices { predictions[i] = 0 }
                    }
                    mcus += 1
                }
            }
            if scan.count == 1 {
                // A one-component scan codes the component's own blocks, without MCU padding (T.81 §A.2.2).
                let c = scan[0]
                for by in 0..<((heights[c] + 7) / 8) {
                    for bx in 0..<((widths[c] + 7) / 8) { nextMCU(); code(c, by, bx) }
                }
            } else {
                for my in 0..<mcusHigh {
                    for mx in 0..<mcusWide {
                        nextMCU()
                        for c in scan {
                            for v in 0..<vs[c] { for h in 0..<hs[c] { code(c, my * vs[c] + v, mx * hs[c] + h) } }
                        }
                    }
                }
            }
        }
        for scan in scans {
            walk(scan, restart: {}) { table, isDC, symbol, _, _ in
                if isDC { dcFrequencies[table][symbol] += 1 } else { acFrequencies[table][symbol] += 1 }
            }
        }
        let classes = colour ? 2 : 1
        let dcTables = (0..<classes).map { JPEGHuffmanEncoder(frequencies: dcFrequencies[$0]) }
        let acTables = (0..<classes).map { JPEGHuffmanEncoder(frequencies: acFrequencies[$0]) }

        var out = JPEGBitWriter(capacity: d.decodedFrameLength / 4 + 1024)
        out.marker(0xD8)
        out.segment(0xE0, [0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])  // JFIF 1.01, no thumbnail
        for t in 0..<classes { out.segment(0xDB, [UInt8(t)] + (0..<64).map { UInt8(quant[t][JPEGDecoder.zigzag[$0]]) }) }
        var sof: [UInt8] = [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(n)]
        for c in 0..<n { sof += [UInt8(c + 1), UInt8(hs[c] << 4 | vs[c]), UInt8(tables[c])] }
        out.segment(0xC0, sof)
        for t in 0..<classes {
            out.huffmanTable(tableClass: 0, id: t, dcTables[t])
            out.huffmanTable(tableClass: 1, id: t, acTables[t])
        }
        if restartInterval > 0 { out.segment(0xDD, [UInt8(restartInterval >> 8), UInt8(restartInterval & 0xFF)]) }
        for scan in scans {
            var sos: [UInt8] = [UInt8(scan.count)]
            for c in scan { sos += [UInt8(c + 1), UInt8(tables[c] << 4 | tables[c])] }
            out.segment(0xDA, sos + [0, 63, 0])
            var restarts = 0
            walk(scan, restart: {
                out.flush()
                out.marker(0xD0 + UInt8(restarts % 8))
                restarts += 1
            }) { table, isDC, symbol, bits, size in
                let t = isDC ? dcTables[table] : acTables[table]
                out.write(t.code[symbol], Int(t.length[symbol]))
                out.write(bits, size)
            }
            out.flush()
        }
        let photometric = !colour ? d.photometricInterpretation : (luma == (2, 1) ? "YBR_FULL_422" : "YBR_FULL")
        return (out.finish(), photometric)
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
