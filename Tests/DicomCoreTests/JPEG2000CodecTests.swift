import Foundation
import Testing
@testable import DicomCore

/// JPEG 2000 (ISO/IEC 15444-1): corpus files against their uncompressed twins and against OpenJPEG's
/// `opj_decompress` as an oracle, streams made by `opj_compress` at many settings, reduced resolution, and hostile input.
/// `opj_compress`/`opj_decompress` come from the `libopenjp2-tools` package; a missing tool fails the test.
@Suite struct JPEG2000CodecTests {
    // MARK: Helpers

    struct ToolError: Error { var message: String }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let exe = "/usr/bin/\(tool)"
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            Issue.record("\(tool) not found: apt-get install libopenjp2-tools")
            throw ToolError(message: "\(tool) missing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let line = ([tool] + arguments).joined(separator: " ")
            Issue.record("\(line) exited \(process.terminationStatus): \(stderr)")
            throw ToolError(message: line)
        }
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("j2k-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// OpenJPEG's decoding of `codestream`: one plane per component, samples as signed integers.
    static func openJPEGPlanes(_ codestream: [UInt8], in dir: String, reduce: Int = 0) throws -> [[Int32]] {
        let isJP2 = codestream.count > 8 && codestream[4] == 0x6A && codestream[5] == 0x50
        let input = "\(dir)/in-\(UUID().uuidString).\(isJP2 ? "jp2" : "j2k")", output = "\(dir)/out-\(UUID().uuidString).rawl"
        try Data(codestream).write(to: URL(fileURLWithPath: input))
        var args = ["-i", input, "-o", output, "-quiet"]
        if reduce > 0 { args += ["-r", String(reduce)] }
        try run("opj_decompress", args)
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        let image = try JPEG2000Decoder.decode(codestream[...], level: reduce)
        var planes: [[Int32]] = []
        var offset = 0
        for c in 0..<image.planes.count {
            let count = image.widths[c] * image.heights[c]
            let bytes = image.precisions[c] <= 8 ? 1 : 2
            var plane: [Int32] = []
            plane.reserveCapacity(count)
            for i in 0..<count {
                let p = offset + i * bytes
                guard p + bytes <= raw.count else { throw ToolError(message: "opj output too short") }
                var v = bytes == 1 ? Int32(raw[p]) : Int32(raw[p]) | Int32(raw[p + 1]) << 8
                if image.isSigned[c] { v = bytes == 1 ? Int32(Int8(truncatingIfNeeded: v)) : Int32(Int16(truncatingIfNeeded: v)) }
                plane.append(v)
            }
            offset += count * bytes
            planes.append(plane)
        }
        return planes
    }

    /// Expects our decoding of `codestream` to be within `tolerance` of OpenJPEG's.
    static func expectMatchesOpenJPEG(_ codestream: [UInt8], tolerance: Int32, reduce: Int = 0, _ label: String,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let theirs = try openJPEGPlanes(codestream, in: dir, reduce: reduce)
        let ours = try JPEG2000Decoder.decode(codestream[...], level: reduce)
        #expect(ours.planes.count == theirs.count, "\(label): component count", sourceLocation: sourceLocation)
        for (c, (a, b)) in zip(ours.planes, theirs).enumerated() {
            #expect(a.count == b.count, "\(label): component \(c) has \(a.count) samples, OpenJPEG \(b.count)", sourceLocation: sourceLocation)
            var worst: Int32 = 0, at = -1
            for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > worst { worst = abs(a[i] - b[i]); at = i }
            #expect(worst <= tolerance, "\(label): component \(c) differs by \(worst) at \(at) (ours \(at >= 0 ? a[at] : 0), OpenJPEG \(at >= 0 ? b[at] : 0))",
                    sourceLocation: sourceLocation)
        }
    }

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A smooth image with noise and edges, `components` planes of `bits` bits, as little-endian raw samples (planar).
    static func syntheticRaw(width: Int, height: Int, components: Int, bits: Int, signed: Bool = false, seed: UInt64 = 1) -> [UInt8] {
        var rng = SplitMix(state: seed)
        var out: [UInt8] = []
        let maxValue = (1 << bits) - 1
        for c in 0..<components {
            for y in 0..<height {
                for x in 0..<width {
                    var v = (x * 7 + y * 3 + c * 50) * maxValue / (width * 7 + height * 3 + 150)
                    if (x / 9 + y / 5) % 3 == 0 { v = maxValue - v }
                    v += Int(rng.next() % UInt64(max(2, maxValue / 16))) - maxValue / 32
                    v = min(max(v, 0), maxValue)
                    if signed { v -= 1 << (bits - 1) }
                    out.append(UInt8(truncatingIfNeeded: v))
                    if bits > 8 { out.append(UInt8(truncatingIfNeeded: v >> 8)) }
                }
            }
        }
        return out
    }

