/// A QR Code symbol (ISO/IEC 18004:2015, Model 2): versions 1–40, error-correction levels L, M, Q and H, numeric,
/// alphanumeric and byte modes, all eight data masks chosen by the penalty rules of §7.8.3.
///
/// The symbol is a square of `size` × `size` modules, `true` for dark. Render it with ``png(scale:quietZone:)`` or
/// ``svg(moduleSize:quietZone:)``; both add the light quiet zone the standard asks for (4 modules, §6.3.8).
///
/// ```swift
/// let code = try QRCode(encoding: "https://films.example.org/p/3q2-7Hk", errorCorrection: .medium)
/// let png = try code.png(scale: 8)            // [UInt8], a grey PNG
/// let svg = code.svg()                         // a standalone SVG document
/// ```
public struct QRCode: Sendable, Hashable {
    /// 1…40; the symbol is 4·version + 17 modules wide.
    public let version: Int
    /// The error-correction level the symbol was made with.
    public let errorCorrection: QRErrorCorrection
    /// The data mask pattern, 0…7 (§7.8.2, Table 10).
    public let mask: Int
    /// Modules per side.
    public let size: Int
    /// Row-major modules, `true` for dark: `modules[y * size + x]`.
    public let modules: [Bool]

    /// The highest version.
    public static let maximumVersion = 40

    /// Whether the module at column `x`, row `y` is dark.
    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// Encodes text: digits in numeric mode, text of the alphanumeric set in alphanumeric mode, anything else as UTF-8
    /// bytes (readers take byte mode as UTF-8 in practice; pass `eci: true` to say so with an ECI 26 designator).
    ///
    /// - Parameters:
    ///   - versions: the versions to choose from; the smallest that holds the data is used.
    ///   - mask: a fixed mask pattern, or nil to choose the one with the lowest penalty.
    /// - Throws: `ImagingError.Code.invalidArgument` when the data does not fit in the largest allowed version.
    public init(encoding text: String, errorCorrection: QRErrorCorrection = .medium, versions: ClosedRange<Int> = 1...40,
                mask: Int? = nil, eci: Bool = false) throws(ImagingError) {
        var segments = QRSegment.segments(for: text)
        if eci, segments.first?.mode == .byte { segments.insert(try QRSegment.eci(26), at: 0) }
        try self.init(segments: segments, errorCorrection: errorCorrection, versions: versions, mask: mask)
    }

    /// Encodes bytes in byte mode.
    public init(bytes: [UInt8], errorCorrection: QRErrorCorrection = .medium, versions: ClosedRange<Int> = 1...40,
                mask: Int? = nil) throws(ImagingError) {
        try self.init(segments: [QRSegment.bytes(bytes)], errorCorrection: errorCorrection, versions: versions, mask: mask)
    }

    /// Encodes segments in order (§7.4): the bit stream, the terminator, padding, error correction, interleaving,
    /// module placement, masking, and format and version information.
    public init(segments: [QRSegment], errorCorrection: QRErrorCorrection = .medium, versions: ClosedRange<Int> = 1...40,
                mask: Int? = nil) throws(ImagingError) {
        guard versions.lowerBound >= 1, versions.upperBound <= Self.maximumVersion else {
            throw ImagingError(.invalidArgument, "QR versions must be within 1...40")
        }
        if let mask, !(0...7).contains(mask) { throw ImagingError(.invalidArgument, "QR mask \(mask) is not 0...7") }
        // The smallest version whose data capacity holds the segments (the count field widens at 10 and 27).
        var chosen: (version: Int, bits: Int)?
        for version in versions {
            var total = 0
            var fits = true
            for segment in segments {
                guard let bits = segment.encodedBitCount(version: version) else { fits = false; break }
                total += bits
            }
            if fits, total <= QRTables.dataCodewords(version: version, errorCorrection: errorCorrection) * 8 {
                chosen = (version, total)
                break
            }
        }
        guard let (version, _) = chosen else {
            throw ImagingError(.invalidArgument, "the data does not fit in a QR Code of versions \(versions.lowerBound)...\(versions.upperBound) at level \(errorCorrection.rawValue)")
        }
        let capacityBits = QRTables.dataCodewords(version: version, errorCorrection: errorCorrection) * 8
        var stream = QRBitBuffer()
        for segment in segments {
            stream.append(segment.mode.indicator, count: 4)
            if segment.mode != .eci {
                stream.append(UInt32(segment.characterCount), count: segment.mode.characterCountBits(version: version))
            }
            stream.append(segment.data)
        }
        // Terminator of up to four zero bits, then zeros to a byte boundary (§7.4.9), then the pad codewords 11101100
        // and 00010001 in turn (§7.4.10).
        stream.append(0, count: min(4, capacityBits - stream.count))
        stream.append(0, count: (8 - stream.count % 8) % 8)
        var data = stream.bytes()
        var pad: UInt8 = 0xEC
        while data.count * 8 < capacityBits {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        let codewords = Self.interleavedCodewords(data, version: version, errorCorrection: errorCorrection)
        var matrix = QRMatrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.placeCodewords(codewords)
        let chosenMask: Int
        if let mask {
            chosenMask = mask
        } else {
            // §7.8.3: try every mask with its format information in place, keep the lowest penalty.
            var best = (mask: 0, penalty: Int.max)
            for candidate in 0..<8 {
                var trial = matrix
                trial.applyMask(candidate)
                trial.drawFormatInformation(errorCorrection: errorCorrection, mask: candidate)
                let penalty = trial.penalty()
                if penalty < best.penalty { best = (candidate, penalty) }
            }
            chosenMask = best.mask
        }
        matrix.applyMask(chosenMask)
        matrix.drawFormatInformation(errorCorrection: errorCorrection, mask: chosenMask)
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = chosenMask
        self.size = matrix.size
        self.modules = matrix.modules
    }

    /// Splits data codewords into blocks, adds each block's Reed–Solomon codewords and interleaves them: the first
    /// data codeword of every block, then the second..., then the error-correction codewords the same way (§7.6).
    static func interleavedCodewords(_ data: [UInt8], version: Int, errorCorrection: QRErrorCorrection) -> [UInt8] {
        let level = errorCorrection.tableIndex
        let blocks = QRTables.blockCount[level][version]
        let eccLength = QRTables.eccCodewordsPerBlock[level][version]
        let rawCodewords = QRTables.rawDataModules(version: version) / 8
        let shortBlocks = blocks - rawCodewords % blocks
        let shortBlockLength = rawCodewords / blocks   // data + error correction of a short block
        let encoder = QRReedSolomon(degree: eccLength)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortBlockLength - eccLength + (index < shortBlocks ? 0 : 1)
            let block = data[offset..<offset + length]
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(encoder.remainder(block))
        }
        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for i in 0...(shortBlockLength - eccLength) {
            for block in dataBlocks where i < block.count { result.append(block[block.startIndex + i]) }
        }
        for i in 0..<eccLength {
            for block in eccBlocks { result.append(block[i]) }
        }
        return result
    }
}
