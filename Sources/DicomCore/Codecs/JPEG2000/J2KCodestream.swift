/// Main-header and tile-part-header parsing of a JPEG 2000 Part 1 codestream (ISO/IEC 15444-1 Annex A).
///
/// The parser keeps what the marker segments say and resolves, per tile and component, which segment applies:
/// tile-part COC > tile-part COD > main COC > main COD, and the same for QCC/QCD (§A.6).

/// One component of the image (SIZ, §A.5.1).
struct J2KComponent: Sendable {
    var precision: Int
    var isSigned: Bool
    var dx: Int
    var dy: Int
}

/// The image and tile grid (SIZ, §A.5.1).
struct J2KSize: Sendable {
    var width = 0, height = 0, x0 = 0, y0 = 0
    var tileWidth = 0, tileHeight = 0, tileX0 = 0, tileY0 = 0
    var components: [J2KComponent] = []
    var tilesAcross: Int { (width - tileX0 + tileWidth - 1) / tileWidth }
    var tilesDown: Int { (height - tileY0 + tileHeight - 1) / tileHeight }
}

/// Coding style of one component (SPcod / SPcoc, §A.6.1–A.6.2).
struct J2KComponentStyle: Sendable {
    var levels = 0
    var codeBlockWidthExponent = 6
    var codeBlockHeightExponent = 6
    var codeBlockStyle = 0
    var reversible = true
    /// (PPx, PPy) per resolution, lowest first; 15 when the default (maximal) precincts are used.
    var precincts: [(x: Int, y: Int)] = []
}

/// Code-block style flags (Table A.19).
enum J2KBlockStyle {
    static let bypass = 0x01, reset = 0x02, terminateAll = 0x04, verticalCausal = 0x08, predictable = 0x10, segmentation = 0x20
    /// HT code-blocks only (ITU-T T.814 | ISO/IEC 15444-15: SPcod bits 6–7 = 01).
    static let highThroughput = 0x40
    /// Bit 7: HT and Part 1 code-blocks mixed (bits 6–7 = 11) or a reserved value (10).
    static let mixedHighThroughput = 0x80
}

/// Progression orders (Table A.16).
enum J2KProgression: Int, Sendable { case lrcp = 0, rlcp, rpcl, pcrl, cprl }

/// Quantization of one component (QCD / QCC, §A.6.4–A.6.5).
struct J2KQuantization: Sendable {
    /// 0 none, 1 scalar derived, 2 scalar expounded.
    var style = 0
    var guardBits = 2
    var steps: [(exponent: Int, mantissa: Int)] = []

    /// Exponent and mantissa of band `b` (0 = LL, then HL, LH, HH per level from the lowest resolution).
    func step(band b: Int, levels: Int) -> (exponent: Int, mantissa: Int)? {
        if style == 1 {
            guard let first = steps.first else { return nil }
            let nb = b == 0 ? levels : levels - (b - 1) / 3
            return (first.exponent - levels + nb, first.mantissa)
        }
        return b < steps.count ? steps[b] : nil
    }
}

/// One progression order change (POC, §A.6.6).
struct J2KProgressionChange: Sendable {
    var resolutionStart: Int, componentStart: Int, layerEnd: Int, resolutionEnd: Int, componentEnd: Int
    var order: J2KProgression
}

/// Marker segments that may appear in either the main header or a tile-part header.
struct J2KCodingParameters: Sendable {
    var order: J2KProgression = .lrcp
    var layers = 1
    var multipleComponentTransform = false
    var usesSOP = false, usesEPH = false
    var hasCOD = false
    var defaultStyle = J2KComponentStyle()
    var componentStyles: [Int: J2KComponentStyle] = [:]
    var defaultQuantization: J2KQuantization?
    var componentQuantizations: [Int: J2KQuantization] = [:]
    var roiShifts: [Int: Int] = [:]
    var progressionChanges: [J2KProgressionChange] = []
}

