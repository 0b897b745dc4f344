import Foundation
import Testing
@testable import DicomCore

/// High-Throughput JPEG 2000 encoding (ITU-T T.814 | ISO/IEC 15444-15): our HT block coder and codestreams,
/// cleanup-only and with SigProp and MagRef passes, decoded by OpenJPEG's `opj_decompress` (the independent oracle
/// for the refinement passes, which OpenJPH's `ojph_compress` never writes), by OpenJPH's `ojph_expand` and by our own
/// decoder; and the .201/.202 transfer syntaxes through the codec registry.
@Suite struct HTJ2KEncoderTests {
    static let hasOpenJPEG = FileManager.default.isExecutableFile(atPath: "/usr/bin/opj_decompress")
    static let hasOpenJPH = FileManager.default.isExecutableFile(atPath: "/usr/bin/ojph_expand")

    // MARK: Block coder

    /// Every quad the cleanup pass can meet has a codeword, and the decoder's table reads each back as coded.
    @Test func encoderTablesAreDerivedConsistentlyFromTheDecoderTables() {
        for (encoderTable, decoderTable) in [(J2KHTBlockEncoder.initialTable, J2KHTBlockDecoder.initialTable),
                                             (J2KHTBlockEncoder.nonInitialTable, J2KHTBlockDecoder.nonInitialTable)] {
            for c in 0..<8 {
                for rho in (c == 0 ? 1 : 0)..<16 {
                    for uOff in 0...(rho == 0 ? 0 : 1) {
                        for m in 0..<16 where m & ~rho == 0 && (uOff == 0 || m != 0) {
                            let entry = encoderTable[c << 9 | rho << 5 | uOff << 4 | m]
                            #expect(entry != 0, "no codeword: context \(c), rho \(rho), u_off \(uOff), MSBs \(m)")
                            guard entry != 0 else { continue }
                            let codeword = Int(entry & 0xFF), length = Int(entry >> 8 & 0xF)
                            let ek = Int(entry >> 12 & 0xF), e1 = Int(entry >> 16 & 0xF)
                            #expect(m & ek == e1, "EMB pattern contradicts the MSBs")
                            let decoded = decoderTable[c << 7 | codeword]
                            #expect(Int(decoded >> 13) == length && Int(decoded & 0xF) == rho && Int(decoded >> 4 & 1) == uOff
                                    && Int(decoded >> 5 & 0xF) == ek && Int(decoded >> 9 & 0xF) == e1,
                                    "context \(c), rho \(rho): codeword \(codeword) reads back differently")
                        }
                    }
                }
            }
        }
    }

    /// A block of `width` x `height` coefficients below 2^(mb - 1) in magnitude: mostly small, some large, some zero runs.
    static func coefficients(width: Int, height: Int, magnitudeBits mb: Int, seed: UInt64) -> [Int32] {
        var rng = JPEG2000CodecTests.SplitMix(state: seed)
        return (0..<(width * height)).map { i in
            let r = rng.next()
            let bits = Int(r % UInt64(mb))
            var v = Int32(truncatingIfNeeded: r >> 8) & ((Int32(1) << Int32(bits)) - 1)
            if (i / 37) % 5 == 3 { v = 0 }
            return r >> 63 == 1 ? -v : v
        }
    }

    /// Our encoder's block, read back by our decoder with the decoder's code-block bookkeeping.
    static func decodeBlock(_ b: J2KHTBlockEncoder.Block, width: Int, height: Int, magnitudeBits mb: Int) throws -> [Int32] {
        var block = J2KCodeBlock(x0: 0, y0: 0, x1: width, y1: height)
        block.passes = b.passes
        block.zeroBitplanes = mb - 1 - b.cleanupPlane
        block.append(b.bytes[...])
        block.segmentPasses = b.passes == 3 ? [1, 2] : (b.passes == 1 ? [1] : [])
        block.segmentLengths = b.passes == 3 ? [b.cleanupLength, b.refinementLength] : (b.passes == 1 ? [b.bytes.count] : [])
        var out = [Int32](repeating: 7, count: width * height)
        var decoder = J2KHTBlockDecoder()
        try out.withUnsafeMutableBufferPointer { o in
            try decoder.decode(block, magnitudeBits: mb, style: J2KBlockStyle.highThroughput, into: o.baseAddress!, stride: width, halve: true)
        }
        return out
    }

    @Test(arguments: [(64, 64), (1, 1), (5, 3), (3, 17), (37, 29), (1024, 4), (4, 1024), (16, 64), (2, 2)])
    func blocksRoundTripThroughOurDecoder(_ size: (Int, Int)) throws {
        let (w, h) = size
        for (seed, mb) in [(UInt64(1), 5), (2, 12), (3, 18), (4, 26)] {
            let input = HTJ2KEncoderTests.coefficients(width: w, height: h, magnitudeBits: mb, seed: seed)
            for refine in [false, true] {
                var encoder = J2KHTBlockEncoder()
                let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: refine) }
                #expect(b.cleanupLength + b.refinementLength == b.bytes.count)
                let out = try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb)
                #expect(out == input, "\(w)x\(h), M_b \(mb), refine \(refine), \(b.passes) passes")
            }
        }
    }

    /// Neighbourhoods that SigProp can reach: every 1 in bit-plane 0 sits next to a sample significant in bit-plane 1,
    /// so the encoder keeps the refinement passes, and both passes code something.
    @Test func refinementPassesAreWrittenWhenEverySampleIsReachable() throws {
        let w = 19, h = 11, mb = 10
        var input = [Int32](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 0 { input[y * w + x] = Int32((x * 7 + y * 13) % 200 + 2) * ((x + y) % 4 == 0 ? 1 : -1) } }
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 1 && (x * y) % 3 != 0 { input[y * w + x] = (x % 2 == 0 ? 1 : -1) } }
        var encoder = J2KHTBlockEncoder()
        let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: true) }
        #expect(b.passes == 3 && b.cleanupPlane == 1)
        #expect(b.refinementLength > 0)
        #expect(b.sigPropSignificant == input.filter { abs($0) == 1 }.count)
        #expect(b.magRefRefined == input.filter { abs($0) >= 2 }.count)
        #expect(try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb) == input)
    }

    /// A lone 1 with no significant neighbour cannot be coded by SigProp: the block falls back to a cleanup pass at
    /// bit-plane 0, still lossless.
    @Test func unreachableSamplesFallBackToCleanupOnly() throws {
        let w = 8, h = 8, mb = 6
        var input = [Int32](repeating: 0, count: w * h)
        input[0] = 9; input[63] = -1
        var encoder = J2KHTBlockEncoder()
        let b = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: w, height: h, stride: w, magnitudeBits: mb, refine: true) }
        #expect(b.passes == 1 && b.cleanupPlane == 0 && b.refinementLength == 0)
        #expect(try HTJ2KEncoderTests.decodeBlock(b, width: w, height: h, magnitudeBits: mb) == input)
    }

    @Test func magnitudesAboveTheBandsBitPlanesAreATypedError() {
        let input: [Int32] = [0, 40, -3, 2]
        var encoder = J2KHTBlockEncoder()
        #expect(throws: DicomError(.invalidPixelData)) {
            _ = try input.withUnsafeBufferPointer { try encoder.encode($0.baseAddress!, width: 2, height: 2, stride: 2, magnitudeBits: 5, refine: false) }
        }
    }

    // MARK: Codestreams against OpenJPEG and OpenJPH

    struct Case: CustomTestStringConvertible, Sendable {
        var width: Int, height: Int, components: Int, bits: Int, signed = false
        var xcb = 6, ycb = 6, levels: Int? = nil
        var noise = false
        var testDescription: String {
            "\(width)x\(height)x\(components) \(bits)-bit\(signed ? " signed" : "")\(noise ? " noise" : ""), blocks 2^\(xcb)x2^\(ycb), levels \(levels.map(String.init) ?? "auto")"
        }
    }

    static let cases: [Case] = [
        Case(width: 96, height: 80, components: 1, bits: 16, signed: true),                 // CT-like, signed
        Case(width: 96, height: 80, components: 1, bits: 16),                               // unsigned 16
        Case(width: 67, height: 43, components: 1, bits: 12, xcb: 5, ycb: 5, levels: 2),
        Case(width: 37, height: 29, components: 1, bits: 8, xcb: 4, ycb: 4, levels: 3),    // odd size
        Case(width: 64, height: 48, components: 3, bits: 8, xcb: 6, ycb: 4),               // RGB through the RCT
        Case(width: 53, height: 70, components: 1, bits: 12, xcb: 2, ycb: 5, levels: 1),    // 4-wide blocks
        Case(width: 128, height: 32, components: 1, bits: 12, xcb: 8, ycb: 2, levels: 0),   // 256x4 blocks, no DWT
        Case(width: 80, height: 72, components: 1, bits: 12, xcb: 5, ycb: 6, noise: true),  // refinement nearly everywhere
    ]

    /// The planes of `c`: the CT-like synthetic image of the JPEG 2000 tests, or uniform noise.
    static func planes(_ c: Case) -> [[Int32]] {
        if c.noise {
            var rng = JPEG2000CodecTests.SplitMix(state: 7)
            return (0..<c.components).map { _ in (0..<(c.width * c.height)).map { _ in Int32(rng.next() % (1 << UInt64(c.bits))) } }
        }
        let raw = JPEG2000CodecTests.syntheticRaw(width: c.width, height: c.height, components: c.components, bits: c.bits, signed: c.signed)
        let count = c.width * c.height
        return (0..<c.components).map { k in
            (0..<count).map { i in
                let p = k * count + i
                if c.bits <= 8 { return Int32(raw[p]) }
                let u = UInt16(raw[2 * p]) | UInt16(raw[2 * p + 1]) << 8
                return c.signed ? Int32(Int16(bitPattern: u)) : Int32(u)
            }
        }
    }

    static func encode(_ c: Case, refine: Bool, progression: J2KProgression = .lrcp) throws -> (bytes: [UInt8], statistics: J2KEncoderStatistics) {
        var options = J2KEncoderOptions()
        options.highThroughput = true
        options.htRefinement = refine
        options.levels = c.levels
        options.codeBlockWidthExponent = c.xcb
        options.codeBlockHeightExponent = c.ycb
        options.progression = progression
        options.tileLengths = progression == .rpcl
        return try J2KEncoder.encode(planes: planes(c), width: c.width, height: c.height, precision: c.bits, isSigned: c.signed,
                                     colourTransform: true, options: options)
    }

    @Test(arguments: cases)
    func cleanupOnlyStreamsDecodeExactlyWithUsAndOpenJPEG(_ c: Case) throws {
        let (stream, statistics) = try HTJ2KEncoderTests.encode(c, refine: false)
        #expect(statistics.refinedBlocks == 0 && statistics.refinementBytes == 0 && statistics.codedBlocks > 0)
        let planes = HTJ2KEncoderTests.planes(c)
        #expect(try JPEG2000Decoder.decode(stream[...]).planes == planes, "ours")
        if HTJ2KEncoderTests.hasOpenJPEG {
            let dir = try JPEG2000CodecTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(try JPEG2000CodecTests.openJPEGPlanes(stream, in: dir) == planes, "opj_decompress")
        }
    }

    /// The refinement passes, the part of our decoder that no OpenJPH stream exercises: streams whose blocks carry
    /// SigProp and MagRef passes decode exactly with OpenJPEG and with us.
    @Test(.enabled(if: hasOpenJPEG, "opj_decompress is not installed (Scripts/install-test-deps.sh installs libopenjp2-tools)"),
          arguments: cases)
    func refinementPassStreamsDecodeExactlyWithOpenJPEGAndUs(_ c: Case) throws {
        let (stream, statistics) = try HTJ2KEncoderTests.encode(c, refine: true)
        #expect(statistics.refinedBlocks > 0, "no block kept its refinement passes")
        #expect(statistics.sigPropSignificant > 0 && statistics.magRefRefined > 0 && statistics.refinementBytes > 0)
        let planes = HTJ2KEncoderTests.planes(c)
        let dir = try JPEG2000CodecTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try JPEG2000CodecTests.openJPEGPlanes(stream, in: dir) == planes, "opj_decompress")
        #expect(try JPEG2000Decoder.decode(stream[...]).planes == planes, "ours")
    }

    /// Blocks whose refinement bits are mostly ones, without a wavelet (so the samples are the coefficients): every
    /// SigProp and MagRef byte is at a stuffing boundary, including the first MagRef byte, which the decoder reads
    /// as coming after a byte above 0x8F. A checkerboard of odd magnitudes of at least 3 (significant in the cleanup
    /// pass, MagRef bit 1) and of ±1 (made significant by SigProp).
    @Test(.enabled(if: hasOpenJPEG, "opj_decompress is not installed (Scripts/install-test-deps.sh installs libopenjp2-tools)"),
          arguments: [false, true])
    func refinementStreamsOfAllOnesDecodeExactlyWithOpenJPEGAndUs(_ negative: Bool) throws {
        let w = 45, h = 23
        var plane = [Int32](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let v: Int32 = (x + y) % 2 == 0 ? Int32(2 * ((x * 5 + y * 3) % 40) + 3) : 1
                plane[y * w + x] = negative && (x / 3 + y) % 2 == 0 ? -v : v
            }
        }
        var options = J2KEncoderOptions()
        options.highThroughput = true
        options.htRefinement = true
        options.levels = 0
        options.codeBlockWidthExponent = 5; options.codeBlockHeightExponent = 4
        let (stream, statistics) = try J2KEncoder.encode(planes: [plane], width: w, height: h, precision: 16, isSigned: true,
                                                         colourTransform: false, options: options)
        #expect(statistics.refinedBlocks == statistics.codedBlocks && statistics.codedBlocks == 4)
        #expect(statistics.sigPropSignificant == plane.filter { abs($0) == 1 }.count)
        #expect(statistics.magRefRefined == plane.filter { abs($0) > 1 }.count)
        let dir = try JPEG2000CodecTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try JPEG2000CodecTests.openJPEGPlanes(stream, in: dir) == [plane], "opj_decompress")
        #expect(try JPEG2000Decoder.decode(stream[...]).planes == [plane], "ours")
        // The same coefficients from unsigned samples (the DC level shift takes 2^15 off again), for OpenJPH's PGM output.
        if HTJ2KEncoderTests.hasOpenJPH {
            let unsigned = plane.map { $0 + 32768 }
            let twin = try J2KEncoder.encode(planes: [unsigned], width: w, height: h, precision: 16, isSigned: false,
                                             colourTransform: false, options: options)
            #expect(twin.statistics.refinedBlocks == 4)
            #expect(try HTJ2KEncoderTests.openJPHPlanes(twin.bytes, width: w, height: h, components: 1, bits: 16) == [unsigned], "ojph_expand")
        }
    }

    /// Every truncation of a stream with refinement passes, and every byte of its packet bodies flipped, fails with
    /// a typed error or decodes to an image of the right size: the refinement readers stay inside their segments.
    @Test func truncatedAndCorruptedRefinementStreamsFailCleanly() throws {
        let c = Case(width: 37, height: 29, components: 1, bits: 8, xcb: 4, ycb: 4, levels: 2)
        let (stream, statistics) = try HTJ2KEncoderTests.encode(c, refine: true)
        #expect(statistics.refinedBlocks > 0)
        #expect(try JPEG2000Decoder.decode(stream[...]).planes == HTJ2KEncoderTests.planes(c))
        let body = try #require(HTJ2KCodecTests.firstSOD(stream))
        var decoded = 0, rejected = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                let image = try JPEG2000Decoder.decode(bytes[...])
                #expect(image.planes.count == 1 && image.planes[0].count == c.width * c.height)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        for length in stride(from: body, to: stream.count - 2, by: 1) { attempt(Array(stream[..<length])) }
        for i in body..<(stream.count - 2) {
            var bad = stream
            bad[i] ^= 0xA5
            attempt(bad)
        }
        #expect(decoded + rejected == 2 * (stream.count - 2 - body))
        #expect(rejected > 0, "no damaged stream was refused")
    }

    /// OpenJPH's `ojph_expand` decoding of `stream` through a PGM/PPM file (unsigned samples only), one plane per
    /// component.
    static func openJPHPlanes(_ stream: [UInt8], width: Int, height: Int, components n: Int, bits: Int) throws -> [[Int32]] {
        let dir = try JPEG2000CodecTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = "\(dir)/in.j2c", output = "\(dir)/out.\(n == 3 ? "ppm" : "pgm")"
        try Data(stream).write(to: URL(fileURLWithPath: input))
        try JPEG2000CodecTests.run("ojph_expand", ["-i", input, "-o", output])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        let wide = bits > 8, count = width * height
        let header = bytes.count - count * n * (wide ? 2 : 1)
        try #require(header > 0, "ojph_expand wrote \(bytes.count) bytes")
        var planes = [[Int32]](repeating: [], count: n)
        for i in 0..<count {
            for k in 0..<n {
                let p = header + (i * n + k) * (wide ? 2 : 1)
                planes[k].append(wide ? Int32(bytes[p]) << 8 | Int32(bytes[p + 1]) : Int32(bytes[p]))
            }
        }
        return planes
    }

    /// `ojph_expand` (OpenJPH 0.9) decodes our RPCL streams exactly, cleanup-only and with refinement passes alike.
    @Test(.enabled(if: hasOpenJPH, "ojph_expand is not installed (Scripts/install-test-deps.sh installs openjph-tools)"),
          arguments: cases.filter { !$0.signed }, [false, true])
    func streamsDecodeExactlyWithOpenJPH(_ c: Case, refine: Bool) throws {
        let (stream, statistics) = try HTJ2KEncoderTests.encode(c, refine: refine, progression: .rpcl)
        #expect((statistics.refinedBlocks > 0) == refine)
        let theirs = try HTJ2KEncoderTests.openJPHPlanes(stream, width: c.width, height: c.height, components: c.components, bits: c.bits)
        #expect(theirs == HTJ2KEncoderTests.planes(c))
    }

    // MARK: Transfer syntaxes

    /// Native frames transcode to HTJ2K .201 and .202 through the registry and back, bit for bit.
    @Test func htj2kLosslessSyntaxesRoundTripThroughTheRegistry() throws {
        for (samples, bits, signed) in [(1, 16, true), (1, 12, false), (3, 8, false)] {
            let d = JPEGSynthetic.descriptor(rows: 45, columns: 70, samples: samples, bitsStored: bits, signed: signed)
            let image = JPEGSynthetic.image(d)
            for uid in [JPEG2000Codec.htj2kLosslessUID, JPEG2000Codec.htj2kLosslessRPCLUID] {
                let encoded = try image.withUnsafeBytes { try JPEG2000Codec().encode($0, descriptor: d, transferSyntaxUID: uid, options: EncodeOptions()) }
                let bytes = encoded.bytes
                #expect(bytes.indices.dropLast().contains { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x50 }, "CAP")
                #expect(bytes[6] & 0x40 != 0, "Rsiz announces Part 15")
                let sot = try #require(bytes.indices.dropLast().first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x90 })
                let tlm = (0..<sot).contains { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x55 }
                #expect(tlm == (uid == JPEG2000Codec.htj2kLosslessRPCLUID), "TLM only with RPCL")
                let file = try JPEGSynthetic.file(d, frames: [encoded], uid: uid)
                let native = try file.transcoded(to: TransferSyntax.explicitVRLittleEndian)
                #expect(try native.decodedFrame(0).bytes == image, "\(uid) \(samples)x\(bits)")
                let again = try native.transcoded(to: TransferSyntax(uid: uid))
                #expect(try again.decodedFrame(0).bytes == image, "\(uid) \(samples)x\(bits) via transcoding")
            }
        }
    }

    @Test func htj2kLossySyntaxIsStillNotEncoded() throws {
        let d = JPEGSynthetic.descriptor(rows: 8, columns: 8, bitsStored: 8)
        let image = JPEGSynthetic.image(d)
        #expect(throws: DicomError(.unsupportedTransferSyntax)) {
            _ = try image.withUnsafeBytes { try JPEG2000Codec().encode($0, descriptor: d, transferSyntaxUID: JPEG2000Codec.htj2kUID, options: EncodeOptions()) }
        }
    }
}

