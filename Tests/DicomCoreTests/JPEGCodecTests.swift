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
private func samples(_ frame: DecodedFrame) -> [Int] {
    if frame.descriptor.bytesPerSample == 1 { return frame.bytes.map(Int.init) }
    return stride(from: 0, to: frame.bytes.count - 1, by: 2).map { Int(frame.bytes[$0]) | Int(frame.bytes[$0 + 1]) << 8 }
}

private func maximumDifference(_ a: [Int], _ b: [Int]) -> Int {
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
            let difference = maximumDifference(samples(ours), samples(theirs))
            #expect(difference <= 1, "\(name) frame \(i): samples differ by up to \(difference)")
        }
    }

    @Test(arguments: ["SC_rgb_jpeg_gdcm.dcm"])
    func losslessCorpusFileEqualsDcmdjpegAndGdcm(_ name: String) throws {
        let path = TestCorpus.path(name)
        let ours = try DicomFile.read(contentsOf: path).decodedFrame(0)
        if let dcmtk = try JPEGOracle.convert(path, with: "dcmdjpeg", []) {
            #expect(ours.bytes == (try dcmtk.decodedFrame(0)).bytes)
        }
        if let gdcm = try JPEGOracle.convert(path, with: "gdcmconv", ["--raw"]) {
            #expect(ours.bytes == (try gdcm.decodedFrame(0)).bytes)
        }
    }

    /// Uncompressed corpus files compressed by DCMTK and GDCM, with every lossless option they offer.
    static let crossEncodings: [(String, String, [String])] = {
        var cases: [(String, String, [String])] = []
        for name in ["CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm", "SC_rgb.dcm", "examples_rgb_color.dcm"] {
            cases.append((name, "dcmcjpeg", ["+e1"]))
            for sv in 1...7 { cases.append((name, "dcmcjpeg", ["+el", "+sv", "\(sv)"])) }
            cases.append((name, "dcmcjpeg", ["+el", "+sv", "6", "+pt", "2"]))
            cases.append((name, "gdcmconv", ["--jpeg"]))
        }
        return cases
    }()

    @Test(arguments: crossEncodings)
    func losslessStreamsFromOtherEncodersDecodeExactly(_ name: String, _ tool: String, _ options: [String]) throws {
        let path = TestCorpus.root.appendingPathComponent("test_files").appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { return }  // optional extra inputs
        let original = try DicomFile.read(contentsOf: path)
        guard let compressed = try JPEGOracle.convert(path, with: tool, options) else { return }
        #expect(compressed.transferSyntax.uid.hasPrefix("1.2.840.10008.1.2.4.57") || compressed.transferSyntax.uid == "1.2.840.10008.1.2.4.70",
                "\(tool) wrote \(compressed.transferSyntax.uid)")
        // The point transform drops low bits: compare with the original shifted the same way (via DCMTK's own decode).
        let reference = options.contains("+pt") ? try JPEGOracle.convert(compressedPath(compressed), with: "dcmdjpeg", []) : original
        guard let reference else { return }
        for i in 0..<original.dataSet.numberOfFrames {
            let ours = try compressed.decodedFrame(i)
            let expected = try reference.decodedFrame(i)
            #expect(ours.bytes == expected.bytes, "\(name) via \(tool) \(options) frame \(i)")
        }
    }

    private func compressedPath(_ file: DicomFile) throws -> String {
        let path = JPEGOracle.temporaryPath("in.dcm")
        try file.write(to: path)
        return path
    }
}