/// A parsed codestream: the main header and each tile's parameters and bytes.
struct J2KCodestream: Sendable {
    var size = J2KSize()
    var main = J2KCodingParameters()
    /// Per tile: header segments of its tile-parts (nil when none) and its packet data, in tile-part order.
    var tileParameters: [Int: J2KCodingParameters] = [:]
    var tileData: [Int: [UInt8]] = [:]
    /// Packed packet headers from PPT (per tile) or PPM (main header, split per tile).
    var packedHeaders: [Int: [UInt8]] = [:]
    /// Offset of each tile's first tile-part in the input, for error messages.
    var tileOffsets: [Int: Int] = [:]

    static let maximumTiles = 65535
    static let maximumSamples = 1 << 30

    /// Strips a JP2 file wrapper (ISO/IEC 15444-1 Annex I) if present, returning the contiguous codestream box content.
    static func unwrap(_ bytes: ArraySlice<UInt8>) throws(DicomError) -> ArraySlice<UInt8> {
        let s = bytes.startIndex
        guard bytes.count >= 12, bytes[s] == 0, bytes[s + 1] == 0, bytes[s + 2] == 0, bytes[s + 3] == 12,
              bytes[s + 4] == 0x6A, bytes[s + 5] == 0x50 else { return bytes }
        var p = s
        while p + 8 <= bytes.endIndex {
            var length = Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            let type = Int(bytes[p + 4]) << 24 | Int(bytes[p + 5]) << 16 | Int(bytes[p + 6]) << 8 | Int(bytes[p + 7])
            var header = 8
            if length == 1 {
                guard p + 16 <= bytes.endIndex else { break }
                length = 0
                for i in 8..<16 { length = length << 8 | Int(bytes[p + i]) }
                header = 16
            } else if length == 0 {
                length = bytes.endIndex - p
            }
            guard length >= header, length <= bytes.endIndex - p else {
                throw DicomError(.invalidPixelData, at: p - s, "JP2 box of \(length) bytes overruns the data")
            }
            if type == 0x6A70_3263 { return bytes[(p + header)..<(p + length)] }  // 'jp2c'
            p += length
        }
        throw DicomError(.invalidPixelData, "JP2 file without a contiguous codestream box")
    }

