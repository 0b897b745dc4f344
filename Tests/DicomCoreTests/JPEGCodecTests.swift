import Foundation
import Testing
@testable import DicomCore

/// Runs DCMTK and GDCM as independent decoders and encoders. A missing tool fails the test that needs it.
enum JPEGOracle {
    static let searchPath = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]

    static func tool(_ name: String) -> String? {
        for dir in searchPath where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        Issue.record("\(name) is not installed: it is the oracle for this test (apt-get install dcmtk libgdcm-tools)")
        return nil
    }

    /// Runs `name` with `arguments`; records a failure and returns false when it cannot run or fails.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) -> Bool {
        guard let path = tool(name) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            Issue.record("\(name) did not start: \(error)")
            return false
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Issue.record("\(name) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(message)")
            return false
        }
        return true
    }

    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-\(UUID().uuidString)-\(suffix)").path
    }

    /// The file at `path` after `tool` converts it (`dcmdjpeg IN OUT`, `gdcmconv --raw IN OUT`, `dcmcjpeg +e1 IN OUT`…).
    static func convert(_ path: String, with tool: String, _ options: [String]) throws -> DicomFile? {
        let out = temporaryPath("out.dcm")
        defer { try? FileManager.default.removeItem(atPath: out) }
        guard run(tool, options + [path, out]) else { return nil }
        return try DicomFile.read(contentsOf: out)
    }
}

/// Decoded samples as integers, whatever the sample width.
func sampleValues(_ frame: DecodedFrame) -> [Int] {
    if frame.descriptor.bytesPerSample == 1 { return frame.bytes.map(Int.init) }
    return stride(from: 0, to: frame.bytes.count - 1, by: 2).map { Int(frame.bytes[$0]) | Int(frame.bytes[$0 + 1]) << 8 }
}

/// How many samples differ in their low Bits Stored bits.
func storedBitsMismatches(_ a: [UInt8], _ b: [UInt8], _ d: ImageDescriptor) -> Int {
    guard a.count == b.count else { return max(a.count, b.count) }
    let mask = (1 << d.bitsStored) - 1
    var count = 0
    for i in stride(from: 0, to: a.count, by: d.bytesPerSample) {
        var x = 0, y = 0
        for k in 0..<d.bytesPerSample { x |= Int(a[i + k]) << (8 * k); y |= Int(b[i + k]) << (8 * k) }
        if x & mask != y & mask { count += 1 }
    }
    return count
}

func maximumDifference(_ a: [Int], _ b: [Int]) -> Int {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite struct JPEGCodecTests {
    static let lossyFiles = [
        "JPEG-lossy.dcm", "JPGExtended.dcm", "SC_jpeg_no_color_transform.dcm", "SC_jpeg_no_color_transform_2.dcm",
        "SC_rgb_dcmtk_+eb+cr.dcm", "SC_rgb_dcmtk_+eb+cy+n1.dcm", "SC_rgb_dcmtk_+eb+cy+n2.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm",
        "SC_rgb_dcmtk_+eb+cy+s2.dcm", "SC_rgb_dcmtk_+eb+cy+s4.dcm", "SC_rgb_jpeg_app14_dcmd.dcm", "SC_rgb_jpeg_dcmtk.dcm",
        "SC_rgb_jpeg_lossy_gdcm.dcm", "SC_rgb_small_odd_jpeg.dcm", "examples_ybr_color.dcm",
    ]

    @Test(arguments: lossyFiles)
    func lossyCorpusFileDecodesWithinOneOfDcmdjpeg(_ name: String) throws {
        let path = TestCorpus.path(name)
        let file = try DicomFile.read(contentsOf: path)
        guard let reference = try JPEGOracle.convert(path, with: "dcmdjpeg", []) else { return }
        let frames = file.dataSet.numberOfFrames
        for i in 0..<frames {
            let ours = try file.decodedFrame(i)
            let theirs = try reference.decodedFrame(i)
            #expect(ours.descriptor.photometricInterpretation == theirs.descriptor.photometricInterpretation, "\(name) frame \(i)")
            #expect(ours.bytes.count == theirs.bytes.count)
            let difference = maximumDifference(sampleValues(ours), sampleValues(theirs))
            #expect(difference <= 1, "\(name) frame \(i): samples differ by up to \(difference)")
        }
    }

    @Test(arguments: ["SC_rgb_jpeg_gdcm.dcm"])
    func losslessCorpusFileEqualsDcmdjpegAndGdcm(_ name: String) throws {
        let path = TestCorpus.path(name)
        let ours = try DicomFile.read(contentsOf: path).decodedFrame(0)
        if let dcmtk = try JPEGOracle.convert(path, with: "dcmdjpeg", []) {
            #expect(ours.bytes.elementsEqual(try dcmtk.decodedFrame(0).bytes))
        }
        if let gdcm = try JPEGOracle.convert(path, with: "gdcmconv", ["--raw"]) {
            #expect(ours.bytes.elementsEqual(try gdcm.decodedFrame(0).bytes))
        }
    }

    /// Uncompressed corpus files compressed by DCMTK and GDCM, with every lossless option they offer.
    static let crossEncodings: [(String, String, [String])] = {
        var cases: [(String, String, [String])] = []
        for name in ["CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm", "examples_rgb_color.dcm"] {
            cases.append((name, "dcmcjpeg", ["+e1"]))
            for sv in 1...7 { cases.append((name, "dcmcjpeg", ["+el", "+sv", "\(sv)"])) }
            cases.append((name, "dcmcjpeg", ["+el", "+sv", "6", "+pt", "2"]))
            cases.append((name, "gdcmconv", ["--jpeg"]))
        }
        return cases
    }()

    @Test(arguments: crossEncodings)
    func losslessStreamsFromOtherEncodersDecodeExactly(_ name: String, _ tool: String, _ options: [String]) throws {
        let path = TestCorpus.path(name)
        let original = try DicomFile.read(contentsOf: path)
        guard let compressed = try JPEGOracle.convert(path, with: tool, options) else { return }
        #expect(compressed.transferSyntax.uid.hasPrefix("1.2.840.10008.1.2.4.57") || compressed.transferSyntax.uid == "1.2.840.10008.1.2.4.70",
                "\(tool) wrote \(compressed.transferSyntax.uid)")
        // The point transform drops low bits: compare with the original shifted the same way (via DCMTK's own decode).
        var reference = original
        if options.contains("+pt") {
            let path = try compressedPath(compressed)
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let decoded = try JPEGOracle.convert(path, with: "dcmdjpeg", []) else { return }
            reference = decoded
        }
        for i in 0..<original.dataSet.numberOfFrames {
            let ours = try compressed.decodedFrame(i)
            let expected = try reference.decodedFrame(i)
            #expect(ours.bytes.elementsEqual(expected.bytes), "\(name) via \(tool) \(options) frame \(i)")
        }
    }

    private func compressedPath(_ file: DicomFile) throws -> String {
        let path = JPEGOracle.temporaryPath("in.dcm")
        try file.write(to: path)
        return path
    }
}

