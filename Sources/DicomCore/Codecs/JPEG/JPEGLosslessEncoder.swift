/// Encodes one frame with the lossless process (T.81 Annex H, SOF3): one interleaved scan, a Huffman table
/// optimised for the frame or the fixed one of `LosslessHuffmanTables.standard`, no point transform.
struct JPEGLosslessEncoder {
    let descriptor: ImageDescriptor
    let predictor: Int
    /// Which Huffman table the frame is coded with.
    var tables: LosslessHuffmanTables = .optimized
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
        let total = width * height * n
        guard total > 0, let base = frame.baseAddress else { throw DicomError(.invalidPixelData, "JPEG lossless: empty frame") }
        // The samples, masked, read once; then every difference of every scan in order, computed once and both
        // counted (for the Huffman table) and written.
        let samples = UnsafeMutablePointer<Int>.allocate(capacity: total)
        defer { samples.deallocate() }
        if d.bytesPerSample == 2 {
            for i in 0..<total { samples[i] = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) & mask }
        } else {
            for i in 0..<total { samples[i] = Int(base.load(fromByteOffset: i, as: UInt8.self)) & mask }
        }
        let differences = UnsafeMutablePointer<Int32>.allocate(capacity: total)
        defer { differences.deallocate() }
        var frequencies = [Int](repeating: 0, count: 17)
        /// Indices in `differences` before which a restart marker goes, and where each scan starts.
        var restarts: [Int] = []
        var scanStarts: [Int] = []
        let scans: [[Int]] = separateScans ? (0..<n).map { [$0] } : [Array(0..<n)]
        var next = 0
        frequencies.withUnsafeMutableBufferPointer { frequency in
            for scan in scans {
                scanStarts.append(next)
                next = differencesOfScan(scan, samples, precision: precision, width: width, height: height, n: n,
                                         into: differences, from: next, frequency: frequency.baseAddress!, restarts: &restarts)
            }
        }
        let table = tables == .standard ? JPEGHuffmanEncoder.losslessStandard : JPEGHuffmanEncoder(frequencies: frequencies)
        var out = JPEGBitWriter(capacity: d.decodedFrameLength / 2 + 1024)
        out.marker(0xD8)
        var sof: [UInt8] = [UInt8(precision), UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(n)]
        for c in 0..<n { sof += [UInt8(c + 1), 0x11, 0] }
        out.segment(0xC3, sof)
        out.huffmanTable(tableClass: 0, id: 0, table)
        if restartInterval > 0 { out.segment(0xDD, [UInt8(restartInterval >> 8), UInt8(restartInterval & 0xFF)]) }
        var nextRestart = 0
        for (k, scan) in scans.enumerated() {
            var sos: [UInt8] = [UInt8(scan.count)]
            for c in scan { sos += [UInt8(c + 1), 0x00] }
            sos += [UInt8(predictor), 0, 0]
            out.segment(0xDA, sos)
            var restartCount = 0
            let end = k + 1 < scanStarts.count ? scanStarts[k + 1] : total
            var i = scanStarts[k]
            while i < end {
                // Up to the next restart marker (or the scan's end), differences are written with no other check.
                let stop = nextRestart < restarts.count ? min(restarts[nextRestart], end) : end
                while i < stop {
                    let difference = Int(differences[i])
                    if difference == -0x8000 {
                        out.write(table.code[16], Int(table.length[16]))
                    } else {
                        let (size, bits) = JPEGBitWriter.category(difference)
                        // A code (at most 16 bits) and its extra bits (at most 15) go in one write.
                        out.write(table.code[size] << UInt32(size) | bits, Int(table.length[size]) + size)
                    }
                    i += 1
                }
                if nextRestart < restarts.count && restarts[nextRestart] == i && i < end {
                    out.flush()
                    out.marker(0xD0 + UInt8(restartCount % 8))
                    restartCount += 1
                    nextRestart += 1
                }
            }
            out.flush()
        }
        return out.finish()
    }

    /// Computes the differences of one scan over `components` (T.81 §H.1.2) into `out` from index `start`, counts
    /// their categories in `frequency`, and records in `restarts` the index before which each restart marker goes.
    /// Returns the index after the scan's last difference.
    private func differencesOfScan(_ components: [Int], _ samples: UnsafeMutablePointer<Int>, precision: Int, width: Int, height: Int, n: Int,
                                   into out: UnsafeMutablePointer<Int32>, from start: Int, frequency: UnsafeMutablePointer<Int>,
                                   restarts: inout [Int]) -> Int {
        let initial = 1 << (precision - 1)
        let line = width * n
        var o = start
        var mcusInInterval = 0, firstLine = 0, resetPending = true
        @inline(__always) func emit(_ sample: Int, _ prediction: Int) {
            // Differences are taken modulo 2^16 (T.81 §H.1.2.1).
            var difference = (sample - prediction) & 0xFFFF
            if difference >= 0x8000 { difference -= 0x10000 }
            out[o] = Int32(difference)
            o += 1
            let magnitude = difference < 0 ? -difference : difference
            frequency[difference == -0x8000 ? 16 : Int.bitWidth - magnitude.leadingZeroBitCount] += 1
        }
        for y in 0..<height {
            // The common case gets a loop of its own: one component, a line after the first, no restarts.
            if components.count == 1 && restartInterval == 0 && y > 0 {
                let c = components[0]
                let row = samples + y * line + c, above = row - line
                emit(row[0], above[0])
                var x = 1
                switch predictor {
                case 1: while x < width { emit(row[x * n], row[(x - 1) * n]); x += 1 }
                case 2: while x < width { emit(row[x * n], above[x * n]); x += 1 }
                case 3: while x < width { emit(row[x * n], above[(x - 1) * n]); x += 1 }
                case 4: while x < width { emit(row[x * n], row[(x - 1) * n] + above[x * n] - above[(x - 1) * n]); x += 1 }
                case 5: while x < width { emit(row[x * n], row[(x - 1) * n] + ((above[x * n] - above[(x - 1) * n]) >> 1)); x += 1 }
                case 6: while x < width { emit(row[x * n], above[x * n] + ((row[(x - 1) * n] - above[(x - 1) * n]) >> 1)); x += 1 }
                default: while x < width { emit(row[x * n], (row[(x - 1) * n] + above[x * n]) >> 1); x += 1 }
                }
                resetPending = false
                continue
            }
            for x in 0..<width {
                if restartInterval > 0 {
                    if mcusInInterval == restartInterval {
                        restarts.append(o)
                        mcusInInterval = 0
                        firstLine = y
                        resetPending = true
                    }
                    mcusInInterval += 1
                }
                for c in components {
                    let i = y * line + x * n + c
                    let prediction: Int
                    if resetPending {
                        prediction = initial
                    } else if y == firstLine {
                        prediction = samples[i - n]
                    } else if x == 0 {
                        prediction = samples[i - line]
                    } else {
                        let ra = samples[i - n], rb = samples[i - line], rc = samples[i - line - n]
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
                    emit(samples[i], prediction)
                }
                resetPending = false
            }
        }
        return o
    }
}

extension JPEGHuffmanEncoder {
    /// The fixed table of `LosslessHuffmanTables.standard`: categories 0–11 coded as in the typical luminance DC table
    /// of T.81 Table K.3 (lengths 2, 3×5, 4…9), and the categories lossless coding adds, 12–16, in the code space
    /// K.3 leaves free, with lengths 10…14. No code is all ones (T.81 §C).
    static let losslessStandard = JPEGHuffmanEncoder(counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], values: Array(0...16))
}