    /// Parses the codestream: main header, then every tile-part.
    init(_ input: ArraySlice<UInt8>) throws(DicomError) {
        var r = J2KReader(input)
        guard try r.u16() == 0xFF4F else { throw DicomError(.invalidPixelData, at: 0, "JPEG 2000 codestream does not start with SOC") }
        guard try r.u16() == 0xFF51 else { throw DicomError(.invalidPixelData, at: 2, "SIZ does not follow SOC") }
        try parseSIZ(&r)
        var ppm: [(index: Int, bytes: ArraySlice<UInt8>)] = []
        // Main header.
        while true {
            let at = r.offset
            let marker = try r.u16()
            if marker == 0xFF90 { r.offset = at; break }
            guard marker >= 0xFF30 else { throw DicomError(.invalidPixelData, at: at, "expected a marker, found \(hex(marker))") }
            let segment = try r.segment(at: at)
            var s = J2KReader(segment, base: at + 4)
            switch marker {
            case 0xFF60: ppm.append((Int(try s.u8()), s.rest()))
            default: try J2KCodestream.parseCodingSegment(marker, &s, into: &main, size: size, at: at)
            }
        }
        guard main.hasCOD, main.defaultQuantization != nil else {
            throw DicomError(.invalidPixelData, "main header without COD or QCD")
        }
        var ppmStream: [UInt8] = []
        for part in ppm.sorted(by: { $0.index < $1.index }) { ppmStream += part.bytes }
        var ppmReader = J2KReader(ppmStream[...])
        let tileCount = size.tilesAcross * size.tilesDown
        // Tile-parts.
        var pptParts: [Int: [(Int, ArraySlice<UInt8>)]] = [:]
        while r.remaining >= 2 {
            let at = r.offset
            let marker = try r.u16()
            if marker == 0xFFD9 { break }
            guard marker == 0xFF90 else {
                // Trailing padding or garbage after the last tile-part: stop as OpenJPEG does.
                if tileData.isEmpty { throw DicomError(.invalidPixelData, at: at, "expected SOT, found \(hex(marker))") }
                break
            }
            let segment = try r.segment(at: at)
            var s = J2KReader(segment, base: at + 4)
            let tile = Int(try s.u16())
            let partLength = Int(try s.u32())
            _ = try s.u8(); _ = try s.u8()
            guard tile < tileCount else { throw DicomError(.invalidPixelData, at: at, "tile \(tile) of \(tileCount)") }
            let end: Int
            if partLength == 0 {
                end = r.end - (r.end - at >= 2 && input[input.startIndex + r.end - 2] == 0xFF && input[input.startIndex + r.end - 1] == 0xD9 ? 2 : 0)
            } else {
                guard partLength >= 14 else { throw DicomError(.invalidPixelData, at: at, "tile-part length \(partLength)") }
                end = at + partLength
                guard end <= r.end else { throw DicomError(.invalidPixelData, at: at, "tile-part of \(partLength) bytes overruns the codestream") }
            }
            var params = tileParameters[tile] ?? J2KCodingParameters()
            var sawSOD = false
            while r.offset < end {
                let m = r.offset
                let marker = try r.u16()
                if marker == 0xFF93 { sawSOD = true; break }
                guard marker >= 0xFF30 else { throw DicomError(.invalidPixelData, at: m, "expected a marker, found \(hex(marker))") }
                let segment = try r.segment(at: m)
                var s = J2KReader(segment, base: m + 4)
                if marker == 0xFF61 {
                    let index = Int(try s.u8())
                    pptParts[tile, default: []].append((index, s.rest()))
                } else {
                    try J2KCodestream.parseCodingSegment(marker, &s, into: &params, size: size, at: m)
                }
            }
            guard sawSOD, r.offset <= end else { throw DicomError(.invalidPixelData, at: at, "tile-part header without SOD") }
            tileParameters[tile] = params
            if tileOffsets[tile] == nil { tileOffsets[tile] = r.offset }
            tileData[tile, default: []] += input[(input.startIndex + r.offset)..<(input.startIndex + end)]
            if !ppmStream.isEmpty {
                let n = Int(try ppmReader.u32())
                guard n <= ppmReader.remaining else { throw DicomError(.invalidPixelData, "PPM packet headers truncated") }
                packedHeaders[tile, default: []] += try ppmReader.bytes(n)
            }
            r.offset = end
        }
        for (tile, parts) in pptParts {
            var bytes: [UInt8] = []
            for part in parts.sorted(by: { $0.0 < $1.0 }) { bytes += part.1 }
            packedHeaders[tile, default: []] += bytes
        }
        if tileData.isEmpty { throw DicomError(.invalidPixelData, at: r.offset, "codestream without tile-parts") }
    }

    private mutating func parseSIZ(_ r: inout J2KReader) throws(DicomError) {
        let at = r.offset - 2
        let segment = try r.segment(at: at)
        var s = J2KReader(segment, base: at + 4)
        _ = try s.u16()  // Rsiz
        size.width = Int(try s.u32()); size.height = Int(try s.u32())
        size.x0 = Int(try s.u32()); size.y0 = Int(try s.u32())
        size.tileWidth = Int(try s.u32()); size.tileHeight = Int(try s.u32())
        size.tileX0 = Int(try s.u32()); size.tileY0 = Int(try s.u32())
        let count = Int(try s.u16())
        guard count >= 1, count <= 16384 else { throw DicomError(.invalidPixelData, at: at, "SIZ with \(count) components") }
        guard size.width > size.x0, size.height > size.y0, size.tileWidth > 0, size.tileHeight > 0,
              size.tileX0 <= size.x0, size.tileY0 <= size.y0,
              size.tileX0 + size.tileWidth > size.x0, size.tileY0 + size.tileHeight > size.y0 else {
            throw DicomError(.invalidPixelData, at: at, "SIZ geometry \(size.width)x\(size.height) tiles \(size.tileWidth)x\(size.tileHeight)")
        }
        guard size.tilesAcross * size.tilesDown <= J2KCodestream.maximumTiles else {
            throw DicomError(.invalidPixelData, at: at, "\(size.tilesAcross)x\(size.tilesDown) tiles")
        }
        for _ in 0..<count {
            let ssiz = Int(try s.u8()), dx = Int(try s.u8()), dy = Int(try s.u8())
            guard ssiz & 0x7F < 30, dx > 0, dy > 0 else { throw DicomError(.invalidPixelData, at: at, "SIZ component \(ssiz) \(dx)x\(dy)") }
            size.components.append(J2KComponent(precision: ssiz & 0x7F + 1, isSigned: ssiz & 0x80 != 0, dx: dx, dy: dy))
        }
        let across = size.width - size.x0, down = size.height - size.y0
        guard across <= 1 << 24, down <= 1 << 24, across * down <= J2KCodestream.maximumSamples / count else {
            throw DicomError(.invalidPixelData, at: at, "image of \(size.width - size.x0)x\(size.height - size.y0)x\(count) samples")
        }
    }

