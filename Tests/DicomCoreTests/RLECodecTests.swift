import Foundation
import Testing
@testable import DicomCore

/// RLE Lossless (PS3.5 Annex G): corpus files against their uncompressed twins, files made by DCMTK and GDCM,
/// our encodings read back by DCMTK and GDCM, synthetic round trips, and hostile input.
/// DCMTK and GDCM come from `Scripts/install-test-deps.sh`; a missing tool fails the test.
@Suite struct RLECodecTests {
    static let rle = TransferSyntax(uid: RLECodec.transferSyntaxUID)

    // MARK: Helpers

    /// Every frame of `path`, decoded.
    static func frames(_ path: String) throws -> [DecodedFrame] {
        let file = try DicomFile.read(contentsOf: path)
        return try (0..<file.dataSet.numberOfFrames).map { try file.decodedFrame($0) }
    }

    /// Runs an external tool; throws (and records why) when it is missing or fails.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let exe = dirs.map({ "\($0)/\(tool)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("\(tool) not found on PATH: install DCMTK and GDCM with Scripts/install-test-deps.sh")
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

    struct ToolError: Error { var message: String }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rle-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Expects two files to hold the same decoded pixels, frame by frame.
    static func expectSamePixels(_ path: String, _ reference: String, photometric: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try frames(path), theirs = try frames(reference)
        #expect(ours.count == theirs.count, "\(path): \(ours.count) frames, \(reference): \(theirs.count)", sourceLocation: sourceLocation)
        for (i, (a, b)) in zip(ours, theirs).enumerated() {
            let difference = firstDifference(a.bytes, b.bytes)
            #expect(difference == nil, "frame \(i + 1) of \(path) differs from \(reference): \(difference ?? "")", sourceLocation: sourceLocation)
            if photometric {
                #expect(a.descriptor.photometricInterpretation == b.descriptor.photometricInterpretation, sourceLocation: sourceLocation)
            }
        }
    }

