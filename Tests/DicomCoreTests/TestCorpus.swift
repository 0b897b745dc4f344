import Foundation
import Testing
@testable import DicomCore

/// The pydicom 3.0.2 test files, fetched into `TestData/pydicom` by `Scripts/fetch-test-data.sh` (the test script runs it).
enum TestCorpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestData/pydicom")

    /// Path of a file in `test_files` (or `charset_files` with `charset: true`); records a failure when the corpus is missing.
    static func path(_ name: String, charset: Bool = false) -> String {
        let p = root.appendingPathComponent(charset ? "charset_files" : "test_files").appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: p) {
            Issue.record("missing test file \(p): run Scripts/fetch-test-data.sh")
        }
        return p
    }

    /// Every .dcm file of both folders.
    static func allFiles() -> [String] {
        var out: [String] = []
        for folder in ["test_files", "charset_files"] {
            let dir = root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            out += names.filter { $0.hasSuffix(".dcm") }.sorted().map { dir.appendingPathComponent($0).path }
        }
        if out.isEmpty { Issue.record("test corpus missing under \(root.path): run Scripts/fetch-test-data.sh") }
        return out
    }

    static func bytes(_ path: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }
}
