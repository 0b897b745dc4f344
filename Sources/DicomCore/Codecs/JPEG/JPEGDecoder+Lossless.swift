extension JPEGDecoder {
    /// Decodes a lossless scan (T.81 Annex H) straight into the output, keeping only two lines of samples.
    mutating func decodeLosslessScan(_ f: Frame, members: [(index: Int, dc: Int)], predictor: Int, pointTransform pt: Int) throws(DicomError) {
        let width = f.width, height = f.height, n = members.count
        let owners = members.map { dcTables[$0.dc]! }
        defer { withExtendedLifetime(owners) {} }
        let tables = owners.map(\.lookupView)
        let firstTable = tables[0]
        // Whole differences (code and extra bits) of up to `differenceBits` bits, one lookup each.
        let fastTables = UnsafeMutablePointer<Int32>.allocate(capacity: n << Self.differenceBits)
        defer { fastTables.deallocate() }
        for c in 0..<n { Self.buildDifferenceTable(tables[c], into: fastTables + (c << Self.differenceBits)) }
        let firstFast = UnsafePointer(fastTables)
        let bytesPerSample = descriptor.bytesPerSample, samples = descriptor.samplesPerPixel
        let writer = JPEGSampleWriter(descriptor: descriptor, output: output)
        let initial = 1 << (f.precision - pt - 1)
        let interval = restartInterval
        // Two lines of samples, allocated once for the scan (no closure, so the bit reader stays in registers).
        let lines = UnsafeMutablePointer<Int>.allocate(capacity: 2 * width * n)
        lines.initialize(repeating: 0, count: 2 * width * n)
        defer { lines.deallocate() }
        var reader = JPEGBitReader(data, at: position)
        do {
            var previous = lines
            var current = previous + width * n
            var mcusInInterval = 0
            var firstLine = 0          // the line where the scan or the latest restart interval began
            var resetPending = true    // the next sample of each component is predicted from 2^(P-Pt-1)
            for y in 0..<height {
                // The common case gets a loop of its own: one component, a line after the first of its interval,
                // no restart inside it.
                if n == 1 && y != firstLine && !resetPending && (interval == 0 || mcusInInterval + width <= interval) {
                    let t = firstTable, f = firstFast, p = UnsafePointer(previous), o = current
                    switch predictor {
                    case 1: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { ra, _, _ in ra }
                    case 2: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { _, rb, _ in rb }
                    case 3: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { _, _, rc in rc }
                    case 4: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { ra, rb, rc in ra + rb - rc }
                    case 5: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { ra, rb, rc in ra + ((rb - rc) >> 1) }
                    case 6: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { ra, rb, rc in rb + ((ra - rc) >> 1) }
                    default: try Self.decodeLine(&reader, t, f, previous: p, current: o, width: width) { ra, rb, _ in (ra + rb) >> 1 }
                    }
                    if interval > 0 { mcusInInterval += width }
                    writer.writeLine(current, stride: 1, count: width, shift: pt,
                                     at: (y * width * samples + members[0].index) * bytesPerSample, outputStride: samples * bytesPerSample)
                    swap(&previous, &current)
                    continue
                }
                for x in 0..<width {
                    if interval > 0 {
                        if mcusInInterval == interval {
                            try restart(&reader)
                            mcusInInterval = 0
                            firstLine = y
                            resetPending = true
                        }
                        mcusInInterval += 1
                    }
                    for c in 0..<n {
                        let i = x * n + c
                        let prediction: Int
                        if resetPending {
                            prediction = initial
                        } else if y == firstLine {
                            prediction = current[i - n]
                        } else if x == 0 {
                            prediction = previous[i]
                        } else {
                            let ra = current[i - n], rb = previous[i], rc = previous[i - n]
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
                        let difference = try Self.difference(&reader, tables[c], UnsafePointer(fastTables + (c << Self.differenceBits)))
                        current[i] = (prediction + difference) & 0xFFFF
                    }
                    resetPending = false
                }
                for c in 0..<n {
                    writer.writeLine(current + c, stride: n, count: width, shift: pt,
                                     at: (y * width * samples + members[c].index) * bytesPerSample, outputStride: samples * bytesPerSample)
                }
                swap(&previous, &current)
            }
        }
        try endScan(&reader)
    }

    /// Decodes one line of a one-component scan that is not the first line of its interval: the first sample is
    /// predicted from the one above (T.81 §H.1.2.1), the others by `predict(Ra, Rb, Rc)`.
    @inline(__always)
    static func decodeLine(_ reader: inout JPEGBitReader, _ table: JPEGHuffmanLookup, _ fast: UnsafePointer<Int32>, previous: UnsafePointer<Int>, current: UnsafeMutablePointer<Int>,
                           width: Int, predict: (Int, Int, Int) -> Int) throws(DicomError) {
        var ra = (previous[0] + (try difference(&reader, table, fast))) & 0xFFFF
        current[0] = ra
        var x = 1
        while x < width {
            ra = (predict(ra, previous[x], previous[x - 1]) + (try difference(&reader, table, fast))) & 0xFFFF
            current[x] = ra
            x += 1
        }
    }

    /// Bits of the whole-difference lookup: most codes and their extra bits fit, and 4096 entries stay in L1 cache.
    static let differenceBits = 12

    /// Fills `fast` (`1 << differenceBits` entries) so that the next `differenceBits` bits of a scan index the
    /// difference they start with, as `difference << 8 | bits used`; 0 where the code and its extra bits are longer,
    /// or the category is not one of 0...16 (the full decode then handles it, or reports it).
    static func buildDifferenceTable(_ table: JPEGHuffmanLookup, into fast: UnsafeMutablePointer<Int32>) {
        let size = 1 << differenceBits
        fast.initialize(repeating: 0, count: size)
        // Codes of one length are consecutive, after the last code of the length before, shifted (T.81 Figure C.2).
        var code = 0
        for length in 1...differenceBits {
            let last = table.maxCode[length]
            if last >= code {
                for c in code...last {
                    let s = Int(table.values[c + table.valueOffset[length]])
                    let extra = s == 16 ? 0 : s
                    guard s <= 16, length + extra <= differenceBits else { continue }
                    for e in 0..<(1 << extra) {
                        let value: Int
                        if s == 0 { value = 0 } else if s == 16 { value = 32768 } else { value = e < 1 << (s - 1) ? e - (1 << s) + 1 : e }
                        let used = length + extra
                        let first = (c << extra | e) << (differenceBits - used)
                        let entry = Int32(value << 8 | used)
                        for j in first..<(first + (1 << (differenceBits - used))) { fast[j] = entry }
                    }
                }
                code = last + 1
            }
            code <<= 1
        }
    }

    /// One lossless difference through the whole-difference lookup, else `difference(_:_:)`.
    @inline(__always)
    static func difference(_ reader: inout JPEGBitReader, _ table: JPEGHuffmanLookup, _ fast: UnsafePointer<Int32>) throws(DicomError) -> Int {
        // 32 bits cover any code and its extra bits; a refill leaves at least 57.
        if reader.count < 32 { reader.refill() }
        let entry = Int(fast[reader.peek(differenceBits)])
        if entry & 0xFF != 0 {
            reader.skip(entry & 0xFF)
            return entry >> 8
        }
        return try difference(&reader, table)
    }

    /// One lossless difference: a Huffman-coded category and that many extra bits (T.81 §H.1.2.2).
    static func difference(_ reader: inout JPEGBitReader, _ table: JPEGHuffmanLookup) throws(DicomError) -> Int {
        let s = try reader.decode(table)
        switch s {
        case 0: return 0
        case 1...15: return reader.receiveExtend(s)
        case 16: return 32768
        default: throw DicomError(.invalidPixelData, at: reader.position, "JPEG: lossless difference category \(s)")
        }
    }

    /// Checks that the interval's data sufficed, then moves past the RSTn marker that must follow (T.81 §E.1.4).
    mutating func restart(_ reader: inout JPEGBitReader) throws(DicomError) {
        guard !reader.overran else { throw DicomError(.invalidPixelData, at: reader.position, "JPEG: restart interval data ends early") }
        reader.alignToMarker()
        let p = reader.position
        guard p + 1 < data.count, (0xD0...0xD7).contains(data[p + 1]) else {
            throw DicomError(.invalidPixelData, at: p, "JPEG: restart marker missing")
        }
        reader = JPEGBitReader(data, at: p + 2)
    }

    /// Checks that the scan's data sufficed and leaves `position` at the marker after it.
    mutating func endScan(_ reader: inout JPEGBitReader) throws(DicomError) {
        guard !reader.overran else { throw DicomError(.invalidPixelData, at: reader.position, "JPEG: scan data ends early") }
        reader.alignToMarker()
        position = reader.position
    }
}
