/// Encodes one frame with the lossless process (T.81 Annex H, SOF3): one interleaved scan, Huffman tables
/// optimised for the frame, no point transform.
struct JPEGLosslessEncoder {
    let descriptor: ImageDescriptor
    let predictor: Int
    /// MCUs between restart markers; 0 for none. Used by tests to exercise decoders.
    var restartInterval = 0
    /// One scan per component instead of one interleaved scan. Used by tests to exercise decoders.
    var separateScans = false

    func encode(_ frame: UnsafeRawBufferPointer) throws(DicomError) -> [UInt8] {
        let d = descriptor
        guard (1...7).contains(predictor), (0...65535).contains(restartInterval) else { throw DicomError(.invalidPixelData, "JPEG lossless: predictor \(predictor) is not 1–7") }
        guard d.samplesPerPixel == 1 || d.samplesPerPixel == 3, d.bitsAllocated == 8 || d.bitsAllocated == 16, d.bitsStored <= 16 else {
            throw DicomError(.invalidPixelData, "JPEG lossless: \(d.samplesPerPixel) samples of \(d.bitsAllocated) bits cannot be encoded")
        }
        guard frame.count >= d.decodedFrameLength else {
            throw DicomError(.invalidPixelData, "frame has \(frame.count) bytes, \(d.decodedFrameLength) expected")
        }
        guard d.columns <= 65535, d.rows <= 65535 else { throw DicomError(.invalidPixelData, "JPEG: image larger than 65535") }
        let precision = max(d.bitsStored, 2)
        let mask = (1 << precision) - 1
        let n = d.samplesPerPixel, width = d.columns, height = d.rows
        let wide = d.bytesPerSample == 2
        @inline(__always) func sample(_ index: Int) -> Int {
            (wide ? Int(frame[2 * index]) | Int(frame[2 * index + 1]) << 8 : Int(frame[index])) & mask
        }
        // Visits every difference of a scan in order; the same walk counts symbols, then writes them.
        func walk(_ components: [Int], restart: () -> Void, _ body: (Int) -> Void) {
            let initial = 1 << (precision - 1)
            var mcusInInterval = 0, firstLine = 0, resetPending = true
            for y in 0..<height {
                for x in 0..<width {
                    if restartInterval > 0 {
                        if mcusInInterval == restartInterval {
                            restart()
                            mcusInInterval = 0
                            firstLine = y
                            resetPending = true
                        }
                        mcusInInterval += 1
                    }
                    for c in components {
                        let i = (y * width + x) * n + c
                        let prediction: Int
                        if resetPending {
                            prediction = initial
                        } else if y == firstLine {
                            prediction = sample(i - n)
                        } else if x == 0 {
                            prediction = sample(i - width * n)
                        } else {
                            let ra = sample(i - n), rb = sample(i - width * n), rc = sample(i - width * n - n)
                            switch predictor {
                            case 1: prediction = ra
                            case 2: prediction = rb
                            case 3: prediction = rc
                            case 4: prediction = ra + rb - rc
                            case 5: prediction = ra + ((rb - rc) >> 1)
                            case 6: prediction = rb + ((ra - rc) >> 1)
                            default: prediction = (ra + rb) >> 1
                            }
                        }
                        // Differences are taken modulo 2^16 (T.81 §H.1.2.1).
                        var difference = (sample(i) - prediction) & 0xFFFF
                        if difference >= 0x8000 { difference -= 0x10000 }
                        body(difference)
                    }
                    resetPending = false
                }
            }
        }
        let scans: [[Int]] = separateScans ? (0..<n).map { [$0] } : [Array(0..<n)]
        var frequencies = [Int](repeating: 0, count: 17)
        for scan in scans {
            walk(scan, restart: {}) { difference in
                frequencies[difference == -0x8000 ? 16 : JPEGBitWriter.category(difference).size] += 1
            }
        }
        let table = JPEGHuffmanEncoder(frequencies: frequencies)
        var out = JPEGBitWriter(capacity: d.decodedFrameLength / 2 + 1024)
        out.marker(0xD8)
        var sof: [UInt8] = [UInt8(precision), UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(n)]
        for c in 0..<n { sof += [UInt8(c + 1), 0x11, 0] }
        out.segment(0xC3, sof)
        out.huffmanTable(tableClass: 0, id: 0, table)
        if restartInterval > 0 { out.segment(0xDD, [UInt8(restartInterval >> 8), UInt8(restartInterval & 0xFF)]) }
        for scan in scans {
            var sos: [UInt8] = [UInt8(scan.count)]
            for c in scan { sos += [UInt8(c + 1), 0x00] }
            sos += [UInt8(predictor), 0, 0]
            out.segment(0xDA, sos)
            var restarts = 0
            walk(scan, restart: {
                out.flush()
                out.marker(0xD0 + UInt8(restarts % 8))
                restarts += 1
            }) { difference in
                if difference == -0x8000 {
                    out.write(table.code[16], Int(table.length[16]))
                } else {
                    let (size, bits) = JPEGBitWriter.category(difference)
                    out.write(table.code[size], Int(table.length[size]))
                    out.write(bits, size)
                }
            }
            out.flush()
        }
        return out.finish()
    }
}
