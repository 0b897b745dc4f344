import DicomCore
import Foundation
import Testing
@testable import ImagingKit

/// The browser's MIF1 decoder (`frame-format.js`, run by node) as an oracle for `FrameWireEncoder`: frames
/// encoded here, packed and planar, decode there to the stored values. Skipped where node is not installed.
@Suite struct FrameWireBrowserDecoderTests {
    /// The web client's decoder module.
    static let decoder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/mi-server/Resources/web/viewer/frame-format.js")

    static let nodeIsInstalled = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/node") }

    /// Decodes each file with the browser's `decodeFrame`; the values of each, in raster order.
    static func browserDecode(_ files: [URL]) throws -> [[Int]] {
        let script = """
            import { decodeFrame } from \(String(reflecting: decoder.absoluteString));
            import { readFileSync } from 'node:fs';
            console.log(JSON.stringify(process.argv.slice(1).map((p) => Array.from(decodeFrame(readFileSync(p)).data))));
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "--input-type=module", "-e", script, "--"] + files.map(\.path)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return try JSONDecoder().decode([[Int]].self, from: data)
    }

    @Test(.enabled(if: nodeIsInstalled)) func theBrowsersDecoderReadsTheStoredValuesBack() throws {
        var random = FrameWireEncoderTests.Random(state: 11)
        // (columns, rows, samples, bytes, signed): the depths the browser decodes (4-byte samples it refuses).
        let shapes = [(37, 29, 1, 2, true), (17, 3, 1, 2, false), (13, 7, 3, 1, false), (16, 16, 1, 1, true), (682, 4, 3, 1, false), (1, 1, 1, 2, true)]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("framewire-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [URL] = [], expected: [[Int]] = []
        for (k, (columns, rows, samples, b, signed)) in shapes.enumerated() {
            let values = FrameWireEncoderTests.randomValues(&random, count: columns * rows * samples, bytes: b, signed: signed, kind: k % 5)
            let frame = FrameWireEncoderTests.frame(values, columns: columns, rows: rows, samples: samples, bytes: b, signed: signed)
            for packed in [true, false] {
                let file = folder.appendingPathComponent("\(k)-\(packed).mif")
                try Data(FrameWireEncoder.encode(frame, packed: packed)).write(to: file)
                files.append(file)
                expected.append(FrameWireEncoderTests.storedValues(values, bitsStored: 8 * b, signed: signed))
            }
        }
        let decoded = try Self.browserDecode(files)
        #expect(decoded.count == files.count, "node decoded \(decoded.count) of \(files.count) frames")
        for (i, (got, want)) in zip(decoded, expected).enumerated() { #expect(got == want, "\(files[i].lastPathComponent)") }
    }
}
