/// Decodes one JPEG codestream (ITU-T T.81) into the decoded-pixel layout of `PixelCodec`.
///
/// Handles the lossless process (SOF3, Annex H) and the sequential DCT processes with Huffman coding (SOF0, SOF1).
/// Markers are read in any order the standard allows: tables and restart intervals may be defined before any scan,
/// application segments and comments are skipped. Every length is checked against the bytes that remain.
struct JPEGDecoder {
    struct Component {
        var id: UInt8
        var h: Int
        var v: Int
        var quantTable: Int
        /// Samples per line and lines of this component (T.81 §A.1.1).
        var width = 0
        var height = 0
        /// Blocks per line and block lines stored for this component (whole MCUs).
        var blocksWide = 0
        var blocksHigh = 0
        /// Coefficients of every block, 64 per block in natural order (DCT processes only).
        var coefficients: [Int16] = []
        var scanned = false
    }

    struct Frame {
        /// The SOF marker's low byte: 0xC0, 0xC1 or 0xC3.
        var process: UInt8
        var precision: Int
        var width: Int
        var height: Int
        var components: [Component]
        var hMax = 1
        var vMax = 1
        var mcusWide = 0
        var mcusHigh = 0
        var isLossless: Bool { process == 0xC3 }
    }

    let data: UnsafeBufferPointer<UInt8>
    let descriptor: ImageDescriptor
    let output: UnsafeMutableRawBufferPointer
    var position = 0
    var frame: Frame?
    var dcTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    var acTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    var quantTables = [[UInt16]?](repeating: nil, count: 4)
    var restartInterval = 0
    var hasJFIF = false
    /// The Adobe APP14 transform flag: 0 means the components are not YCbCr, 1 that they are.
    var adobeTransform: Int?

    init(data: UnsafeBufferPointer<UInt8>, descriptor: ImageDescriptor, output: UnsafeMutableRawBufferPointer) {
        self.data = data
        self.descriptor = descriptor
        self.output = output
    }

    /// Decodes the codestream; returns the Photometric Interpretation of the output.
    mutating func decode() throws(DicomError) -> String {
        guard data.count >= 2, data[0] == 0xFF, data[1] == 0xD8 else {
            throw DicomError(.invalidPixelData, at: 0, "JPEG: no SOI marker at the start of the frame")
        }
        position = 2
        while true {
            guard let marker = nextMarker() else {
                // A missing EOI is tolerated once every component has been decoded.
                if let frame, frame.components.allSatisfy(\.scanned) { break }
                throw DicomError(.invalidPixelData, at: position, "JPEG: codestream ends before the image is complete")
            }
            let markerOffset = position - 2
            switch marker {
            case 0xD9:
                guard let frame, frame.components.allSatisfy(\.scanned) else {
                    throw DicomError(.invalidPixelData, at: markerOffset, "JPEG: EOI before every component was decoded")
                }
                return try finish()
            case 0xC0, 0xC1, 0xC3:
                try readFrameHeader(marker)
            case 0xC2, 0xC6, 0xCA, 0xCE:
                throw DicomError(.unsupportedTransferSyntax, at: markerOffset, "JPEG: progressive DCT (SOF\(marker - 0xC0)) is not supported")
            case 0xC5, 0xC7, 0xC9, 0xCB, 0xCD, 0xCF, 0xCC, 0xDE, 0xDF:
                throw DicomError(.unsupportedTransferSyntax, at: markerOffset,
                                 "JPEG: marker FF\(String(marker, radix: 16, uppercase: true)) (hierarchical or arithmetic coding) is not supported")
            case 0xC4:
                try readHuffmanTables()
            case 0xDB:
                try readQuantizationTables()
            case 0xDD:
                let segment = try readSegment()
                guard segment.count == 2 else { throw DicomError(.invalidPixelData, at: markerOffset, "JPEG: DRI of \(segment.count) bytes") }
                restartInterval = Int(data[segment.lowerBound]) << 8 | Int(data[segment.lowerBound + 1])
            case 0xDA:
                try readScan(at: markerOffset)
            case 0xE0...0xEF:
                let segment = try readSegment()
                readApplicationSegment(marker, segment)
            case 0xFE, 0xDC:
                _ = try readSegment()
            case 0xD0...0xD7, 0x01:
                continue  // stray restart marker or TEM: no length, nothing to do
            default:
                throw DicomError(.invalidPixelData, at: markerOffset, "JPEG: unexpected marker FF\(String(marker, radix: 16, uppercase: true))")
            }
        }
        return try finish()
    }

    /// Moves past the next marker and returns its code, or nil at the end of the data. Bytes before it are skipped.
    mutating func nextMarker() -> UInt8? {
        while position + 1 < data.count {
            if data[position] == 0xFF && data[position + 1] != 0xFF && data[position + 1] != 0 {
                position += 2
                return data[position - 1]
            }
            position += 1
        }
        position = data.count
        return nil
    }

