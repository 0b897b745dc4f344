import Foundation
import Testing
@testable import DicomCore

/// High-Throughput JPEG 2000 (ITU-T T.814 | ISO/IEC 15444-15) decoding: codestreams made by OpenJPH's
/// `ojph_compress`, committed under `Fixtures/htj2k` (the commands that made them are in its README.md), against
/// their source images (reversible) and against OpenJPEG's decoding of the same streams (irreversible, ±1);
/// truncated and corrupted streams; the transfer syntaxes in the codec registry. The oracle tests at the end make
/// fresh 512x512 streams with `ojph_compress` (Debian `openjph-tools`) and compare with `opj_decompress`.
@Suite struct HTJ2KCodecTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/htj2k")

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// The samples of a binary PGM/PPM (P5/P6), interleaved as stored, and its size.
    static func pnm(_ name: String) throws -> (width: Int, height: Int, channels: Int, samples: [Int32]) {
        let bytes = try fixture(name)
        var fields: [String] = [], i = 0
        while fields.count < 4 {
            var token = ""
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A { i += 1 }
            while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x0A { token.append(Character(UnicodeScalar(bytes[i]))); i += 1 }
            fields.append(token)
        }
        i += 1
        let width = Int(fields[1])!, height = Int(fields[2])!, maxValue = Int(fields[3])!
        let channels = fields[0] == "P6" ? 3 : 1
        let wide = maxValue > 255
        var samples: [Int32] = []
        for k in 0..<(width * height * channels) {
            samples.append(wide ? Int32(bytes[i + 2 * k]) << 8 | Int32(bytes[i + 2 * k + 1]) : Int32(bytes[i + k]))
        }
        return (width, height, channels, samples)
    }

    /// Little-endian 16-bit samples of a raw file.
    static func raw16(_ name: String, signed: Bool) throws -> [Int32] {
        let bytes = try fixture(name)
        return stride(from: 0, to: bytes.count - 1, by: 2).map {
            let u = UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8
            return signed ? Int32(Int16(bitPattern: u)) : Int32(u)
        }
    }

    /// Our decoding, components interleaved as in a PNM.
    static func decodeInterleaved(_ stream: [UInt8]) throws -> (image: JPEG2000Image, samples: [Int32]) {
        let image = try JPEG2000Decoder.decode(stream[...])
        let n = image.planes.count, count = image.planes[0].count
        var samples = [Int32](repeating: 0, count: n * count)
        for c in 0..<n { for i in 0..<count { samples[i * n + c] = image.planes[c][i] } }
        return (image, samples)
    }

    // MARK: CxtVLC tables

    @Test func cxtVLCTablesAreCompletePrefixCodesPerContext() {
        for rows in [J2KHTTables.initialRows, J2KHTTables.nonInitialRows] {
            for context in 0..<8 {
                let codes = rows.filter { $0 >> 28 == context }.map { (word: Int($0 >> 4 & 0xFF), length: Int($0 & 0xF), row: $0) }
                // Kraft sum of exactly 1, in units of 2^-7.
                #expect(codes.reduce(0) { $0 + (1 << (7 - $1.length)) } == 128, "context \(context)")
                for a in codes {
                    #expect(a.word < 1 << a.length)
                    let rho = Int(a.row >> 24 & 0xF), ek = Int(a.row >> 16 & 0xF), e1 = Int(a.row >> 12 & 0xF)
                    #expect(ek & ~rho == 0 && e1 & ~ek == 0, "EMB patterns outside rho in \(String(a.row, radix: 16))")
                    for b in codes where a.row != b.row && a.length <= b.length {
                        #expect(b.word & ((1 << a.length) - 1) != a.word, "\(String(a.row, radix: 16)) is a prefix of \(String(b.row, radix: 16))")
                    }
                }
            }
        }
        // Quads of the initial line-pair in context 0 come through the MEL only when significant.
        #expect(!J2KHTTables.initialRows.contains { $0 >> 24 == 0x00 })
        for k in 0..<13 {
            #expect(Int(J2KHTBlockDecoder.packedMELExponents >> UInt64(4 * k)) & 0xF == J2KHTBlockDecoder.melExponents[k])
        }
    }

    // MARK: Fixtures

    @Test(arguments: [
        ("ct12-rev.j2c", "ct12.pgm"),
        ("ct12-rev-b32-d1-lrcp.j2c", "ct12.pgm"),
        ("ct16-rev-tiles.j2c", "ct16.pgm"),
        ("gray8-rev.j2c", "gray8.pgm"),
        ("rgb8-rev-rct.j2c", "rgb8.ppm"),
    ])
    func reversibleStreamDecodesToItsSourceExactly(_ stream: String, _ source: String) throws {
        let expected = try HTJ2KCodecTests.pnm(source)
        let (image, samples) = try HTJ2KCodecTests.decodeInterleaved(try HTJ2KCodecTests.fixture(stream))
        #expect(image.widths[0] == expected.width && image.heights[0] == expected.height && image.planes.count == expected.channels)
        #expect(samples == expected.samples)
    }

    @Test func signedReversibleStreamDecodesToItsSourceExactly() throws {
        let expected = try HTJ2KCodecTests.raw16("signed16.raw", signed: true)
        let image = try JPEG2000Decoder.decode(try HTJ2KCodecTests.fixture("signed16-rev.j2c")[...])
        #expect(image.isSigned == [true] && image.precisions == [16])
        #expect(image.planes[0] == expected)
    }

    /// OpenJPEG 2.5's decodings of the irreversible fixtures, stored as little-endian raw files.
    @Test(arguments: [
        ("ct12-q.j2c", "ct12-q.opj.raw"),
        ("gray8-q.j2c", "gray8-q.opj.raw"),
        ("rgb8-q-ict.j2c", "rgb8-q-ict.opj.raw"),
        // Quads whose exponent bound U_q is P + 2, the largest the zero bit-planes allow.
        ("checker8-q.j2c", "checker8-q.opj.raw"),
    ])
    func irreversibleStreamMatchesOpenJPEGWithinOne(_ stream: String, _ reference: String) throws {
        let image = try JPEG2000Decoder.decode(try HTJ2KCodecTests.fixture(stream)[...])
        let raw = try HTJ2KCodecTests.fixture(reference)
        let wide = image.precisions[0] > 8
        var theirs: [Int32] = []
        var offset = 0
        for plane in image.planes {
            for i in 0..<plane.count {
                theirs.append(wide ? Int32(raw[offset + 2 * i]) | Int32(raw[offset + 2 * i + 1]) << 8 : Int32(raw[offset + i]))
            }
            offset += plane.count * (wide ? 2 : 1)
        }
        let ours = image.planes.flatMap { $0 }
        #expect(ours.count == theirs.count)
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1, "\(stream): differs from OpenJPEG by \(worst)")
    }

    // MARK: Hostile input

    /// Every prefix of the small stream, and every 7th prefix of the others: an image or a DicomError, nothing else.
    @Test(arguments: ["gray8-rev.j2c", "ct12-rev.j2c", "ct12-rev-b32-d1-lrcp.j2c", "rgb8-q-ict.j2c", "ct16-rev-tiles.j2c"])
    func truncatedStreamGivesAnImageOrATypedError(_ name: String) throws {
        let stream = try HTJ2KCodecTests.fixture(name)
        let step = name.hasPrefix("gray8") ? 1 : 7
        var failures = 0
        for length in stride(from: 0, to: stream.count, by: step) {
            do { _ = try JPEG2000Decoder.decode(stream[0..<length]) } catch { failures += 1 }
        }
        #expect(failures > 0)
    }

    /// Random bytes overwritten inside the packet data (deterministic): an image or a DicomError, never a crash or hang.
    @Test(arguments: ["gray8-rev.j2c", "ct12-q.j2c", "rgb8-rev-rct.j2c"])
    func corruptedStreamGivesAnImageOrATypedError(_ name: String) throws {
        let stream = try HTJ2KCodecTests.fixture(name)
        var rng = JPEG2000CodecTests.SplitMix(state: 42)
        let start = HTJ2KCodecTests.firstSOD(stream) ?? 2
        for _ in 0..<300 {
            var bytes = stream
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[start + Int(rng.next() % UInt64(bytes.count - start))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? JPEG2000Decoder.decode(bytes[...])
        }
    }

    static func firstSOD(_ bytes: [UInt8]) -> Int? {
        (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x93 }.map { $0 + 2 }
    }

    /// The COD marker's code-block style byte: Scod, SGcod (4), then levels, width, height, style.
    static func codeBlockStyleOffset(_ bytes: [UInt8]) -> Int? {
        (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x52 }.map { $0 + 4 + 1 + 4 + 3 }
    }

    @Test func mixedHTAndPart1CodeBlocksAreRejectedWithATypedError() throws {
        var stream = try HTJ2KCodecTests.fixture("gray8-rev.j2c")
        let at = try #require(HTJ2KCodecTests.codeBlockStyleOffset(stream))
        #expect(stream[at] & 0x40 != 0)
        stream[at] |= 0x80
        #expect(throws: DicomError(.invalidPixelData)) { _ = try JPEG2000Decoder.decode(stream[...]) }
    }

    @Test func capAndCPFMarkersAreAccepted() throws {
        let stream = try HTJ2KCodecTests.fixture("gray8-rev.j2c")
        #expect(stream.indices.dropLast().contains { stream[$0] == 0xFF && stream[$0 + 1] == 0x50 }, "ojph writes CAP")
        // A CPF segment after SIZ: marker, length 4, one Pcpf word.
        let siz = try #require((0..<(stream.count - 1)).first { stream[$0] == 0xFF && stream[$0 + 1] == 0x51 })
        let sizLength = Int(stream[siz + 2]) << 8 | Int(stream[siz + 3])
        let at = siz + 2 + sizLength
        let withCPF = Array(stream[..<at]) + [0xFF, 0x59, 0x00, 0x04, 0x00, 0x01] + Array(stream[at...])
        let a = try JPEG2000Decoder.decode(stream[...]), b = try JPEG2000Decoder.decode(withCPF[...])
        #expect(a.planes == b.planes)
        // A CAP whose Pcap promises more Ccap words than it holds.
        let badCAP = Array(stream[..<at]) + [0xFF, 0x50, 0x00, 0x08, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00] + Array(stream[at...])
        #expect(throws: DicomError(.invalidPixelData)) { _ = try JPEG2000Decoder.decode(badCAP[...]) }
    }

    // MARK: Registry

    @Test func htj2kSyntaxesDecodeThroughTheRegistryAndOnlyTheLossyOneRefusesEncoding() throws {
        let stream = try HTJ2KCodecTests.fixture("ct12-rev.j2c")
        let source = try HTJ2KCodecTests.pnm("ct12.pgm")
        let d = ImageDescriptor(rows: source.height, columns: source.width, bitsAllocated: 16, bitsStored: 12)
        for uid in ["1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"] {
            #expect(TransferSyntax(uid: uid).isEncapsulated)
            let file = try JPEGSynthetic.file(d, frames: [EncodedFrame(bytes: stream)], uid: uid)
            let frame = try file.decodedFrame(0)
            let samples = stride(from: 0, to: frame.bytes.count, by: 2).map { Int32(frame.bytes[$0]) | Int32(frame.bytes[$0 + 1]) << 8 }
            #expect(samples == source.samples, "\(uid)")
            let native = try file.transcoded(to: TransferSyntax.explicitVRLittleEndian)
            if uid == JPEG2000Codec.htj2kUID {
                #expect(throws: DicomError(.unsupportedTransferSyntax)) { _ = try native.transcoded(to: TransferSyntax(uid: uid)) }
            } else {
                #expect(try native.transcoded(to: TransferSyntax(uid: uid)).decodedFrame(0).bytes == frame.bytes, "\(uid) re-encoded")
            }
        }
    }

    // MARK: Oracle: fresh streams from ojph_compress, decoded by OpenJPEG

    static func tool(_ name: String) throws -> String {
        let path = "/usr/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("\(name) not found: apt-get install openjph-tools libopenjp2-tools (Scripts/install-test-deps.sh)")
            throw JPEG2000CodecTests.ToolError(message: "\(name) missing")
        }
        return path
    }

    /// A binary PGM (one component) or PPM (three) of `bits`-bit samples, from `JPEG2000CodecTests.syntheticRaw`.
    static func syntheticPNM(width: Int, height: Int, components: Int, bits: Int) -> (file: [UInt8], planes: [[Int32]]) {
        let raw = JPEG2000CodecTests.syntheticRaw(width: width, height: height, components: components, bits: bits)
        let wide = bits > 8, count = width * height
        var planes = [[Int32]](repeating: [], count: components)
        for c in 0..<components {
            for i in 0..<count {
                let k = c * count + i
                planes[c].append(wide ? Int32(raw[2 * k]) | Int32(raw[2 * k + 1]) << 8 : Int32(raw[k]))
            }
        }
        var file = Array("P\(components == 3 ? 6 : 5)\n\(width) \(height)\n\((1 << bits) - 1)\n".utf8)
        for i in 0..<count {
            for c in 0..<components {
                let v = planes[c][i]
                if wide { file.append(UInt8(v >> 8)); file.append(UInt8(v & 0xFF)) } else { file.append(UInt8(v)) }
            }
        }
        return (file, planes)
    }

    static let oracleSettings: [(String, [String])] = [
        ("reversible, 64x64 blocks, 5 levels, RPCL", ["-reversible", "true"]),
        ("reversible, 32x32 blocks, 1 level, LRCP", ["-reversible", "true", "-block_size", "{32,32}", "-num_decomps", "1", "-prog_order", "LRCP"]),
        ("reversible, tiles 200x150, 4 levels", ["-reversible", "true", "-tile_size", "{200,150}", "-num_decomps", "4"]),
        ("reversible, 6 levels, precincts, PCRL", ["-reversible", "true", "-num_decomps", "6", "-precincts", "{64,64},{128,128}", "-prog_order", "PCRL"]),
        ("reversible, 16x64 blocks, CPRL", ["-reversible", "true", "-block_size", "{16,64}", "-prog_order", "CPRL"]),
        ("irreversible, qstep 0.001", ["-qstep", "0.001"]),
        ("irreversible, qstep 0.02, 32x32 blocks, tiles", ["-qstep", "0.02", "-block_size", "{32,32}", "-tile_size", "{256,256}"]),
    ]

    /// 512x512 images (16-bit CT-like, 12-bit, 8-bit grey, 8-bit RGB) through `ojph_compress`: reversible streams
    /// decode to the source exactly and equal OpenJPEG's decoding; irreversible ones are within 1 of OpenJPEG's.
    @Test(arguments: 0..<oracleSettings.count)
    func ojphStreamsDecodeLikeOpenJPEG(_ index: Int) throws {
        let (label, options) = HTJ2KCodecTests.oracleSettings[index]
        let compress = try HTJ2KCodecTests.tool("ojph_compress")
        _ = try HTJ2KCodecTests.tool("opj_decompress")
        let reversible = options.contains("-reversible")
        let dir = try JPEG2000CodecTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (components, bits) in [(1, 16), (1, 12), (1, 8), (3, 8)] {
            let (file, planes) = HTJ2KCodecTests.syntheticPNM(width: 512, height: 512, components: components, bits: bits)
            let input = "\(dir)/in.\(components == 3 ? "ppm" : "pgm")", output = "\(dir)/out.j2c"
            try Data(file).write(to: URL(fileURLWithPath: input))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: compress)
            process.arguments = ["-i", input, "-o", output] + options
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "ojph_compress \(options)")
            let stream = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
            let what = "\(label), \(components)x\(bits) bits"
            try JPEG2000CodecTests.expectMatchesOpenJPEG(stream, tolerance: reversible ? 0 : 1, what)
            if reversible {
                #expect(try JPEG2000Decoder.decode(stream[...]).planes == planes, "\(what): not the source")
            }
        }
    }
}
