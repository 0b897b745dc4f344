import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// The generated files checked by independent implementations: DCMTK reads them, dicom3tools finds them valid against
/// their IODs, and GDCM decodes the compressed ones to exactly the phantom.
@Suite struct DemoOracleTests {
    /// One file of each series and the encapsulated PDF.
    static func sample(_ demo: GeneratedDemo) -> [(path: String, syntax: String)] {
        var files: [(String, String)] = []
        for exam in demo.catalog.exams {
            for series in exam.series { files.append((series.instances[series.instances.count / 2].path, series.transferSyntaxUID)) }
            if let pdf = exam.report?.encapsulatedPDF { files.append((pdf.path, TransferSyntax.explicitVRLittleEndian.uid)) }
        }
        return files
    }

    /// A scratch file outside the generated folder, whose file list another test compares.
    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mi-demo-oracle-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    @Test func dcmdumpReadsEveryKindOfFile() throws {
        let demo = try GeneratedDemo.shared.get()
        for (path, _) in Self.sample(demo) {
            guard let result = try Tool.run("dcmdump", ["-q", demo.url(path).path], package: "dcmtk") else { return }
            #expect(result.status == 0 && !result.output.contains("E: "), "\(path): \(result.output.prefix(500))")
            #expect(result.output.contains("(0010,0010) PN"), "\(path)")
        }
    }

    /// dciodvfy reports neither errors nor warnings. It cannot read the deflated syntax, so that file is inflated by
    /// DCMTK's dcmconv first.
    @Test func dciodvfyFindsNoErrorsOrWarnings() throws {
        let demo = try GeneratedDemo.shared.get()
        for (path, syntax) in Self.sample(demo) {
            var file = demo.url(path).path
            if syntax == TransferSyntax.deflatedExplicitVRLittleEndian.uid {
                let inflated = Self.scratch("inflated.dcm")
                defer { try? FileManager.default.removeItem(atPath: inflated) }
                guard let result = try Tool.run("dcmconv", ["+te", file, inflated], package: "dcmtk") else { return }
                #expect(result.status == 0)
                file = inflated
            }
            guard let result = try Tool.run("dciodvfy", [file], package: "dicom3tools") else { return }
            let problems = result.output.split(separator: "\n").filter { $0.hasPrefix("Error") || $0.hasPrefix("Warning") }
            #expect(problems.isEmpty, "\(path): \(problems.joined(separator: "\n"))")
        }
    }

    @Test func gdcmDecodesTheCompressedImagesToThePhantom() throws {
        let demo = try GeneratedDemo.shared.get()
        for (path, syntax) in Self.sample(demo) where TransferSyntax(uid: syntax).isEncapsulated {
            let raw = Self.scratch("gdcm-raw.dcm")
            defer { try? FileManager.default.removeItem(atPath: raw) }
            guard let result = try Tool.run("gdcmconv", ["--raw", demo.url(path).path, raw], package: "libgdcm-tools") else { return }
            #expect(result.status == 0, "\(path): \(result.output)")
            let file = try DicomFile.read(contentsOf: raw)
            let series = try #require(demo.catalog.exams.flatMap(\.series).first { $0.instances.contains { $0.path == path } })
            let slice = try #require(series.instances.first { $0.path == path }).instanceNumber - 1
            #expect(file.dataSet[.pixelData]?.bytes.map(Array.init) == series.phantom.renderSlice(slice), "\(path) (\(syntax))")
        }
    }
}