    /// Reads a segment length and returns the range of the segment's contents after it.
    mutating func readSegment() throws(DicomError) -> Range<Int> {
        guard position + 2 <= data.count else { throw DicomError(.invalidPixelData, at: position, "JPEG: segment length cut off") }
        let length = Int(data[position]) << 8 | Int(data[position + 1])
        guard length >= 2, position + length <= data.count else {
            throw DicomError(.invalidPixelData, at: position, "JPEG: segment length \(length) exceeds the \(data.count - position) bytes left")
        }
        let range = (position + 2)..<(position + length)
        position += length
        return range
    }

    mutating func readApplicationSegment(_ marker: UInt8, _ segment: Range<Int>) {
        let s = segment.lowerBound
        if marker == 0xE0, segment.count >= 5, Array(data[s..<(s + 5)]) == [0x4A, 0x46, 0x49, 0x46, 0] { hasJFIF = true }
        if marker == 0xEE, segment.count >= 12, Array(data[s..<(s + 5)]) == [0x41, 0x64, 0x6F, 0x62, 0x65] {
            adobeTransform = Int(data[s + 11])
        }
    }

    mutating func readFrameHeader(_ marker: UInt8) throws(DicomError) {
        let offset = position - 2
        guard frame == nil else { throw DicomError(.invalidPixelData, at: offset, "JPEG: second frame header") }
        let segment = try readSegment()
        let s = segment.lowerBound
        guard segment.count >= 6 else { throw DicomError(.invalidPixelData, at: offset, "JPEG: frame header too short") }
        let precision = Int(data[s])
        let height = Int(data[s + 1]) << 8 | Int(data[s + 2])
        let width = Int(data[s + 3]) << 8 | Int(data[s + 4])
        let count = Int(data[s + 5])
        guard segment.count == 6 + 3 * count, count >= 1 else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG: frame header of \(segment.count) bytes for \(count) components")
        }
        let validPrecision = marker == 0xC3 ? (2...16).contains(precision) : (marker == 0xC0 ? precision == 8 : precision == 8 || precision == 12)
        guard validPrecision else { throw DicomError(.invalidPixelData, at: offset, "JPEG: sample precision \(precision) for SOF\(marker - 0xC0)") }
        guard width == descriptor.columns, height == descriptor.rows, count == descriptor.samplesPerPixel else {
            throw DicomError(.invalidPixelData, at: offset,
                             "JPEG: frame is \(width)x\(height)x\(count), data set says \(descriptor.columns)x\(descriptor.rows)x\(descriptor.samplesPerPixel)")
        }
        guard precision <= descriptor.bytesPerSample * 8 else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG: \(precision)-bit samples do not fit Bits Allocated \(descriptor.bitsAllocated)")
        }
        var components: [Component] = []
        for i in 0..<count {
            let p = s + 6 + 3 * i
            let h = Int(data[p + 1] >> 4), v = Int(data[p + 1] & 15), tq = Int(data[p + 2])
            guard (1...4).contains(h), (1...4).contains(v), tq < 4 else {
                throw DicomError(.invalidPixelData, at: p, "JPEG: component sampling \(h)x\(v), table \(tq)")
            }
            guard !components.contains(where: { $0.id == data[p] }) else {
                throw DicomError(.invalidPixelData, at: p, "JPEG: component \(data[p]) defined twice")
            }
            components.append(Component(id: data[p], h: h, v: v, quantTable: tq))
        }
        var f = Frame(process: marker, precision: precision, width: width, height: height, components: components)
        f.hMax = components.map(\.h).max() ?? 1
        f.vMax = components.map(\.v).max() ?? 1
        if f.isLossless && (f.hMax > 1 || f.vMax > 1) {
            throw DicomError(.invalidPixelData, at: offset, "JPEG: subsampled lossless frames are not supported")
        }
        let unit = f.isLossless ? 1 : 8
        f.mcusWide = (width + unit * f.hMax - 1) / (unit * f.hMax)
        f.mcusHigh = (height + unit * f.vMax - 1) / (unit * f.vMax)
        for i in f.components.indices {
            let c = f.components[i]
            f.components[i].width = (width * c.h + f.hMax - 1) / f.hMax
            f.components[i].height = (height * c.v + f.vMax - 1) / f.vMax
            f.components[i].blocksWide = f.mcusWide * c.h
            f.components[i].blocksHigh = f.mcusHigh * c.v
        }
        frame = f
    }

    mutating func readHuffmanTables() throws(DicomError) {
        let segment = try readSegment()
        var p = segment.lowerBound
        while p < segment.upperBound {
            guard p + 17 <= segment.upperBound else { throw DicomError(.invalidPixelData, at: p, "JPEG: Huffman table cut off") }
            let tc = Int(data[p] >> 4), th = Int(data[p] & 15)
            guard tc <= 1, th <= 3 else { throw DicomError(.invalidPixelData, at: p, "JPEG: Huffman table class \(tc) id \(th)") }
            let counts = (0..<16).map { Int(data[p + 1 + $0]) }
            let total = counts.reduce(0, +)
            guard p + 17 + total <= segment.upperBound else { throw DicomError(.invalidPixelData, at: p, "JPEG: Huffman table symbols cut off") }
            let table = try JPEGHuffmanTable(counts: counts, values: Array(data[(p + 17)..<(p + 17 + total)]), at: p)
            if tc == 0 { dcTables[th] = table } else { acTables[th] = table }
            p += 17 + total
        }
    }

    mutating func readQuantizationTables() throws(DicomError) {
        let segment = try readSegment()
        var p = segment.lowerBound
        while p < segment.upperBound {
            let pq = Int(data[p] >> 4), tq = Int(data[p] & 15)
            guard pq <= 1, tq <= 3, p + 1 + 64 * (pq + 1) <= segment.upperBound else {
                throw DicomError(.invalidPixelData, at: p, "JPEG: quantization table \(tq) of precision \(pq) cut off or invalid")
            }
            var table = [UInt16](repeating: 0, count: 64)
            for k in 0..<64 {
                // Stored in zigzag order; kept in natural order.
                let value = pq == 0 ? UInt16(data[p + 1 + k]) : UInt16(data[p + 1 + 2 * k]) << 8 | UInt16(data[p + 2 + 2 * k])
                table[JPEGDecoder.zigzag[k]] = value
            }
            quantTables[tq] = table
            p += 1 + 64 * (pq + 1)
        }
    }

    /// Reads a scan header, then decodes the scan's entropy-coded data.
    mutating func readScan(at offset: Int) throws(DicomError) {
        guard var f = frame else { throw DicomError(.invalidPixelData, at: offset, "JPEG: scan before the frame header") }
        let segment = try readSegment()
        let s = segment.lowerBound
        guard segment.count >= 1 else { throw DicomError(.invalidPixelData, at: offset, "JPEG: empty scan header") }
        let count = Int(data[s])
        guard (1...4).contains(count), segment.count == 4 + 2 * count else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG: scan header of \(segment.count) bytes for \(count) components")
        }
        var members: [(index: Int, dc: Int, ac: Int)] = []
        for i in 0..<count {
            let id = data[s + 1 + 2 * i], tables = data[s + 2 + 2 * i]
            guard let index = f.components.firstIndex(where: { $0.id == id }), !members.contains(where: { $0.index == index }) else {
                throw DicomError(.invalidPixelData, at: s + 1 + 2 * i, "JPEG: scan names unknown or repeated component \(id)")
            }
            let dc = Int(tables >> 4), ac = Int(tables & 15)
            guard dc <= 3, ac <= 3, dcTables[dc] != nil, f.isLossless || acTables[ac] != nil else {
                throw DicomError(.invalidPixelData, at: s + 2 + 2 * i, "JPEG: scan uses a Huffman table that was not defined")
            }
            members.append((index, dc, ac))
        }
        let ss = Int(data[s + 1 + 2 * count]), se = Int(data[s + 2 + 2 * count])
        let ah = Int(data[s + 3 + 2 * count] >> 4), al = Int(data[s + 3 + 2 * count] & 15)
        if f.isLossless {
            guard (1...7).contains(ss), al < f.precision else {
                throw DicomError(.invalidPixelData, at: offset, "JPEG: lossless scan with predictor \(ss), point transform \(al)")
            }
            try decodeLosslessScan(f, members: members.map { ($0.index, $0.dc) }, predictor: ss, pointTransform: al)
        } else {
            // Ss, Se, Ah and Al mean nothing in a sequential scan (T.81 §B.2.3); some encoders write Se 0, and
            // libjpeg only warns, so they are not checked.
            _ = (se, ah)
            guard count == 1 || members.reduce(0, { $0 + f.components[$1.index].h * f.components[$1.index].v }) <= 10 else {
                throw DicomError(.invalidPixelData, at: offset, "JPEG: more than 10 blocks in an MCU")
            }
            for m in members where quantTables[f.components[m.index].quantTable] == nil {
                throw DicomError(.invalidPixelData, at: offset, "JPEG: component \(f.components[m.index].id) uses an undefined quantization table")
            }
            try decodeDCTScan(&f, members: members)
        }
        for m in members { f.components[m.index].scanned = true }
        frame = f
    }

    /// Turns the decoded frame into output samples once every scan is read.
    mutating func finish() throws(DicomError) -> String {
        guard var f = frame else { throw DicomError(.invalidPixelData, at: position, "JPEG: no frame header") }
        if f.isLossless { return descriptor.photometricInterpretation }
        frame = nil  // so that each component's coefficients are freed once transformed
        return try finishDCT(&f)
    }

    /// Zigzag index → natural (row-major) index (T.81 Figure A.6).
    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]
}