/// Synthetic images and the DICOM files around our encoded frames.
enum JPEGSynthetic {
    /// A deterministic image with edges, gradients and noise covering the whole range of `bitsStored`.
    static func image(_ d: ImageDescriptor, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var bytes: [UInt8] = []
        bytes.reserveCapacity(d.decodedFrameLength)
        let range = 1 << d.bitsStored
        for y in 0..<d.rows {
            for x in 0..<d.columns {
                for c in 0..<d.samplesPerPixel {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Int(state >> 33) % 7
                    var v: Int
                    switch (x / 3 + y / 2 + c) % 4 {
                    case 0: v = (x * 37 + y * 11 + c * 50) % range
                    case 1: v = range - 1
                    case 2: v = 0
                    default: v = Int(state >> 20) % range
                    }
                    v = (v + noise) % range
                    if d.isSigned && v >= range / 2 { v -= range }  // sign-extended, as native data holds it
                    for k in 0..<d.bytesPerSample { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
                }
            }
        }
        return bytes
    }

    static func descriptor(rows: Int, columns: Int, samples: Int = 1, bitsStored: Int, signed: Bool = false) -> ImageDescriptor {
        ImageDescriptor(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: bitsStored > 8 ? 16 : 8, bitsStored: bitsStored,
                        isSigned: signed, photometricInterpretation: samples == 3 ? "RGB" : "MONOCHROME2")
    }

    /// A Secondary Capture file holding `frames` encoded in syntax `uid`.
    static func file(_ d: ImageDescriptor, frames: [EncodedFrame], uid: String) throws -> DicomFile {
        var ds = DataSet()
        try ds.setString("1.2.840.10008.5.1.4.1.1.7", for: .sopClassUID, vr: .UI)
        try ds.setString("1.2.826.0.1.3680043.10.1.\(UInt32.random(in: 1...UInt32.max))", for: .sopInstanceUID, vr: .UI)
        try ds.setInt(d.samplesPerPixel, for: .samplesPerPixel)
        try ds.setString(d.photometricInterpretation, for: .photometricInterpretation, vr: .CS)
        if d.samplesPerPixel > 1 { try ds.setInt(0, for: .planarConfiguration) }
        try ds.setInt(d.rows, for: .rows)
        try ds.setInt(d.columns, for: .columns)
        try ds.setInt(d.bitsAllocated, for: .bitsAllocated)
        try ds.setInt(d.bitsStored, for: .bitsStored)
        try ds.setInt(d.bitsStored - 1, for: .highBit)
        try ds.setInt(d.isSigned ? 1 : 0, for: .pixelRepresentation)
        if frames.count > 1 { try ds.setString("\(frames.count)", for: .numberOfFrames, vr: .IS) }
        for frame in frames { for element in frame.attributeChanges { ds.set(element) } }
        let pixels = EncapsulatedPixelData(fragments: frames.map { $0.bytes[...] })
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels), hasUndefinedLength: true))
        return DicomFile(dataSet: ds, transferSyntax: TransferSyntax(uid: uid))
    }

    static func decode(_ bytes: [UInt8], _ d: ImageDescriptor) throws(DicomError) -> (pixels: [UInt8], photometric: String) {
        var output = [UInt8](repeating: 0, count: d.decodedFrameLength)
        let result = output.withUnsafeMutableBytes { out in
            Result { () throws(DicomError) -> String in try JPEGCodec().decode(bytes[...], descriptor: d, into: out) }
        }
        return (output, try result.get())
    }

    static func encode(_ pixels: [UInt8], _ d: ImageDescriptor, uid: String, options: EncodeOptions = EncodeOptions()) throws(DicomError) -> EncodedFrame {
        let result = pixels.withUnsafeBytes { raw in
            Result { () throws(DicomError) -> EncodedFrame in try JPEGCodec().encode(raw, descriptor: d, transferSyntaxUID: uid, options: options) }
        }
        return try result.get()
    }
}

