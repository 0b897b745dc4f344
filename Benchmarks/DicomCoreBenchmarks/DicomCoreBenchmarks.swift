import Benchmark
import DicomCore
import Foundation

/// DicomCore benchmarks over a synthetic CT series (`Scripts/make-ct-series.py`): 300 slices of 512x512 16-bit
/// MONOCHROME2 with about 60 header elements, read from `MI_BENCH_CT_DIR` (default `.build/bench-ct`), which is
/// generated when missing.
///
///     swift package --scratch-path .build-perf benchmark            # from Benchmarks/
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput],
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 100
    )

    let series = CTSeries.shared

    // One iteration reads the whole folder: the indexing path (stop before Pixel Data, read 64 KiB of each file).
    Benchmark("Header-only read of 300 CT files", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            for path in series.paths {
                let file = try DicomFile.read(contentsOf: path, options: .headerOnly)
                blackHole(file.dataSet.string(.sopInstanceUID))
            }
        }
    }

    Benchmark("Full parse of 300 CT files", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            for path in series.paths {
                let file = try DicomFile.read(contentsOf: path)
                blackHole(file.dataSet[.pixelData])
            }
        }
    }

    Benchmark("Full parse of 300 CT files, already in memory", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            for bytes in series.contents {
                blackHole(try DicomFile(bytes: bytes).dataSet.count)
            }
        }
    }

    Benchmark("Write one CT as Explicit VR Little Endian") { benchmark in
        let file = series.firstFile
        for _ in benchmark.scaledIterations {
            blackHole(try file.encoded(as: .explicitVRLittleEndian))
        }
    }

    Benchmark("DICOM JSON of one CT header") { benchmark in
        let file = series.firstHeader
        for _ in benchmark.scaledIterations {
            blackHole(DicomJSON.encode(file.dataSet))
        }
    }
}

/// The benchmark series on disk, generated on first use.
final class CTSeries: Sendable {
    static let shared = CTSeries()

    let paths: [String]
    /// Every file's bytes, for benchmarks that leave file I/O out (read once, on first use).
    var contents: [[UInt8]] { CTSeries.contents }
    /// The first file, fully parsed.
    var firstFile: DicomFile { CTSeries.firstFile }
    /// The first file's header (`ParseOptions.headerOnly`).
    var firstHeader: DicomFile { CTSeries.firstHeader }

    // Static lets are initialised lazily and once, so a benchmark that does not use them does not pay for them.
    private static let contents: [[UInt8]] = shared.paths.map { [UInt8](FileManager.default.contents(atPath: $0)!) }
    private static let firstFile: DicomFile = try! DicomFile.read(contentsOf: shared.paths[0])
    private static let firstHeader: DicomFile = try! DicomFile.read(contentsOf: shared.paths[0], options: .headerOnly)

    private init() {
        let folder = ProcessInfo.processInfo.environment["MI_BENCH_CT_DIR"] ?? ".build/bench-ct"
        let count = 300
        CTSeries.generateIfMissing(folder: folder, count: count)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        paths = names.filter { $0.hasSuffix(".dcm") }.sorted().map { folder + "/" + $0 }
        precondition(paths.count >= count, "\(folder) holds \(paths.count) CT files, expected \(count)")
    }

    private static func generateIfMissing(folder: String, count: Int) {
        let last = folder + "/" + String(format: "CT%06d.dcm", count)
        if FileManager.default.fileExists(atPath: last) { return }
        // Benchmarks/DicomCoreBenchmarks/DicomCoreBenchmarks.swift -> repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/make-ct-series.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, folder, String(count)]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            fatalError("cannot run \(script): \(error)")
        }
        precondition(process.terminationStatus == 0, "\(script) failed")
    }
}