    /// Where two byte arrays first differ, briefly; nil when equal.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        if a == b { return nil }
        guard a.count == b.count else { return "\(a.count) bytes against \(b.count)" }
        let i = a.indices.first { a[$0] != b[$0] } ?? 0
        let count = zip(a, b).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
        return "\(count) of \(a.count) bytes differ, first at \(i): \(a[i..<min(i + 8, a.count)]) against \(b[i..<min(i + 8, b.count)])"
    }

    /// `file` with its pixels encoded by our codec, as RLE Lossless with one fragment per frame and a Basic Offset Table.
    static func encodedWithOurCodec(_ file: DicomFile) throws -> DicomFile {
        let descriptor = try ImageDescriptor(file.dataSet)
        var fragments: [ArraySlice<UInt8>] = []
        var table: [UInt32] = []
        var offset: UInt32 = 0
        var changes = DataSet()
        for i in 0..<descriptor.numberOfFrames {
            let frame = try file.decodedFrame(i)
            let encoded = try encode(frame.bytes, descriptor)
            table.append(offset)
            offset += 8 + UInt32(encoded.bytes.count)
            fragments.append(encoded.bytes[...])
            changes = encoded.attributeChanges
        }
        var out = file
        for e in changes { out.dataSet.set(e) }
        out.dataSet.set(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(EncapsulatedPixelData(basicOffsetTable: table, fragments: fragments)),
                                    hasUndefinedLength: true))
        out.transferSyntax = rle
        return out
    }

    /// A native Secondary Capture file holding `pixels` (all frames) as described.
    static func syntheticFile(_ d: ImageDescriptor, pixels: [UInt8]) throws -> DicomFile {
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.7", for: .sopClassUID, vr: .UI)
        try ds.setString("2.25.\(UInt64.random(in: 1...UInt64.max))", for: .sopInstanceUID, vr: .UI)
        try ds.setInt(d.samplesPerPixel, for: .samplesPerPixel)
        try ds.setString(d.photometricInterpretation, for: .photometricInterpretation)
        if d.samplesPerPixel > 1 { try ds.setInt(0, for: .planarConfiguration) }
        if d.numberOfFrames > 1 { try ds.setString(String(d.numberOfFrames), for: .numberOfFrames, vr: .IS) }
        try ds.setInt(d.rows, for: .rows)
        try ds.setInt(d.columns, for: .columns)
        try ds.setInt(d.bitsAllocated, for: .bitsAllocated)
        try ds.setInt(d.bitsStored, for: .bitsStored)
        try ds.setInt(d.highBit, for: .highBit)
        try ds.setInt(d.isSigned ? 1 : 0, for: .pixelRepresentation)
        ds.set(DataElement(tag: .pixelData, vr: d.bitsAllocated > 8 ? .OW : .OB, bytes: pixels))
        return DicomFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian)
    }

    /// Random pixels with runs in them, so both literal and replicate runs occur.
    static func runnyBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix(state: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let value = UInt8(truncatingIfNeeded: rng.next())
            let run = rng.next() % 3 == 0 ? Int(rng.next() % 200) + 1 : 1
            out.append(contentsOf: repeatElement(value, count: min(run, count - out.count)))
        }
        return out
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

    static func decode(_ encoded: [UInt8], _ d: ImageDescriptor) throws(DicomError) -> [UInt8] {
        try decodeWithPhotometric(encoded, d).bytes
    }

    static func decodeWithPhotometric(_ encoded: [UInt8], _ d: ImageDescriptor) throws(DicomError) -> (bytes: [UInt8], photometric: String) {
        var out = [UInt8](repeating: 0, count: d.decodedFrameLength)
        let result = out.withUnsafeMutableBytes { buffer in
            Result { () throws(DicomError) -> String in try RLECodec().decode(encoded[...], descriptor: d, into: buffer) }
        }
        let photometric = try result.get()
        return (out, photometric)
    }

    static func encode(_ pixels: [UInt8], _ d: ImageDescriptor, syntax: String = RLECodec.transferSyntaxUID) throws(DicomError) -> EncodedFrame {
        let result = pixels.withUnsafeBytes { raw in
            Result { () throws(DicomError) -> EncodedFrame in
                try RLECodec().encode(raw, descriptor: d, transferSyntaxUID: syntax, options: EncodeOptions())
            }
        }
        return try result.get()
    }

    // MARK: Corpus

    @Test func standardRegistryDecodesRLE() {
        #expect(CodecRegistry.standard.codec(for: "1.2.840.10008.1.2.5") is RLECodec)
    }

    @Test func mrSmallRLEEqualsItsUncompressedTwin() throws {
        try Self.expectSamePixels(TestCorpus.path("MR_small_RLE.dcm"), TestCorpus.path("MR_small.dcm"))
    }

    @Test func rtdoseRLEEqualsItsUncompressedTwinInEveryFrame() throws {
        let frames = try Self.frames(TestCorpus.path("rtdose_rle.dcm"))
        #expect(frames.count == 15)
        try Self.expectSamePixels(TestCorpus.path("rtdose_rle.dcm"), TestCorpus.path("rtdose.dcm"))
        try Self.expectSamePixels(TestCorpus.path("rtdose_rle_1frame.dcm"), TestCorpus.path("rtdose_1frame.dcm"))
    }

    /// The corpus has no uncompressed twins of these, so DCMTK's decoding is the reference, and GDCM's a second one for
    /// 8 bits: GDCM 3.0 swaps the bytes of 16- and 32-bit colour RLE and cannot write the two-frame ones.
    @Test(arguments: ["SC_rgb_rle.dcm", "SC_rgb_rle_2frame.dcm", "SC_rgb_rle_16bit.dcm", "SC_rgb_rle_16bit_2frame.dcm",
                      "SC_rgb_rle_32bit.dcm", "SC_rgb_rle_32bit_2frame.dcm"])
    func colourRLEFilesEqualDCMTKAndGDCMDecoding(_ name: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["RLE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = TestCorpus.path(name)
        try Self.run("dcmdrle", [path, dir + "/dcmtk.dcm"])
        try Self.expectSamePixels(path, dir + "/dcmtk.dcm")
        if !name.contains("bit") {
            try Self.run("gdcmconv", ["--raw", path, dir + "/gdcm.dcm"])
            try Self.expectSamePixels(path, dir + "/gdcm.dcm")
        }
        let frames = try Self.frames(path)
        #expect(frames.count == (name.contains("2frame") ? 2 : 1))
        #expect(frames.allSatisfy { $0.descriptor.photometricInterpretation == "RGB" })
        // The first row of these images is red: the most significant byte of R leads, so R is all ones.
        let first = try #require(frames.first)
        let b = first.descriptor.bytesPerSample
        var red = [UInt8](repeating: 0, count: 3 * b)
        for k in 0..<b { red[k] = 0xFF }
        #expect(Array(first.bytes.prefix(3 * b)) == red)
    }

    @Test(arguments: ["CT_small.dcm", "MR_small.dcm", "rtdose.dcm"])
    func filesEncodedByDCMTKAndGDCMDecodeExactly(_ name: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["RLE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = TestCorpus.path(name)
        try Self.run("dcmcrle", [path, dir + "/dcmtk.dcm"])
        try Self.run("gdcmconv", ["--rle", path, dir + "/gdcm.dcm"])
        for encoded in [dir + "/dcmtk.dcm", dir + "/gdcm.dcm"] {
            #expect(try DicomFile.read(contentsOf: encoded).transferSyntax.uid == RLECodec.transferSyntaxUID)
            try Self.expectSamePixels(encoded, path)
        }
    }

    @Test func colourFilesEncodedByDCMTKAndGDCMDecodeExactly() throws {
        let dir = try Self.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["RLE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        // GDCM 3.0.21 fails to write multi-frame colour RLE of more than 8 bits, so it gets the single-frame files.
        for name in ["SC_rgb_rle_2frame.dcm", "SC_rgb_rle_16bit.dcm", "SC_rgb_rle_32bit.dcm", "SC_rgb_rle_16bit_2frame.dcm", "SC_rgb_rle_32bit_2frame.dcm"] {
            try Self.run("dcmdrle", [TestCorpus.path(name), dir + "/raw.dcm"])
            try Self.run("dcmcrle", [dir + "/raw.dcm", dir + "/dcmtk.dcm"])
            try Self.expectSamePixels(dir + "/dcmtk.dcm", dir + "/raw.dcm")
            if !name.contains("bit_2frame") {
                try Self.run("gdcmconv", ["--rle", dir + "/raw.dcm", dir + "/gdcm.dcm"])
                try Self.expectSamePixels(dir + "/gdcm.dcm", dir + "/raw.dcm")
            }
        }
    }

    // MARK: Our encoder, read by others

    @Test func ourEncodingsDecodeExactlyWithDCMTKAndGDCM() throws {
        let dir = try Self.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["RLE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        // GDCM 3.0.21 swaps the bytes of colour RLE wider than 8 bits and fails to write some multi-frame RLE wider than
        // 16 bits (DCMTK's encodings too), so it reads only the cases marked; DCMTK reads all.
        var sources: [(label: String, file: DicomFile, gdcm: Bool)] = []
        for name in ["CT_small.dcm", "MR_small.dcm", "rtdose.dcm"] {
            sources.append((name, try DicomFile.read(contentsOf: TestCorpus.path(name)), true))
        }
        try Self.run("dcmdrle", [TestCorpus.path("SC_rgb_rle_32bit_2frame.dcm"), dir + "/rgb32.dcm"])
        sources.append(("SC_rgb_rle_32bit_2frame.dcm decoded", try DicomFile.read(contentsOf: dir + "/rgb32.dcm"), false))
        for (bits, samples) in [(8, 1), (8, 3), (16, 1), (16, 3), (32, 1), (32, 3)] {
            let d = ImageDescriptor(rows: 7, columns: 301, samplesPerPixel: samples, bitsAllocated: bits,
                                    photometricInterpretation: samples == 3 ? "RGB" : "MONOCHROME2", numberOfFrames: 2)
            let pixels = Self.runnyBytes(d.decodedFrameLength * 2, seed: UInt64(bits * 10 + samples))
            sources.append(("synthetic \(bits)-bit \(samples)-sample", try Self.syntheticFile(d, pixels: pixels), bits == 8 || (bits == 16 && samples == 1)))
        }
        for (i, source) in sources.enumerated() {
            let ours = dir + "/ours\(i).dcm", native = dir + "/native\(i).dcm"
            try Self.encodedWithOurCodec(source.file).write(to: ours)
            try Self.write(source.file, to: native)
            try Self.run("dcmdrle", [ours, dir + "/dcmtk\(i).dcm"])
            try Self.expectSamePixels(dir + "/dcmtk\(i).dcm", native, photometric: false)
            if source.gdcm {
                try Self.run("gdcmconv", ["--raw", ours, dir + "/gdcm\(i).dcm"])
                try Self.expectSamePixels(dir + "/gdcm\(i).dcm", native, photometric: false)
            }
            try Self.expectSamePixels(ours, native)
        }
    }

    /// Writes a native file as Explicit VR Little Endian.
    static func write(_ file: DicomFile, to path: String) throws {
        var f = file
        f.transferSyntax = .explicitVRLittleEndian
        try f.write(to: path)
    }

    // MARK: Round trips

    @Test(arguments: [8, 16, 32, 64], [1, 3])
    func syntheticFramesRoundTrip(bits: Int, samples: Int) throws {
        for (rows, columns) in [(1, 1), (3, 5), (4097, 3), (3, 4097), (2, 300)] {
            let d = ImageDescriptor(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: bits,
                                    photometricInterpretation: samples == 3 ? "YBR_FULL" : "MONOCHROME2")
            let pixels = Self.runnyBytes(d.decodedFrameLength, seed: UInt64(rows * 31 + columns + bits))
            if samples * bits / 8 > 15 {
                #expect(throws: DicomError(.invalidPixelData)) { try Self.encode(pixels, d) }
                continue
            }
            let encoded = try Self.encode(pixels, d)
            #expect(encoded.bytes.count % 2 == 0)
            let decoded = try Self.decodeWithPhotometric(encoded.bytes, d)
            #expect(decoded.bytes == pixels, "\(rows)x\(columns) \(bits)-bit \(samples) samples")
            #expect(decoded.photometric == d.photometricInterpretation)   // YBR_FULL stays YBR_FULL
            if samples == 3 {
                #expect(encoded.attributeChanges.int(.planarConfiguration) == 0)
            }
        }
    }

    @Test func runsOfEveryLengthUpTo300RoundTrip() throws {
        // One row per length: a run of that length between different bytes, then a literal stretch of that length.
        for length in 1...300 {
            var row: [UInt8] = [1]
            row += repeatElement(7, count: length)
            row += (0..<length).map { UInt8(truncatingIfNeeded: $0 * 3 + 11) }
            row.append(2)
            let d = ImageDescriptor(rows: 1, columns: row.count, bitsAllocated: 8)
            let encoded = try Self.encode(row, d)
            #expect(try Self.decode(encoded.bytes, d) == row, "run length \(length)")
            // No header byte announces more than 128 bytes: replicate headers are at most -127, never the -128 no-op.
            #expect(!encoded.bytes[64...].contains(0x80) || row.contains(0x80))
        }
    }

    @Test func encoderNeverCrossesRows() throws {
        // A column of equal bytes across rows must not become one run: each row is its own run (PS3.5 §G.3.1).
        let d = ImageDescriptor(rows: 4, columns: 10, bitsAllocated: 8)
        let encoded = try Self.encode([UInt8](repeating: 9, count: 40), d)
        #expect(Array(encoded.bytes[64...]) == [0xF7, 9, 0xF7, 9, 0xF7, 9, 0xF7, 9])
    }

    // MARK: Decoder details

    /// A one-segment frame: header then `segment`.
    static func frame(_ segments: [[UInt8]]) -> [UInt8] {
        RLEHeader.encode(segmentLengths: segments.map(\.count)) + segments.flatMap { $0 }
    }

    @Test func noOpHeaderIsSkipped() throws {
        let d = ImageDescriptor(rows: 1, columns: 3, bitsAllocated: 8)
        #expect(try Self.decode(Self.frame([[0x80, 0x00, 5, 0x80, 0xFF, 6]]), d) == [5, 6, 6])
    }

    @Test func segmentDecodingToMoreThanAPlaneIsTruncated() throws {
        let d = ImageDescriptor(rows: 1, columns: 2, bitsAllocated: 8)
        #expect(try Self.decode(Self.frame([[0xFC, 4]]), d) == [4, 4])          // five bytes for a plane of two
        #expect(try Self.decode(Self.frame([[0x01, 1, 2, 0x00]]), d) == [1, 2])   // trailing padding byte
    }

    @Test func runsSpanningRowsAndLongPlanesDecodeInFull() throws {
        // Other encoders may let runs cross rows; here every run crosses rows and the decoder's internal windows, in
        // both planes of a 16-bit frame, with replicate runs of 127 bytes and literal runs of 1 to 128 bytes.
        let d = ImageDescriptor(rows: 7, columns: 1001, bitsAllocated: 16)
        let pixels = d.pixelCount
        var high: [UInt8] = [], low: [UInt8] = []
        var highSegment: [UInt8] = [], lowSegment: [UInt8] = []
        var value: UInt8 = 0
        while high.count < pixels {
            value &+= 37
            highSegment += [UInt8(bitPattern: -126), value]
            high += repeatElement(value, count: 127)
        }
        var length = 1
        while low.count < pixels {
            let literal = (0..<length).map { UInt8(truncatingIfNeeded: low.count + $0 * 7) }
            lowSegment += [UInt8(length - 1)] + literal
            low += literal
            length = length % 128 + 1
        }
        let decoded = try Self.decode(Self.frame([highSegment, lowSegment]), d)
        let expected = (0..<pixels).flatMap { [low[$0], high[$0]] }
        #expect(decoded == expected)
    }

    @Test func sixteenBitSegmentsAreMostSignificantByteFirst() throws {
        let d = ImageDescriptor(rows: 1, columns: 2, bitsAllocated: 16)
        // High bytes 0x12, 0x34; low bytes 0x56, 0x78 -> samples 0x1256, 0x3478, little endian.
        #expect(try Self.decode(Self.frame([[0x01, 0x12, 0x34, 0], [0x01, 0x56, 0x78, 0]]), d) == [0x56, 0x12, 0x78, 0x34])
    }

    @Test func colourSegmentsAreInterleavedByPixel() throws {
        let d = ImageDescriptor(rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, photometricInterpretation: "RGB")
        let out = try Self.decode(Self.frame([[0x01, 1, 2, 0], [0x01, 10, 20, 0], [0x01, 100, 200, 0]]), d)
        #expect(out == [1, 10, 100, 2, 20, 200])
    }

    // MARK: Hostile input

    @Test func wrongSegmentCountsAreRejected() throws {
        let d = ImageDescriptor(rows: 1, columns: 2, bitsAllocated: 16)
        let good = Self.frame([[0xFF, 1], [0xFF, 2]])
        for count: UInt8 in [0, 1, 3, 15, 16, 255] {
            var bad = good
            bad[0] = count
            #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(bad, d) }
        }
        var huge = good
        huge[3] = 0x80
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(huge, d) }
    }

    @Test func badSegmentOffsetsAreRejected() throws {
        let d = ImageDescriptor(rows: 1, columns: 2, bitsAllocated: 16)
        let good = Self.frame([[0xFF, 1], [0xFF, 2]])
        #expect(try Self.decode(good, d) == [2, 1, 2, 1])
        func with(_ index: Int, _ value: UInt32) -> [UInt8] {
            var f = good
            for k in 0..<4 { f[4 * index + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            return f
        }
        for bad in [with(1, 0), with(1, 62), with(1, 66), with(2, 64), with(2, 60), with(2, 68), with(2, 0xFFFF_FFFF), with(1, 0xFFFF_FFFF)] {
            #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(bad, d) }
        }
    }

    @Test func everyTruncationFailsCleanly() throws {
        let d = ImageDescriptor(rows: 3, columns: 5, samplesPerPixel: 3, bitsAllocated: 16, photometricInterpretation: "RGB")
        let pixels = Self.runnyBytes(d.decodedFrameLength, seed: 42)
        let encoded = try Self.encode(pixels, d).bytes
        for length in 0..<encoded.count {
            do {
                let out = try Self.decode(Array(encoded[..<length]), d)
                // Only cutting a last segment's padding byte leaves the frame whole.
                #expect(out == pixels && length == encoded.count - 1 && encoded.last == 0, "prefix of \(length) bytes decoded")
            } catch {
                #expect(error.code == .invalidPixelData)
            }
        }
    }

    @Test func segmentOverrunsAreRejected() throws {
        let d = ImageDescriptor(rows: 1, columns: 4, bitsAllocated: 8)
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0x05, 1, 2]]), d) }   // literal of 6, 2 given
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0x01, 1, 2, 0xFE]]), d) } // replicate without its byte
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0xFF, 1]]), d) }   // two bytes of four
        // A short first segment of two may not borrow bytes from the next.
        let d16 = ImageDescriptor(rows: 1, columns: 4, bitsAllocated: 16)
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0x03, 1, 2], [0xFD, 9]]), d16) }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let d = ImageDescriptor(rows: 4, columns: 6, samplesPerPixel: 3, bitsAllocated: 8, photometricInterpretation: "RGB")
        let encoded = try Self.encode(Self.runnyBytes(d.decodedFrameLength, seed: 7), d).bytes
        for i in encoded.indices {
            for value: UInt8 in [0x00, 0x7F, 0x80, 0x81, 0xFF] {
                var bad = encoded
                bad[i] = value
                do { _ = try Self.decode(bad, d) } catch { #expect(error.code == .invalidPixelData) }
            }
        }
    }

    @Test func unsupportedLayoutsAreRejected() throws {
        let oneBit = ImageDescriptor(rows: 1, columns: 8, bitsAllocated: 1)
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0x07, 1, 0, 1, 0, 1, 0, 1, 0]]), oneBit) }
        let wide = ImageDescriptor(rows: 1, columns: 1, samplesPerPixel: 3, bitsAllocated: 64)
        #expect(throws: DicomError(.invalidPixelData)) { try Self.decode(Self.frame([[0, 0]]), wide) }
        #expect(throws: DicomError(.unsupportedTransferSyntax)) {
            try Self.encode([0], ImageDescriptor(rows: 1, columns: 1, bitsAllocated: 8), syntax: "1.2.840.10008.1.2.4.50")
        }
    }
}