    /// `syntheticRaw` in the decoded layout (colour interleaved) with its descriptor, and the planar samples.
    static func syntheticFrame(components c: Int, bits: Int, signed: Bool, width w: Int, height h: Int, seed: UInt64)
        -> (frame: [UInt8], descriptor: ImageDescriptor, planar: [UInt8]) {
        let raw = syntheticRaw(width: w, height: h, components: c, bits: bits, signed: signed, seed: seed)
        let b = bits > 8 ? 2 : 1
        var frame = [UInt8](repeating: 0, count: raw.count)
        for comp in 0..<c { for p in 0..<(w * h) { for k in 0..<b {
            frame[(p * c + comp) * b + k] = raw[(comp * w * h + p) * b + k]
        } } }
        let d = ImageDescriptor(rows: h, columns: w, samplesPerPixel: c, bitsAllocated: b * 8, bitsStored: bits, isSigned: signed,
                                photometricInterpretation: c == 3 ? "RGB" : "MONOCHROME2")
        return (frame, d, raw)
    }

    /// `opj_compress` output for a synthetic image with the given options.
    static func openJPEGStream(width: Int, height: Int, components: Int, bits: Int, signed: Bool = false, options: [String]) throws -> [UInt8] {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = "\(dir)/in.rawl", output = "\(dir)/out.j2k"
        try Data(syntheticRaw(width: width, height: height, components: components, bits: bits, signed: signed))
            .write(to: URL(fileURLWithPath: input))
        try run("opj_compress", ["-i", input, "-o", output, "-F", "\(width),\(height),\(components),\(bits),\(signed ? "s" : "u")"] + options)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    // MARK: Corpus

    @Test func losslessMRSliceEqualsItsUncompressedTwin() throws {
        let j2k = try DicomFile.read(contentsOf: TestCorpus.path("MR_small_jp2klossless.dcm"))
        let native = try DicomFile.read(contentsOf: TestCorpus.path("MR_small.dcm"))
        let a = try j2k.decodedFrame(0), b = try native.decodedFrame(0)
        #expect(a.bytes == b.bytes)
    }

    @Test(arguments: ["693_J2KI.dcm", "JPEG2000.dcm", "GDCMJ2K_TextGBR.dcm", "J2K_pixelrep_mismatch.dcm", "SC_rgb_gdcm_KY.dcm",
                      "examples_jpeg2k.dcm", "MR_small_jp2klossless.dcm"])
    func corpusFileMatchesOpenJPEG(_ name: String) throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path(name))
        let lossless = file.transferSyntax.uid == JPEG2000Codec.losslessUID
        for i in 0..<file.dataSet.numberOfFrames {
            let codestream = Array(try file.dataSet.frameBytes(at: i))
            try JPEG2000CodecTests.expectMatchesOpenJPEG(codestream, tolerance: lossless ? 0 : 1, "\(name) frame \(i + 1)")
            _ = try file.decodedFrame(i)
        }
    }

    /// The fragment holds a codestream cut short by an embedded Sequence Delimitation Item; OpenJPEG rejects it too.
    @Test func brokenCodestreamWithEmbeddedDelimiterIsRejected() throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path("JPEG2000-embedded-sequence-delimiter.dcm"))
        #expect(throws: DicomError.self) { _ = try file.decodedFrame(0) }
    }

    // MARK: Streams made by OpenJPEG

    static let settings: [(String, [String])] = [
        ("default 5/3", []),
        ("tiles", ["-t", "32,24", "-n", "3"]),
        ("tiles offset", ["-t", "40,40", "-T", "3,5", "-d", "5,7", "-n", "3"]),
        ("layers", ["-r", "40,20,10,1"]),
        ("lossy 9/7 layers", ["-I", "-r", "30,10"]),
        ("lossy 9/7", ["-I", "-q", "35"]),
        ("LRCP precincts", ["-p", "LRCP", "-c", "[32,32],[16,16]", "-r", "20,5,1"]),
        ("RLCP", ["-p", "RLCP", "-r", "10,1", "-c", "[64,64],[32,32],[16,16]"]),
        ("RPCL", ["-p", "RPCL", "-r", "10,1", "-c", "[32,32],[16,16],[8,8]"]),
        ("PCRL", ["-p", "PCRL", "-r", "10,1", "-c", "[16,16]", "-t", "50,40", "-n", "3"]),
        ("CPRL", ["-p", "CPRL", "-r", "10,1", "-c", "[32,32],[16,16]"]),
        ("code-blocks 16x8", ["-b", "16,8"]),
        ("code-blocks 4x256", ["-b", "4,256"]),
        ("bypass", ["-M", "1", "-r", "5,1"]),
        ("reset", ["-M", "2"]),
        ("terminate", ["-M", "4", "-r", "8,1"]),
        ("vertical causal", ["-M", "8"]),
        ("predictable termination", ["-M", "16"]),
        ("segmentation symbols", ["-M", "32"]),
        ("all mode switches", ["-M", "63", "-r", "12,3,1"]),
        ("all mode switches lossy", ["-M", "63", "-I", "-r", "12,3"]),
        ("SOP and EPH", ["-SOP", "-EPH", "-r", "4,1"]),
        ("one level", ["-n", "1"]),
        ("no transform levels", ["-n", "1", "-b", "32,32"]),
        ("many levels", ["-n", "6"]),
        ("POC", ["-POC", "T0=0,0,2,3,1,CPRL/T0=0,0,2,7,3,LRCP", "-r", "10,4,1"]),
        ("PLT and TLM", ["-PLT", "-TLM", "-t", "32,32", "-n", "3"]),
        ("tile-parts", ["-TP", "R", "-t", "48,48", "-n", "3"]),
        ("ROI", ["-ROI", "c=0,U=3", "-r", "10,1"]),
    ]

    @Test(arguments: 0..<settings.count)
    func openJPEGStreamsDecodeLikeOpenJPEG(_ index: Int) throws {
        let (label, options) = JPEG2000CodecTests.settings[index]
        let lossy = options.contains("-I")
        for (components, bits, signed) in [(1, 12, false), (3, 8, false), (1, 16, true), (1, 10, false)] {
            let stream = try JPEG2000CodecTests.openJPEGStream(width: 97, height: 75, components: components, bits: bits, signed: signed, options: options)
            try JPEG2000CodecTests.expectMatchesOpenJPEG(stream, tolerance: lossy ? 1 : 0, "\(label), \(components)x\(bits) bits\(signed ? " signed" : "")")
        }
    }

    // MARK: Reduced resolution

    @Test(arguments: [1, 2, 3])
    func reducedResolutionMatchesOpenJPEG(_ level: Int) throws {
        for options in [["-r", "10,1"], ["-I", "-r", "20"], ["-p", "RPCL", "-c", "[32,32],[16,16]", "-t", "48,40", "-n", "4"]] {
            let stream = try JPEG2000CodecTests.openJPEGStream(width: 97, height: 75, components: 3, bits: 8, options: options)
            try JPEG2000CodecTests.expectMatchesOpenJPEG(stream, tolerance: options.contains("-I") ? 1 : 0, reduce: level,
                                                         "level \(level) \(options)")
        }
        let mr = try DicomFile.read(contentsOf: TestCorpus.path("MR_small_jp2klossless.dcm"))
        let image = try JPEG2000Decoder.decode(try mr.dataSet.frameBytes(at: 0), level: level)
        #expect(image.widths[0] == (64 + (1 << level) - 1) >> level)
    }

    @Test func levelAboveTheDecompositionLevelsIsRejected() throws {
        let stream = try JPEG2000CodecTests.openJPEGStream(width: 40, height: 30, components: 1, bits: 8, options: ["-n", "2"])
        #expect(throws: DicomError.self) { _ = try JPEG2000Decoder.decode(stream[...], level: 3) }
    }

    // MARK: Hostile input

    /// Every prefix cut at every 7th byte (and every marker or packet boundary in between, by density) fails with a
    /// DicomError or decodes; none crashes or hangs.
    @Test func truncatedStreamsFailCleanly() throws {
        for options in [["-r", "10,3,1", "-SOP", "-EPH"], ["-M", "63", "-p", "RPCL", "-c", "[32,32]"], ["-I", "-t", "40,40", "-n", "3"]] {
            let stream = try JPEG2000CodecTests.openJPEGStream(width: 64, height: 48, components: 3, bits: 8, options: options)
            var errors = 0
            for cut in stride(from: 0, to: stream.count - 2, by: 7) {
                do { _ = try JPEG2000Decoder.decode(stream[0..<cut]) } catch { errors += 1 }
            }
            #expect(errors > 0)
        }
    }

    /// Tier-1 decodes a code-block's last segment where it lies in the block's bytes, reading up to
    /// `MQDecoder.padding` bytes past its end: after every packet's bytes are added, exactly that many bytes of 0xFF
    /// follow them, and the segment lengths are checked against the bytes without them.
    @Test func codeBlockBytesKeepTheDecoderPaddingAfterEveryPacket() {
        var block = J2KCodeBlock(x0: 0, y0: 0, x1: 4, y1: 4)
        #expect(block.data.isEmpty && block.byteCount == 0)
        let padding = [UInt8](repeating: 0xFF, count: MQDecoder.padding)
        block.append([0x12, 0x34, 0xFF][...])
        #expect(block.data == [0x12, 0x34, 0xFF] + padding && block.byteCount == 3)
        block.append([][...])
        #expect(block.data == [0x12, 0x34, 0xFF] + padding && block.byteCount == 3)
        block.append([0x56][...])
        #expect(block.data == [0x12, 0x34, 0xFF, 0x56] + padding && block.byteCount == 4)
    }

    /// Flipped bytes anywhere in the stream give a DicomError or some image, never a crash.
    @Test func corruptedStreamsFailCleanly() throws {
        let stream = try JPEG2000CodecTests.openJPEGStream(width: 64, height: 48, components: 3, bits: 12, options: ["-r", "8,1", "-c", "[32,32]"])
        var rng = SplitMix(state: 7)
        for _ in 0..<400 {
            var bad = stream
            for _ in 0..<3 { bad[Int(rng.next() % UInt64(bad.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? JPEG2000Decoder.decode(bad[...])
        }
    }

    /// SIZ claiming 65535 x 65535 one-pixel tiles, or a 4-gigapixel image, is rejected before anything is allocated.
    /// A data set's Rows, Columns and Samples per Pixel are checked against SIZ before decoding: a codestream that
    /// claims a far larger image than its data set (64M samples here, for a 16x16 frame) is refused from its header.
    @Test func aCodestreamLargerThanItsDataSetIsRefusedFromItsHeader() throws {
        let stream = try JPEG2000CodecTests.openJPEGStream(width: 16, height: 16, components: 1, bits: 8, options: ["-n", "2"])
        var large = stream
        // SIZ body starts at 6: Rsiz(2), Xsiz at 8, Ysiz 12, XOsiz 16, YOsiz 20, XTsiz 24, YTsiz 28.
        for (offset, v) in [(8, UInt32(8192)), (12, 8192), (24, 8192), (28, 8192)] {
            for b in 0..<4 { large[offset + b] = UInt8(truncatingIfNeeded: v >> (24 - 8 * b)) }
        }
        let d = ImageDescriptor(rows: 16, columns: 16, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, isSigned: false,
                                photometricInterpretation: "MONOCHROME2")
        var out = [UInt8](repeating: 0, count: d.decodedFrameLength)
        do {
            _ = try out.withUnsafeMutableBytes { try JPEG2000Codec().decode(large[...], descriptor: d, into: $0) }
            Issue.record("an 8192x8192 codestream decoded into a 16x16 frame")
        } catch {
            #expect(String(describing: error).contains("component 0 is 8192x8192, the data set says 16x16"), "\(error)")
        }
        // Without the data set's sizes the same codestream is decoded far enough to fail otherwise (or not at all).
        do {
            _ = try JPEG2000Decoder.decode(large[...])
        } catch {
            #expect(!error.description.contains("the data set says"), "\(error)")
        }
        #expect(throws: DicomError.self) { _ = try JPEG2000Decoder.decode(stream[...], expecting: (16, 16, 3)) }
        #expect(throws: DicomError.self) { _ = try JPEG2000Decoder.decode(stream[...], level: 1, expecting: (16, 16, 1)) }
        #expect(try JPEG2000Decoder.decode(stream[...], level: 1, expecting: (8, 8, 1)).widths == [8])
        #expect(try JPEG2000Decoder.decode(stream[...], expecting: (16, 16, 1)).planes[0].count == 256)
    }

    @Test func absurdHeadersAreRejectedBeforeAllocating() throws {
        let stream = try JPEG2000CodecTests.openJPEGStream(width: 16, height: 16, components: 1, bits: 8, options: ["-n", "2"])
        func patched(_ offset: Int, _ values: [UInt32]) -> [UInt8] {
            var s = stream
            for (k, v) in values.enumerated() { for b in 0..<4 { s[offset + 4 * k + b] = UInt8(truncatingIfNeeded: v >> (24 - 8 * b)) } }
            return s
        }
        // SIZ body starts at 6: Rsiz(2), Xsiz at 8, Ysiz 12, XOsiz 16, YOsiz 20, XTsiz 24, YTsiz 28.
        let cases = [patched(8, [60000, 60000]) + [], patched(8, [0xFFFF_FFF0, 0xFFFF_FFF0, 0, 0, 0xFFFF_FFF0, 0xFFFF_FFF0]),
                     patched(24, [1, 1]), patched(8, [70000, 70000, 0, 0, 70000, 70000])]
        for bad in cases {
            #expect(throws: DicomError.self) { _ = try JPEG2000Decoder.decode(bad[...]) }
        }
        // A COD with 1x1 precincts everywhere on a large image: refused by the precinct budget, not allocated.
        var siz = J2KSize()
        siz.width = 60000; siz.height = 60000; siz.tileWidth = 60000; siz.tileHeight = 60000
        siz.components = [J2KComponent(precision: 8, isSigned: false, dx: 1, dy: 1)]
        var style = J2KComponentStyle()
        style.levels = 1
        style.precincts = [(1, 1), (1, 1)]
        var budget = 1 << 22
        #expect(throws: DicomError.self) {
            _ = try J2KTileComponent(x0: 0, y0: 0, x1: 60000, y1: 60000, style: style,
                                     quantization: J2KQuantization(style: 0, guardBits: 1, steps: [(8, 0), (9, 0), (9, 0), (10, 0)]),
                                     precision: 8, roiShift: 0, budget: &budget)
        }
    }

    // MARK: Encoder

    /// Our lossless encodings decode exactly, by OpenJPEG and by us, for grey and RGB, 8–16 bits, signed and unsigned.
    @Test(arguments: [(1, 8, false, 64, 64), (1, 12, false, 97, 75), (1, 16, true, 33, 130), (3, 8, false, 70, 45), (1, 16, false, 256, 200), (1, 10, true, 5, 3)])
    func losslessEncodingDecodesExactly(_ c: Int, _ bits: Int, _ signed: Bool, _ w: Int, _ h: Int) throws {
        let synthetic = JPEG2000CodecTests.syntheticFrame(components: c, bits: bits, signed: signed, width: w, height: h, seed: 9)
        var frame = synthetic.frame
        let d = synthetic.descriptor, raw = synthetic.planar
        let bytesPerSample = d.bytesPerSample
        let encoded = try frame.withUnsafeBytes { try JPEG2000Codec().encode($0, descriptor: d, transferSyntaxUID: JPEG2000Codec.losslessUID, options: .init()) }
        var back = [UInt8](repeating: 0, count: d.decodedFrameLength)
        _ = try back.withUnsafeMutableBytes { try JPEG2000Codec().decode(encoded.bytes[...], descriptor: d, into: $0) }
        if bits < bytesPerSample * 8 && signed {
            // Our decoder writes sign-extended samples; compare the stored bits only.
            for i in stride(from: 0, to: back.count, by: 2) { back[i + 1] &= UInt8((1 << (bits - 8)) - 1); frame[i + 1] &= UInt8((1 << (bits - 8)) - 1) }
        }
        #expect(back == frame)
        try JPEG2000CodecTests.expectMatchesOpenJPEG(encoded.bytes, tolerance: 0, "our encoding of \(c)x\(bits)")
        let dir = try JPEG2000CodecTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let theirs = try JPEG2000CodecTests.openJPEGPlanes(encoded.bytes, in: dir)
        for comp in 0..<c {
            for p in 0..<(w * h) {
                var v = Int32(raw[(comp * w * h + p) * bytesPerSample])
                if bytesPerSample == 2 { v |= Int32(raw[(comp * w * h + p) * bytesPerSample + 1]) << 8 }
                if signed { v = Int32(Int16(truncatingIfNeeded: v << (16 - bits)) >> (16 - bits)) }
                if theirs[comp][p] != v { Issue.record("OpenJPEG reads \(theirs[comp][p]) at \(p) of component \(comp), we wrote \(v)"); return }
            }
        }
    }
}