@Suite struct JPEGLosslessEncodingTests {
    static let shapes: [(rows: Int, columns: Int)] = [(1, 1), (3, 5), (5, 3), (4097, 3), (64, 64)]

    @Test(arguments: [2, 8, 12, 16], [false, true])
    func ourLosslessStreamDecodesToTheSamePixels(_ bits: Int, _ signed: Bool) throws {
        for shape in Self.shapes {
            for samples in [1, 3] {
                let d = JPEGSynthetic.descriptor(rows: shape.rows, columns: shape.columns, samples: samples, bitsStored: bits, signed: signed)
                let pixels = JPEGSynthetic.image(d)
                for predictor in 1...7 {
                    let encoded = try JPEGSynthetic.encode(pixels, d, uid: JPEGCodec.losslessUID, options: EncodeOptions(predictor: predictor))
                    let decoded = try JPEGSynthetic.decode(encoded.bytes, d)
                    #expect(decoded.pixels.elementsEqual(pixels), "\(bits)-bit signed \(signed) \(shape) x\(samples) predictor \(predictor)")
                }
            }
        }
    }

    @Test(arguments: [(8, false, 1), (12, true, 1), (16, false, 3), (16, true, 1), (10, false, 3)])
    func ourLosslessStreamDecodesExactlyInDcmdjpegAndGdcm(_ bits: Int, _ signed: Bool, _ samples: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: 37, columns: 29, samples: samples, bitsStored: bits, signed: signed)
        let pixels = JPEGSynthetic.image(d, seed: 7)
        for (uid, predictor) in [(JPEGCodec.losslessSV1UID, 1), (JPEGCodec.losslessUID, 4), (JPEGCodec.losslessUID, 7)] {
            let encoded = try JPEGSynthetic.encode(pixels, d, uid: uid, options: EncodeOptions(predictor: predictor))
            let path = JPEGOracle.temporaryPath("ours.dcm")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try JPEGSynthetic.file(d, frames: [encoded], uid: uid).write(to: path)
            for (tool, options) in [("dcmdjpeg", [String]()), ("gdcmconv", ["--raw"])] {
                guard let reference = try JPEGOracle.convert(path, with: tool, options) else { continue }
                let theirs = Array(try #require(reference.dataSet[.pixelData]?.bytes).prefix(pixels.count))
                // DCMTK and GDCM leave the bits above Bits Stored as they come out of the codestream: compare stored bits.
                let mismatches = storedBitsMismatches(theirs, pixels, d)
                #expect(mismatches == 0, "\(tool) on \(bits)-bit signed \(signed) x\(samples) predictor \(predictor): \(mismatches) samples differ")
            }
        }
    }

    @Test func unsupportedPredictorIsRejected() {
        let d = JPEGSynthetic.descriptor(rows: 2, columns: 2, bitsStored: 8)
        #expect(throws: DicomError(.invalidPixelData)) {
            try JPEGSynthetic.encode([1, 2, 3, 4], d, uid: JPEGCodec.losslessUID, options: EncodeOptions(predictor: 0))
        }
    }
}

@Suite struct JPEGBaselineEncodingTests {
    /// A smooth image: gradients with a soft bump, as photographs and scans mostly are.
    static func smooth(_ d: ImageDescriptor) -> [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<d.rows {
            for x in 0..<d.columns {
                for c in 0..<d.samplesPerPixel {
                    let gx = x * 3 % 200, gy = y * 2 % 150
                    let bump = max(0, 40 - abs(x - d.columns / 2) - abs(y - d.rows / 2))
                    bytes.append(UInt8(min(255, [gx + 20, gy + 50, (gx + gy) / 2 + 30][c] + bump)))
                }
            }
        }
        return bytes
    }