    private static func readComponentStyle(_ s: inout J2KReader, precincts: Bool, at: Int) throws(DicomError) -> J2KComponentStyle {
        var style = J2KComponentStyle()
        style.levels = Int(try s.u8())
        style.codeBlockWidthExponent = Int(try s.u8()) + 2
        style.codeBlockHeightExponent = Int(try s.u8()) + 2
        style.codeBlockStyle = Int(try s.u8())
        style.reversible = try s.u8() == 1
        guard style.levels <= 32, style.codeBlockWidthExponent <= 10, style.codeBlockHeightExponent <= 10,
              style.codeBlockWidthExponent + style.codeBlockHeightExponent <= 12 else {
            throw DicomError(.invalidPixelData, at: at, "coding style with \(style.levels) levels, code-blocks 2^\(style.codeBlockWidthExponent)x2^\(style.codeBlockHeightExponent)")
        }
        if style.codeBlockStyle & J2KBlockStyle.mixedHighThroughput != 0 {
            // Bit 7 (with or without bit 6) lets each code-block be HT or Part 1 (T.814's mixed mode): not supported.
            throw DicomError(.invalidPixelData, at: at, "HTJ2K mixed code-block style \(hex(UInt16(style.codeBlockStyle))) is not supported")
        }
        for r in 0...style.levels {
            if precincts {
                let b = Int(try s.u8())
                guard r == 0 || (b & 0xF > 0 && b >> 4 > 0) else { throw DicomError(.invalidPixelData, at: at, "precinct size 2^0 above resolution 0") }
                style.precincts.append((b & 0xF, b >> 4))
            } else {
                style.precincts.append((15, 15))
            }
        }
        return style
    }

    private static func readQuantization(_ s: inout J2KReader, at: Int) throws(DicomError) -> J2KQuantization {
        var q = J2KQuantization()
        let sq = Int(try s.u8())
        q.style = sq & 0x1F
        q.guardBits = sq >> 5
        switch q.style {
        case 0: while s.remaining > 0 { q.steps.append((Int(try s.u8()) >> 3, 0)) }
        case 1, 2:
            while s.remaining >= 2 { let v = Int(try s.u16()); q.steps.append((v >> 11, v & 0x7FF)) }
        default: throw DicomError(.invalidPixelData, at: at, "quantization style \(q.style)")
        }
        guard !q.steps.isEmpty else { throw DicomError(.invalidPixelData, at: at, "quantization without step sizes") }
        return q
    }

