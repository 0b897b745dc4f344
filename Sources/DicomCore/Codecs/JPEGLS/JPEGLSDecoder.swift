/// Decodes a JPEG-LS codestream (ITU-T T.87) into the decoded layout of `PixelCodec`.
///
/// Markers are read one by one with every length checked against the bytes left; each scan's entropy-coded
/// segments end at the next marker, found before decoding, so the bit reader never leaves its segment.
struct JPEGLSDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let descriptor: ImageDescriptor
    private let output: UnsafeMutableRawBufferPointer
    private var position = 0

    // Frame header (SOF55).
    private var precision = 0
    private var componentIDs: [Int] = []
    private var frameSeen = false
    private var preset = JPEGLSParameters.Preset()
    private var restartInterval = 0
    private var decoded: [Bool] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, descriptor: ImageDescriptor, output: UnsafeMutableRawBufferPointer) {
        self.bytes = bytes
        self.descriptor = descriptor
        self.output = output
    }

    private func fail(_ detail: String, at offset: Int? = nil) -> DicomError {
        DicomError(.invalidPixelData, at: offset ?? position, "JPEG-LS: " + detail)
    }

    private func u8(_ i: Int) -> Int { Int(bytes[i]) }
    private func u16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }

    /// Reads the next marker code at `position`, skipping 0xFF fill bytes.
    private mutating func nextMarker() throws(DicomError) -> UInt8 {
        guard position + 1 < bytes.count, bytes[position] == 0xFF else { throw fail("marker expected") }
        position += 1
        while position < bytes.count && bytes[position] == 0xFF { position += 1 }
        guard position < bytes.count else { throw fail("codestream ends inside a marker") }
        let code = bytes[position]
        position += 1
        return code
    }

    /// Reads a marker segment's length and returns the range of its payload (after the length field).
    private mutating func segment() throws(DicomError) -> Range<Int> {
        guard position + 2 <= bytes.count else { throw fail("codestream ends inside a marker segment length") }
        let length = u16(position)
        guard length >= 2, position + length <= bytes.count else { throw fail("marker segment length \(length) exceeds the \(bytes.count - position) bytes left") }
        let payload = (position + 2)..<(position + length)
        position += length
        return payload
    }

    mutating func decode() throws(DicomError) {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw fail("no SOI marker", at: 0) }
        position = 2
        while true {
            let markerStart = position
            let marker = try nextMarker()
            switch marker {
            case 0xF7: try readFrameHeader(try segment())
            case 0xF8: try readPresets(try segment())
            case 0xDD: try readRestartInterval(try segment())
            case 0xDA: try decodeScan(try segment())
            case 0xD9:
                guard frameSeen else { throw fail("EOI before a frame header", at: markerStart) }
                guard !decoded.contains(false) else { throw fail("EOI before every component was decoded", at: markerStart) }
                return
            case 0xE8:
                let payload = try segment()
                if payload.count >= 4, bytes[payload.lowerBound] == 0x6D, bytes[payload.lowerBound + 1] == 0x72,
                   bytes[payload.lowerBound + 2] == 0x66, bytes[payload.lowerBound + 3] == 0x78 {
                    // HP's colour transforms (APP8 "mrfx") are not part of T.87 and not used in DICOM.
                    if payload.count < 5 || bytes[payload.lowerBound + 4] != 0 {
                        throw fail("HP colour transform (APP8 mrfx) is not supported", at: markerStart)
                    }
                }
            case 0xE0...0xEF, 0xFE: _ = try segment()
            case 0xC0...0xCF, 0xF0...0xF6, 0xF9...0xFD:
                throw fail(markerName(marker) + " is not a JPEG-LS marker", at: markerStart)
            default:
                throw fail("unexpected marker " + markerName(marker), at: markerStart)
            }
        }
    }

    private mutating func readFrameHeader(_ payload: Range<Int>) throws(DicomError) {
        let start = payload.lowerBound
        guard !frameSeen else { throw fail("second frame header", at: start) }
        guard payload.count >= 6 else { throw fail("frame header too short", at: start) }
        precision = u8(start)
        let rows = u16(start + 1), columns = u16(start + 3), count = u8(start + 5)
        guard payload.count == 6 + 3 * count else { throw fail("frame header length does not match \(count) components", at: start) }
        guard (2...16).contains(precision), precision <= 8 * descriptor.bytesPerSample else {
            throw fail("sample precision \(precision) does not fit \(descriptor.bitsAllocated) bits allocated", at: start)
        }
        guard rows == descriptor.rows, columns == descriptor.columns else {
            throw fail("frame is \(columns)x\(rows), the data set says \(descriptor.columns)x\(descriptor.rows)", at: start)
        }
        guard count == descriptor.samplesPerPixel else {
            throw fail("frame has \(count) components, the data set says \(descriptor.samplesPerPixel)", at: start)
        }
        for i in 0..<count {
            let id = u8(start + 6 + 3 * i)
            guard !componentIDs.contains(id) else { throw fail("component id \(id) repeated", at: start) }
            componentIDs.append(id)
        }
        decoded = Array(repeating: false, count: count)
        frameSeen = true
    }

    private mutating func readPresets(_ payload: Range<Int>) throws(DicomError) {
        let start = payload.lowerBound
        guard payload.count >= 1 else { throw fail("empty LSE segment", at: start) }
        switch u8(start) {
        case 1:
            guard payload.count == 11 else { throw fail("LSE preset parameters segment has \(payload.count + 2) bytes, 13 expected", at: start) }
            preset = JPEGLSParameters.Preset(maxValue: u16(start + 1), t1: u16(start + 3), t2: u16(start + 5), t3: u16(start + 7), reset: u16(start + 9))
            if frameSeen { _ = try JPEGLSParameters(bitsPerSample: precision, near: 0, preset: preset, offset: start) }
        case 2, 3:
            throw fail("LSE mapping tables (palettes) are not supported", at: start)
        case 4:
            throw fail("LSE oversize image dimensions are not supported", at: start)
        default:
            throw fail("LSE type \(u8(start)) (such as HP colour transforms) is not supported", at: start)
        }
    }

    private mutating func readRestartInterval(_ payload: Range<Int>) throws(DicomError) {
        let start = payload.lowerBound
        switch payload.count {
        case 2: restartInterval = u16(start)
        case 3: restartInterval = u16(start) << 8 | u8(start + 2)
        case 4: restartInterval = u16(start) << 16 | u16(start + 2)
        default: throw fail("DRI segment of \(payload.count + 2) bytes", at: start)
        }
    }

    /// End of the entropy-coded data starting at `from`: the first 0xFF followed by a byte with its high bit set.
    private func entropyEnd(from: Int) -> Int {
        var i = from
        let n = bytes.count
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while i + 1 < n {
            if i + 8 <= n {
                // Eight bytes at a time; the lowest 0xFF among them marks the lowest set bit of `found` exactly.
                let inverted = ~UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let found = (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080
                if found == 0 { i += 8; continue }
                i += found.trailingZeroBitCount >> 3
                if i + 1 >= n { break }
            }
            if bytes[i] == 0xFF && bytes[i + 1] >= 0x80 { return i }
            i += 1
        }
        return n
    }

    private mutating func decodeScan(_ payload: Range<Int>) throws(DicomError) {
        let start = payload.lowerBound
        guard frameSeen else { throw fail("scan before the frame header", at: start) }
        guard payload.count >= 1 else { throw fail("empty scan header", at: start) }
        let ns = u8(start)
        guard ns >= 1, ns <= componentIDs.count, payload.count == 1 + 2 * ns + 3 else {
            throw fail("scan header length does not match \(ns) components", at: start)
        }
        var components: [Int] = []
        for i in 0..<ns {
            let id = u8(start + 1 + 2 * i)
            guard let index = componentIDs.firstIndex(of: id), !components.contains(index) else {
                throw fail("scan names unknown or repeated component \(id)", at: start)
            }
            guard !decoded[index] else { throw fail("component \(id) is in two scans", at: start) }
            guard u8(start + 2 + 2 * i) == 0 else { throw fail("mapping tables are not supported", at: start) }
            components.append(index)
        }
        let near = u8(start + 1 + 2 * ns), ilv = u8(start + 2 + 2 * ns), pointTransform = u8(start + 3 + 2 * ns)
        guard ilv <= 2 else { throw fail("interleave mode \(ilv)", at: start) }
        guard ilv != 0 || ns == 1 else { throw fail("interleave mode 0 with \(ns) components in the scan", at: start) }
        guard pointTransform & 0x0F == 0 else { throw fail("point transform \(pointTransform & 0x0F) is not supported", at: start) }
        let parameters = try JPEGLSParameters(bitsPerSample: precision, near: near, preset: preset, offset: start)
        for c in components { decoded[c] = true }

        let width = descriptor.columns, height = descriptor.rows
        let state = JPEGLSState(parameters)
        defer { state.deallocate() }
        // Sample interleaving keeps all components in one line; otherwise each component has its own lines.
        let interleaved = ilv == 2 && ns > 1
        let stride = interleaved ? ns : 1
        let lineSets = interleaved ? 1 : ns
        let lineLength = (width + 2) * stride
        let lines = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * lineLength * lineSets)
        defer { lines.deallocate() }
        lines.initialize(repeating: 0, count: 2 * lineLength * lineSets)
        var runIndex = [Int](repeating: 0, count: lineSets)
        var currentIsFirst = [Bool](repeating: false, count: lineSets)
        let lineComponents = interleaved ? [components] : components.map { [$0] }

        let interval = restartInterval == 0 ? height : restartInterval
        var y = 0
        var restartNumber = 0
        while y < height {
            let segmentEnd = entropyEnd(from: position)
            var decoder = JPEGLSLineDecoder(state: state, reader: JPEGLSBitReader(bytes, start: position, end: segmentEnd))
            let last = min(height, y + interval)
            while y < last {
                for set in 0..<lineSets {
                    let pair = lines + 2 * lineLength * set
                    let previous = currentIsFirst[set] ? pair : pair + lineLength
                    let current = currentIsFirst[set] ? pair + lineLength : pair
                    currentIsFirst[set].toggle()
                    for c in 0..<stride {
                        previous[(width + 1) * stride + c] = previous[width * stride + c]
                        current[c] = previous[stride + c]
                    }
                    if interleaved {
                        decoder.decodeInterleavedLine(previous: previous, current: current, width: width, components: ns, runIndex: &runIndex[set])
                    } else {
                        decoder.decodeLine(previous: previous, current: current, width: width, runIndex: &runIndex[set])
                    }
                    guard !decoder.reader.invalid, !decoder.reader.overrun else {
                        throw fail("entropy-coded data of line \(y + 1) is invalid or truncated", at: position)
                    }
                    store(line: current, y: y, stride: stride, components: lineComponents[set])
                }
                y += 1
            }
            position = segmentEnd
            if y < height {
                // A restart marker RSTm closes each interval; contexts, run indices and lines start afresh (T.87 §D.2).
                let markerStart = position
                let marker = try nextMarker()
                guard marker == 0xD0 + UInt8(restartNumber) else {
                    throw fail("restart marker RST\(restartNumber) expected, found " + markerName(marker), at: markerStart)
                }
                restartNumber = (restartNumber + 1) & 7
                state.resetContexts()
                lines.update(repeating: 0, count: 2 * lineLength * lineSets)
                for i in runIndex.indices { runIndex[i] = 0 }
            }
        }
    }

    /// Writes one decoded line into the output, little endian, colour-by-pixel, each sample reduced by
    /// `StoredSampleRule`: masked to Bits Stored and, for Pixel Representation 1, sign-extended as the JPEG decoder
    /// does (DCMTK's dcmdjpls leaves the P-bit value as it is; the bits above Bits Stored are not part of the sample).
    private func store(line: UnsafeMutablePointer<Int32>, y: Int, stride: Int, components: [Int]) {
        let width = descriptor.columns, spp = descriptor.samplesPerPixel
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rule = StoredSampleRule(descriptor)
        // Samples of P ≤ Bits Stored bits, unsigned, are already what the rule yields.
        let asCoded = !descriptor.isSigned && precision <= descriptor.bitsStored
        if spp == 1 && descriptor.bytesPerSample == 2 {
            // The common case (one 16-bit component) as whole little-endian words.
            let row = UnsafeMutableRawPointer(out + 2 * y * width)
            if asCoded {
                for x in 0..<width {
                    row.storeBytes(of: UInt16(truncatingIfNeeded: line[x &+ 1]).littleEndian, toByteOffset: 2 &* x, as: UInt16.self)
                }
            } else {
                for x in 0..<width {
                    row.storeBytes(of: UInt16(truncatingIfNeeded: rule(Int(line[x &+ 1]))).littleEndian, toByteOffset: 2 &* x, as: UInt16.self)
                }
            }
            return
        }
        for (c, component) in components.enumerated() {
            var index = y * width * spp + component
            if descriptor.bytesPerSample == 1 {
                for x in 1...width {
                    out[index] = UInt8(truncatingIfNeeded: rule(Int(line[x * stride + c])))
                    index += spp
                }
            } else {
                for x in 1...width {
                    let v = rule(Int(line[x * stride + c]))
                    out[2 * index] = UInt8(truncatingIfNeeded: v)
                    out[2 * index + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    index += spp
                }
            }
        }
    }
}

/// `FFxx` for a marker code.
private func markerName(_ code: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "FF" + String(digits[Int(code >> 4)]) + String(digits[Int(code & 15)])
}