    @Test(arguments: [(1, 1), (3, 5), (9, 17), (48, 64), (100, 3)], [1, 3])
    func baselineRoundTripStaysCloseToTheOriginal(_ shape: (Int, Int), _ samples: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: shape.0, columns: shape.1, samples: samples, bitsStored: 8)
        let pixels = Self.smooth(d)
        let encoded = try JPEGSynthetic.encode(pixels, d, uid: JPEGCodec.baselineUID, options: EncodeOptions(quality: 90))
        var stored = d
        stored.photometricInterpretation = try #require(encoded.attributeChanges.string(.photometricInterpretation))
        #expect(stored.photometricInterpretation == (samples == 3 ? "YBR_FULL_422" : "MONOCHROME2"))
        let decoded = try JPEGSynthetic.decode(encoded.bytes, stored)
        #expect(decoded.photometric == (samples == 3 ? "RGB" : "MONOCHROME2"))
        let errors = zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(errors.reduce(0, +)) / Double(errors.count)
        #expect(mean < 3, "mean error \(mean)")
        #expect((errors.max() ?? 0) <= 24, "largest error \(errors.max() ?? 0)")
    }

    @Test func baselineEncodingRecordsLossyCompression() throws {
        let d = JPEGSynthetic.descriptor(rows: 16, columns: 16, samples: 3, bitsStored: 8)
        let encoded = try JPEGSynthetic.encode(Self.smooth(d), d, uid: JPEGCodec.baselineUID)
        #expect(encoded.attributeChanges.string(Tag(0x0028, 0x2110)) == "01")
        #expect(encoded.attributeChanges.string(Tag(0x0028, 0x2114)) == "ISO_10918_1")
        #expect((encoded.attributeChanges.double(Tag(0x0028, 0x2112)) ?? 0) > 1)
        #expect(encoded.bytes.count % 2 == 0)
    }

    @Test(arguments: [1, 3], [25, 90, 100])
    func ourBaselineStreamDecodesInDcmdjpegWithinOne(_ samples: Int, _ quality: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: 45, columns: 61, samples: samples, bitsStored: 8)
        let encoded = try JPEGSynthetic.encode(Self.smooth(d), d, uid: JPEGCodec.baselineUID, options: EncodeOptions(quality: quality))
        let file = try JPEGSynthetic.file(d, frames: [encoded], uid: JPEGCodec.baselineUID)
        let ours = try file.decodedFrame(0)
        let path = JPEGOracle.temporaryPath("ours.dcm")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        guard let reference = try JPEGOracle.convert(path, with: "dcmdjpeg", []) else { return }
        let theirs = try reference.decodedFrame(0)
        #expect(theirs.descriptor.photometricInterpretation == ours.descriptor.photometricInterpretation)
        #expect(maximumDifference(sampleValues(ours), sampleValues(theirs)) <= 1)
    }

    @Test func onlyDecodingIsOfferedForExtendedJPEG() {
        let d = JPEGSynthetic.descriptor(rows: 2, columns: 2, bitsStored: 8)
        #expect(throws: DicomError(.unsupportedTransferSyntax)) { try JPEGSynthetic.encode([1, 2, 3, 4], d, uid: JPEGCodec.extendedUID) }
    }
}

@Suite struct JPEGStreamStructureTests {
    static func lossless(_ d: ImageDescriptor, _ pixels: [UInt8], predictor: Int = 1, restartInterval: Int = 0, separateScans: Bool = false) throws -> [UInt8] {
        var encoder = JPEGLosslessEncoder(descriptor: d, predictor: predictor)
        encoder.restartInterval = restartInterval
        encoder.separateScans = separateScans
        let result = pixels.withUnsafeBytes { raw in Result { () throws(DicomError) -> [UInt8] in try encoder.encode(raw) } }
        return try result.get()
    }

    @Test(arguments: [(0, true), (29, false), (58, true), (29 * 5, false), (7, false), (1, true)])
    func restartIntervalsAndSeparateScansDecodeExactly(_ interval: Int, _ separate: Bool) throws {
        for samples in [1, 3] {
            let d = JPEGSynthetic.descriptor(rows: 37, columns: 29, samples: samples, bitsStored: 12)
            let pixels = JPEGSynthetic.image(d, seed: 3)
            for predictor in [1, 4, 7] {
                let bytes = try Self.lossless(d, pixels, predictor: predictor, restartInterval: interval, separateScans: separate)
                #expect(try JPEGSynthetic.decode(bytes, d).pixels.elementsEqual(pixels), "interval \(interval) separate \(separate) x\(samples) predictor \(predictor)")
                // An independent decoder agrees, for restart intervals of whole lines (what libjpeg-based decoders support).
                guard interval % d.columns == 0 else { continue }
                let path = JPEGOracle.temporaryPath("rst.dcm")
                defer { try? FileManager.default.removeItem(atPath: path) }
                try JPEGSynthetic.file(d, frames: [EncodedFrame(bytes: bytes)], uid: JPEGCodec.losslessUID).write(to: path)
                if let reference = try JPEGOracle.convert(path, with: "dcmdjpeg", []) {
                    let theirs = Array(try #require(reference.dataSet[.pixelData]?.bytes))
                    #expect(storedBitsMismatches(theirs, pixels, d) == 0, "dcmdjpeg: interval \(interval) separate \(separate) x\(samples)")
                }
            }
        }
    }

    @Test func differenceOf32768UsesTheSixteenBitCategory() throws {
        let d = JPEGSynthetic.descriptor(rows: 3, columns: 6, bitsStored: 16)
        let values: [UInt16] = [0, 32768, 0, 32768, 65535, 32767, 32768, 0, 1, 32769, 0, 0, 65535, 32767, 0, 32768, 32768, 0]
        let pixels = values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for predictor in 1...7 {
            let bytes = try Self.lossless(d, pixels, predictor: predictor)
            #expect(try JPEGSynthetic.decode(bytes, d).pixels.elementsEqual(pixels), "predictor \(predictor)")
        }
        let bytes = try Self.lossless(d, pixels, predictor: 1)
        let path = JPEGOracle.temporaryPath("ssss16.dcm")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JPEGSynthetic.file(d, frames: [EncodedFrame(bytes: bytes)], uid: JPEGCodec.losslessSV1UID).write(to: path)
        if let reference = try JPEGOracle.convert(path, with: "dcmdjpeg", []) {
            #expect(Array(try #require(reference.dataSet[.pixelData]?.bytes)) == pixels)
        }
    }

    @Test(arguments: [2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 14, 15])
    func everyPrecisionRoundTrips(_ bits: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: 9, columns: 11, samples: 3, bitsStored: bits)
        let pixels = JPEGSynthetic.image(d, seed: UInt64(bits))
        for predictor in 1...7 {
            let encoded = try JPEGSynthetic.encode(pixels, d, uid: JPEGCodec.losslessUID, options: EncodeOptions(predictor: predictor))
            #expect(try JPEGSynthetic.decode(encoded.bytes, d).pixels.elementsEqual(pixels), "\(bits) bits predictor \(predictor)")
        }
    }