    /// Parses COD, COC, QCD, QCC, RGN, POC; skips TLM, PLM, PLT, CRG, COM and unknown segments.
    static func parseCodingSegment(_ marker: UInt16, _ s: inout J2KReader, into p: inout J2KCodingParameters, size: J2KSize, at: Int) throws(DicomError) {
        let wideComponent = size.components.count > 256
        func component() throws(DicomError) -> Int {
            let c = wideComponent ? Int(try s.u16()) : Int(try s.u8())
            guard c < size.components.count else { throw DicomError(.invalidPixelData, at: at, "component \(c) of \(size.components.count)") }
            return c
        }
        switch marker {
        case 0xFF52:  // COD
            let scod = Int(try s.u8())
            guard let order = J2KProgression(rawValue: Int(try s.u8())) else { throw DicomError(.invalidPixelData, at: at, "progression order") }
            p.order = order
            p.layers = Int(try s.u16())
            guard p.layers >= 1 else { throw DicomError(.invalidPixelData, at: at, "COD with 0 layers") }
            p.multipleComponentTransform = try s.u8() & 1 == 1
            p.usesSOP = scod & 2 != 0
            p.usesEPH = scod & 4 != 0
            p.defaultStyle = try readComponentStyle(&s, precincts: scod & 1 != 0, at: at)
            p.hasCOD = true
        case 0xFF53:  // COC
            let c = try component()
            let scoc = Int(try s.u8())
            p.componentStyles[c] = try readComponentStyle(&s, precincts: scoc & 1 != 0, at: at)
        case 0xFF5C:  // QCD
            p.defaultQuantization = try readQuantization(&s, at: at)
        case 0xFF5D:  // QCC
            let c = try component()
            p.componentQuantizations[c] = try readQuantization(&s, at: at)
        case 0xFF5E:  // RGN
            let c = try component()
            guard try s.u8() == 0 else { throw DicomError(.invalidPixelData, at: at, "RGN style other than maximum shift") }
            let shift = Int(try s.u8())
            guard shift < 31 else { throw DicomError(.invalidPixelData, at: at, "ROI shift \(shift)") }
            p.roiShifts[c] = shift
        case 0xFF60: throw DicomError(.invalidPixelData, at: at, "PPM in a tile-part header")
        case 0xFF50:  // CAP (ISO/IEC 15444-1 §A.5.2, extended by T.814): one Ccap word per bit set in Pcap; the HT
            // details it gives (Ccap15) are all read from COD/COC and the packets themselves.
            let pcap = try s.u32()
            guard s.remaining >= 2 * pcap.nonzeroBitCount else { throw DicomError(.invalidPixelData, at: at, "CAP shorter than its Pcap") }
        case 0xFF59:  // CPF (ISO/IEC 15444-1 §A.5.3): the corresponding profile, nothing decoding needs.
            guard s.remaining % 2 == 0 else { throw DicomError(.invalidPixelData, at: at, "CPF of an odd length") }
        case 0xFF5F:  // POC
            let entrySize = wideComponent ? 9 : 7
            p.progressionChanges = []
            while s.remaining >= entrySize {
                let rs = Int(try s.u8())
                let cs = wideComponent ? Int(try s.u16()) : Int(try s.u8())
                let le = Int(try s.u16())
                let re = Int(try s.u8())
                var ce = wideComponent ? Int(try s.u16()) : Int(try s.u8())
                if ce == 0 { ce = wideComponent ? 16384 : 256 }
                guard let order = J2KProgression(rawValue: Int(try s.u8())) else { throw DicomError(.invalidPixelData, at: at, "POC order") }
                p.progressionChanges.append(J2KProgressionChange(resolutionStart: rs, componentStart: cs, layerEnd: le,
                                                                 resolutionEnd: re, componentEnd: ce, order: order))
            }
        default:
            break  // TLM, PLM, PLT, CRG, COM and others carry nothing decoding needs.
        }
    }
}

func hex(_ v: UInt16) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String([digits[Int(v >> 12)], digits[Int(v >> 8 & 15)], digits[Int(v >> 4 & 15)], digits[Int(v & 15)]])
}

/// A big-endian cursor over codestream bytes; offsets are relative to the codestream start (plus `base`).
struct J2KReader {
    let bytes: ArraySlice<UInt8>
    var offset = 0
    let base: Int
    init(_ bytes: ArraySlice<UInt8>, base: Int = 0) { self.bytes = bytes; self.base = base }
    var end: Int { bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(DicomError) -> UInt8 {
        guard offset < bytes.count else { throw DicomError(.invalidPixelData, at: base + offset, "JPEG 2000 codestream truncated") }
        defer { offset += 1 }
        return bytes[bytes.startIndex + offset]
    }
    mutating func u16() throws(DicomError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
    mutating func u32() throws(DicomError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }
    mutating func bytes(_ n: Int) throws(DicomError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw DicomError(.invalidPixelData, at: base + offset, "JPEG 2000 codestream truncated") }
        defer { offset += n }
        return bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + n)]
    }
    func rest() -> ArraySlice<UInt8> { bytes[(bytes.startIndex + offset)...] }
    /// Reads a marker segment's length and returns its body (after the length field).
    mutating func segment(at marker: Int) throws(DicomError) -> ArraySlice<UInt8> {
        let length = Int(try u16())
        guard length >= 2 else { throw DicomError(.invalidPixelData, at: base + marker, "marker segment length \(length)") }
        return try bytes(length - 2)
    }
}
