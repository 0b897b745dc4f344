import DicomCore
import Foundation
import Testing
@testable import PlatformServices

/// The demo generated once per test run, shared by the suites that only read it.
struct GeneratedDemo: Sendable {
    let folder: URL
    let catalog: DemoCatalog
    /// Wall-clock seconds the generation took.
    let seconds: Double
    /// CPU seconds (user and system, all threads of the test process) meanwhile.
    let cpuSeconds: Double

    static let shared: Result<GeneratedDemo, PlatformError> = generate(run: "a")

    /// Generates into a fresh folder of its own under the temporary directory. Folders of earlier runs whose process is
    /// gone are removed first (each is about 130 MB).
    static func generate(run: String, progress: (DemoProgress) -> Void = { _ in }) -> Result<GeneratedDemo, PlatformError> {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mi-demo-tests")
        removeStaleRuns(in: base)
        let folder = base.appendingPathComponent("\(ProcessInfo.processInfo.processIdentifier)-\(run)")
        try? FileManager.default.removeItem(at: folder)
        let start = Date(), cpuStart = processCPUSeconds()
        return Result { () throws(PlatformError) -> GeneratedDemo in
            let catalog = try DemoStudies.generate(into: folder, progress: progress)
            return GeneratedDemo(folder: folder, catalog: catalog, seconds: Date().timeIntervalSince(start), cpuSeconds: processCPUSeconds() - cpuStart)
        }
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    private static func removeStaleRuns(in base: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base.path) else { return }
        for name in names {
            guard let pid = Int32(name.split(separator: "-").first ?? ""), pid != ProcessInfo.processInfo.processIdentifier else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: base.appendingPathComponent(name)) }
        }
    }

    func url(_ path: String) -> URL { folder.appendingPathComponent(path) }

    func read(_ path: String) throws -> DicomFile { try DicomFile.read(contentsOf: url(path).path) }

    /// The series of the exam with `accession`.
    func series(_ accession: String) throws -> DemoSeries {
        try #require(catalog.exam(accessionNumber: accession)?.series.first, "no series for \(accession)")
    }
}

extension DecodedFrame {
    /// The sample at (`column`, `row`) of a 16-bit single-sample frame, signed or not.
    func sample(column: Int, row: Int, signed: Bool) -> Int {
        let i = (row * descriptor.columns + column) * 2
        let word = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
        return signed ? Int(Int16(bitPattern: word)) : Int(word)
    }
}