    /// A small lossless stream and a small baseline stream to take apart.
    static func streams() throws -> [(bytes: [UInt8], descriptor: ImageDescriptor)] {
        let d = JPEGSynthetic.descriptor(rows: 6, columns: 7, samples: 3, bitsStored: 16)
        let lossless = try lossless(d, JPEGSynthetic.image(d), predictor: 5, restartInterval: 7)
        var b = JPEGSynthetic.descriptor(rows: 10, columns: 19, samples: 3, bitsStored: 8)
        let baseline = try JPEGSynthetic.encode(JPEGBaselineEncodingTests.smooth(b), b, uid: JPEGCodec.baselineUID).bytes
        b.photometricInterpretation = "YBR_FULL_422"
        return [(lossless, d), (baseline, b)]
    }

    @Test func everyPrefixOfAStreamFailsCleanlyOrDecodes() throws {
        for (bytes, d) in try Self.streams() {
            let full = try JPEGSynthetic.decode(bytes, d).pixels
            for length in 0..<bytes.count {
                do {
                    let decoded = try JPEGSynthetic.decode(Array(bytes.prefix(length)), d)
                    // Only a stream whose scan data is complete may decode: then it decodes right.
                    #expect(decoded.pixels == full, "prefix of \(length) bytes decoded differently")
                } catch {
                    #expect(error.code == .invalidPixelData, "prefix of \(length) bytes: \(error)")
                }
            }
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        for (bytes, d) in try Self.streams() {
            for i in 0..<bytes.count {
                for value: UInt8 in [0x00, 0xFF, 0xD9, 0xDA, 0xC4, bytes[i] ^ 0x55] {
                    var corrupt = bytes
                    corrupt[i] = value
                    _ = try? JPEGSynthetic.decode(corrupt, d)
                }
            }
        }
    }

    @Test func markerSoupGivesATypedError() {
        var state: UInt64 = 42
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let d = JPEGSynthetic.descriptor(rows: 8, columns: 8, bitsStored: 8)
        let markers: [UInt8] = [0xC0, 0xC1, 0xC3, 0xC4, 0xDB, 0xDD, 0xDA, 0xD9, 0xE0, 0xEE, 0xFE, 0xD0, 0x01, 0xFF, 0x00]
        for _ in 0..<2000 {
            var bytes: [UInt8] = [0xFF, 0xD8]
            for _ in 0..<Int(next() % 12) {
                bytes += [0xFF, markers[Int(next()) % markers.count]]
                let length = Int(next() % 24)
                bytes += [0, UInt8(length)]
                for _ in 0..<max(0, length - 2) { bytes.append(next() % 4 == 0 ? 0xFF : next()) }
            }
            _ = try? JPEGSynthetic.decode(bytes, d)
        }
    }

    @Test func trailingGarbageAndMissingEOIAreTolerated() throws {
        for (bytes, d) in try Self.streams() {
            let full = try JPEGSynthetic.decode(bytes, d).pixels
            let end = bytes.count - (bytes.last == 0 ? 3 : 2)  // before EOI (and the padding byte)
            #expect(Array(bytes[end..<(end + 2)]) == [0xFF, 0xD9])
            #expect(try JPEGSynthetic.decode(Array(bytes[..<end]), d).pixels == full)
            #expect(try JPEGSynthetic.decode(bytes + [0x12, 0xFF, 0x00, 0xFF, 0xE1, 0x00], d).pixels == full)
        }
    }

    /// Rewrites a stream segment by segment: `transform` gets each marker and its segment, returns the bytes to write.
    static func rewrite(_ bytes: [UInt8], _ transform: (UInt8, [UInt8]) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        var p = 2
        while p + 4 <= bytes.count, bytes[p] == 0xFF {
            let marker = bytes[p + 1]
            if marker == 0xD9 { break }
            let length = Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            var segment = Array(bytes[p..<(p + 2 + length)])
            if marker == 0xDA {
                segment = Array(bytes[p..<(bytes.count - (bytes.last == 0 ? 3 : 2))])  // header and scan data up to EOI
                out += transform(marker, segment)
                break
            }
            out += transform(marker, segment)
            p += 2 + length
        }
        return out + [0xFF, 0xD9]
    }

    @Test func fillBytesCommentsAndApplicationSegmentsAreSkipped() throws {
        for (bytes, d) in try Self.streams() {
            let full = try JPEGSynthetic.decode(bytes, d).pixels
            let padded = Self.rewrite(bytes) { marker, segment in
                [0xFF, 0xFF, 0xFF] + [0xFF, 0xFE, 0, 5, 0x61, 0xFF, 0x62] + [0xFF, 0xE5, 0, 4, 0xFF, 0xD9] + segment
            }
            #expect(try JPEGSynthetic.decode(padded, d).pixels == full)
        }
    }

    @Test func tablesMayComeInAnyOrderBeforeTheScan() throws {
        for (bytes, d) in try Self.streams() {
            let full = try JPEGSynthetic.decode(bytes, d).pixels
            var tables: [UInt8] = []
            let withoutTables = Self.rewrite(bytes) { marker, segment in
                if marker == 0xC4 || marker == 0xDB || marker == 0xDD { tables += segment; return [] }
                return segment
            }
            // Tables moved to just after SOI, ahead of the frame header.
            let moved = [0xFF, 0xD8] + tables + withoutTables.dropFirst(2)
            #expect(try JPEGSynthetic.decode(moved, d).pixels == full)
        }
    }

    @Test func missingHuffmanTableIsAnError() throws {
        for (bytes, d) in try Self.streams() {
            let stripped = Self.rewrite(bytes) { marker, segment in marker == 0xC4 ? [] : segment }
            #expect(throws: DicomError(.invalidPixelData)) { try JPEGSynthetic.decode(stripped, d) }
        }
    }

    @Test func overflowingHuffmanTableIsAnError() throws {
        for (bytes, d) in try Self.streams() {
            let broken = Self.rewrite(bytes) { marker, segment in
                guard marker == 0xC4 else { return segment }
                var s = segment
                s[5] = 3  // three codes of one bit
                return s
            }
            #expect(throws: DicomError(.invalidPixelData)) { try JPEGSynthetic.decode(broken, d) }
        }
    }

    @Test func frameSizeMustMatchTheDataSet() throws {
        for (bytes, d) in try Self.streams() {
            var other = d
            other.rows += 1
            #expect(throws: DicomError(.invalidPixelData)) { try JPEGSynthetic.decode(bytes, other) }
            other = d
            other.samplesPerPixel = 1
            other.photometricInterpretation = "MONOCHROME2"
            #expect(throws: DicomError(.invalidPixelData)) { try JPEGSynthetic.decode(bytes, other) }
        }
    }

    @Test func progressiveJPEGIsRejectedNamingSOF2() throws {
        let (bytes, d) = try Self.streams()[1]
        let progressive = Self.rewrite(bytes) { marker, segment in
            var s = segment
            if marker == 0xC0 { s[1] = 0xC2 }
            return s
        }
        do {
            _ = try JPEGSynthetic.decode(progressive, d)
            Issue.record("progressive stream decoded")
        } catch {
            #expect(error.code == .unsupportedTransferSyntax)
            #expect(error.detail.contains("SOF2"))
        }
    }

    @Test func outputIsMaskedToBitsStoredAndSignExtended() throws {
        // 16-bit samples in the codestream, a data set that stores 12 bits, signed.
        let wide = JPEGSynthetic.descriptor(rows: 2, columns: 2, bitsStored: 16)
        let values: [UInt16] = [0x0FFF, 0xF800, 0x1234, 0x0800]
        let bytes = try Self.lossless(wide, values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        var d = JPEGSynthetic.descriptor(rows: 2, columns: 2, bitsStored: 12, signed: true)
        let signed = try JPEGSynthetic.decode(bytes, d).pixels
        #expect(signed == [0xFF, 0xFF, 0x00, 0xF8, 0x34, 0x02, 0x00, 0xF8])
        d.isSigned = false
        #expect(try JPEGSynthetic.decode(bytes, d).pixels == [0xFF, 0x0F, 0x00, 0x08, 0x34, 0x02, 0x00, 0x08])
    }
}

@Suite struct JPEGPerformanceTests {
    /// Median time of decoding `bytes` `runs` times.
    static func time(_ bytes: [UInt8], _ d: ImageDescriptor, runs: Int = 7) throws -> Duration {
        var output = [UInt8](repeating: 0, count: d.decodedFrameLength)
        var times: [Duration] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let result = output.withUnsafeMutableBytes { out in
                Result { () throws(DicomError) -> String in try JPEGCodec().decode(bytes[...], descriptor: d, into: out) }
            }
            _ = try result.get()
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[runs / 2]
    }

    @Test func losslessDecodeOf512x512SixteenBitFrameIsFast() throws {
        // A CT slice from Scripts/make-ct-series.py compressed by DCMTK, and full-range 16-bit samples from our encoder.
        let dir = JPEGOracle.temporaryPath("ct")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = TestCorpus.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts/make-ct-series.py").path
        guard JPEGOracle.run("python3", [script, dir, "1"]) else { return }
        guard let ct = try JPEGOracle.convert("\(dir)/CT000001.dcm", with: "dcmcjpeg", ["+e1"]) else { return }
        let original = try DicomFile.read(contentsOf: "\(dir)/CT000001.dcm").decodedFrame(0)
        let d = try ImageDescriptor(ct.dataSet)
        let stream = try ct.dataSet.frameBytes(at: 0)
        let ctTime = try Self.time(Array(stream), d)
        #expect(try ct.decodedFrame(0).bytes == original.bytes)

        let wide = JPEGSynthetic.descriptor(rows: 512, columns: 512, bitsStored: 16)
        let pixels = JPEGSynthetic.image(wide, seed: 9)
        let ours = try JPEGSynthetic.encode(pixels, wide, uid: JPEGCodec.losslessSV1UID).bytes
        let wideTime = try Self.time(ours, wide)
        print("JPEG lossless 512x512: CT slice (dcmcjpeg +e1, \(stream.count) bytes) \(ctTime); 16-bit noise (\(ours.count) bytes) \(wideTime)")
        #expect(ctTime < .seconds(5) && wideTime < .seconds(5))
    }
}

@Suite struct JPEGCorpusExtraTests {
    /// DCMTK cannot read this file's data set (an element with VR "  "), so its stored dcmdjpeg output is the reference.
    @Test func malformedDataSetJPEGMatchesItsStoredDcmdjpegDecode() throws {
        let ours = try DicomFile.read(contentsOf: TestCorpus.path("SC_rgb_jpeg.dcm")).decodedFrame(0)
        let theirs = try DicomFile.read(contentsOf: TestCorpus.path("SC_rgb_jpeg_dcmd.dcm")).decodedFrame(0)
        #expect(ours.descriptor.photometricInterpretation == theirs.descriptor.photometricInterpretation)
        #expect(maximumDifference(sampleValues(ours), sampleValues(theirs)) <= 1)
    }
}

@Suite struct JPEGDCTStructureTests {
    struct Layout: Sendable, CustomStringConvertible {
        var luma: (Int, Int)
        var restartInterval: Int
        var separateScans: Bool
        var description: String { "luma \(luma.0)x\(luma.1) restart \(restartInterval) separate \(separateScans)" }
    }

    static let layouts = [
        Layout(luma: (1, 1), restartInterval: 0, separateScans: false), Layout(luma: (2, 1), restartInterval: 3, separateScans: false),
        Layout(luma: (2, 2), restartInterval: 0, separateScans: true), Layout(luma: (2, 2), restartInterval: 1, separateScans: false),
        Layout(luma: (4, 1), restartInterval: 0, separateScans: false), Layout(luma: (4, 1), restartInterval: 5, separateScans: true),
        Layout(luma: (1, 2), restartInterval: 2, separateScans: false), Layout(luma: (1, 1), restartInterval: 7, separateScans: true),
    ]

    @Test(arguments: layouts)
    func subsamplingRestartsAndSeparateScansDecodeLikeDcmdjpeg(_ layout: Layout) throws {
        var d = JPEGSynthetic.descriptor(rows: 45, columns: 61, samples: 3, bitsStored: 8)
        let pixels = JPEGBaselineEncodingTests.smooth(d)
        var encoder = JPEGBaselineEncoder(descriptor: d, quality: 90)
        encoder.luma = layout.luma
        encoder.restartInterval = layout.restartInterval
        encoder.separateScans = layout.separateScans
        let result = pixels.withUnsafeBytes { raw in
            Result { () throws(DicomError) -> (bytes: [UInt8], photometric: String) in try encoder.encode(raw) }
        }
        let (bytes, photometric) = try result.get()
        d.photometricInterpretation = photometric
        let ours = try JPEGSynthetic.decode(bytes, d)
        #expect(ours.photometric == "RGB")
        let errors = zip(ours.pixels, pixels).map { abs(Int($0) - Int($1)) }
        #expect(Double(errors.reduce(0, +)) / Double(errors.count) < 4, "\(layout)")

        var changes = DataSet()
        try changes.setString(photometric, for: .photometricInterpretation, vr: .CS)
        let file = try JPEGSynthetic.file(d, frames: [EncodedFrame(bytes: bytes, attributeChanges: changes)], uid: JPEGCodec.baselineUID)
        let path = JPEGOracle.temporaryPath("dct.dcm")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        guard let reference = try JPEGOracle.convert(path, with: "dcmdjpeg", []) else { return }
        let theirs = try reference.decodedFrame(0)
        #expect(theirs.descriptor.photometricInterpretation == "RGB")
        let difference = maximumDifference(ours.pixels.map(Int.init), sampleValues(theirs))
        #expect(difference <= 1, "\(layout): differs from dcmdjpeg by \(difference)")
    }
}

extension JPEGCorpusExtraTests {
    /// Corpus streams cut at every marker and at every 97th byte (at most 200 cuts) fail with a typed error or decode.
    @Test(arguments: JPEGCodecTests.lossyFiles + ["SC_rgb_jpeg_gdcm.dcm"])
    func corpusStreamsCutAnywhereFailCleanly(_ name: String) throws {
        let file = try DicomFile.read(contentsOf: TestCorpus.path(name))
        let stream = Array(try file.dataSet.frameBytes(at: 0))
        let descriptor = try ImageDescriptor(file.dataSet)
        var cuts = Set(stride(from: 0, to: stream.count, by: max(97, stream.count / 200)))
        for i in 0..<(stream.count - 1) where stream[i] == 0xFF && stream[i + 1] != 0 && stream[i + 1] != 0xFF {
            cuts.formUnion([i, i + 1, i + 2, i + 3])
        }
        for cut in cuts.sorted() where cut < stream.count {
            do {
                _ = try JPEGSynthetic.decode(Array(stream.prefix(cut)), descriptor)
            } catch {
                #expect(error.code == .invalidPixelData, "\(name) cut at \(cut): \(error)")
            }
        }
    }
}

extension JPEGLosslessEncodingTests {
    /// The DHT segment's 16 code-length counts and its symbols.
    static func huffmanTable(_ stream: [UInt8]) -> (counts: [UInt8], symbols: [UInt8])? {
        guard let dht = (0..<(stream.count - 1)).first(where: { stream[$0] == 0xFF && stream[$0 + 1] == 0xC4 }) else { return nil }
        let counts = Array(stream[(dht + 5)..<(dht + 21)])
        let total = counts.reduce(0) { $0 + Int($1) }
        return (counts, Array(stream[(dht + 21)..<(dht + 21 + total)]))
    }

    /// The fixed table codes every category 0–16 (K.3's codes for 0–11 kept), so any frame encodes with it in one pass;
    /// DCMTK and GDCM decode the result exactly, and it is the same table whatever the image.
    @Test(arguments: [(8, false, 1), (12, true, 1), (16, false, 3), (16, true, 1)])
    func standardTablesCodeEveryFrameAndDcmdjpegAndGdcmDecodeIt(_ bits: Int, _ signed: Bool, _ samples: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: 37, columns: 29, samples: samples, bitsStored: bits, signed: signed)
        let pixels = JPEGSynthetic.image(d, seed: 11)
        for (uid, predictor) in [(JPEGCodec.losslessSV1UID, 1), (JPEGCodec.losslessUID, 7)] {
            let options = EncodeOptions(predictor: predictor, losslessHuffmanTables: .standard)
            let encoded = try JPEGSynthetic.encode(pixels, d, uid: uid, options: options)
            let table = try #require(Self.huffmanTable(encoded.bytes))
            #expect(table.counts == [0, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
            #expect(table.symbols == Array(0...16))
            #expect(try JPEGSynthetic.decode(encoded.bytes, d).pixels == pixels)
            let path = JPEGOracle.temporaryPath("standard.dcm")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try JPEGSynthetic.file(d, frames: [encoded], uid: uid).write(to: path)
            for (tool, arguments) in [("dcmdjpeg", [String]()), ("gdcmconv", ["--raw"])] {
                guard let reference = try JPEGOracle.convert(path, with: tool, arguments) else { continue }
                let theirs = Array(try #require(reference.dataSet[.pixelData]?.bytes).prefix(pixels.count))
                #expect(storedBitsMismatches(theirs, pixels, d) == 0, "\(tool): \(bits) bits, signed \(signed), predictor \(predictor)")
            }
        }
    }

    /// Differences of every size, up to category 16 (a difference of 32768), through the fixed table.
    @Test func standardTablesCodeTheLargestDifferences() throws {
        let d = JPEGSynthetic.descriptor(rows: 2, columns: 40, bitsStored: 16)
        var values: [UInt16] = []
        for i in 0..<80 { values.append(i % 2 == 0 ? 0 : UInt16(min(65535, 1 << (i / 4)))) }
        values[79] = 32768
        values[78] = 0
        let pixels = values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let encoded = try JPEGSynthetic.encode(pixels, d, uid: JPEGCodec.losslessSV1UID, options: EncodeOptions(losslessHuffmanTables: .standard))
        #expect(try JPEGSynthetic.decode(encoded.bytes, d).pixels == pixels)
    }
}

/// One rule for signed samples across codecs (`StoredSampleRule`): whatever the codestream, a Pixel Representation 1
/// frame decodes to its Bits Stored bits sign-extended to Bits Allocated, as native signed Pixel Data holds it.
@Suite struct SignedSampleRuleTests {
    @Test(arguments: [(12, 1), (12, 3), (16, 1), (7, 1), (8, 1)])
    func losslessJPEGAndJPEGLSDecodeSignedFramesToTheSameSignExtendedSamples(_ bits: Int, _ samples: Int) throws {
        let d = JPEGSynthetic.descriptor(rows: 13, columns: 17, samples: samples, bitsStored: bits, signed: true)
        let pixels = JPEGSynthetic.image(d, seed: 3)   // sign-extended, as native data holds it
        let jpeg = try JPEGSynthetic.encode(pixels, d, uid: JPEGCodec.losslessSV1UID)
        #expect(try JPEGSynthetic.decode(jpeg.bytes, d).pixels == pixels)
        let ls = try pixels.withUnsafeBytes { try JPEGLSCodec().encode($0, descriptor: d, transferSyntaxUID: JPEGLSCodec.losslessUID, options: EncodeOptions()) }
        #expect(try JPEGLSCodecTests.decode(ls.bytes, d) == pixels)
    }

    /// Samples whose bits above Bits Stored are not a sign extension (DCMTK codes signed 12-bit data with P = 16 and
    /// leaves those bits as they were) come out the same from both decoders: masked, then sign-extended.
    @Test func bitsAboveBitsStoredAreReplacedBySignExtensionInBothDecoders() throws {
        let wide = ImageDescriptor(rows: 1, columns: 4, bitsAllocated: 16, bitsStored: 16)
        let values: [UInt16] = [0x0FFF, 0x0800, 0x1234, 0xF7FF]
        let raw = values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let jpeg = try JPEGSynthetic.encode(raw, wide, uid: JPEGCodec.losslessSV1UID)
        let ls = try raw.withUnsafeBytes { try JPEGLSCodec().encode($0, descriptor: wide, transferSyntaxUID: JPEGLSCodec.losslessUID, options: EncodeOptions()) }
        let signed = ImageDescriptor(rows: 1, columns: 4, bitsAllocated: 16, bitsStored: 12, isSigned: true)
        let expected: [UInt8] = [0xFF, 0xFF, 0x00, 0xF8, 0x34, 0x02, 0xFF, 0x07]
        #expect(try JPEGSynthetic.decode(jpeg.bytes, signed).pixels == expected)
        #expect(try JPEGLSCodecTests.decode(ls.bytes, signed) == expected)
        let unsigned = ImageDescriptor(rows: 1, columns: 4, bitsAllocated: 16, bitsStored: 12)
        let masked: [UInt8] = [0xFF, 0x0F, 0x00, 0x08, 0x34, 0x02, 0xFF, 0x07]
        #expect(try JPEGSynthetic.decode(jpeg.bytes, unsigned).pixels == masked)
        #expect(try JPEGLSCodecTests.decode(ls.bytes, unsigned) == masked)
    }
}
