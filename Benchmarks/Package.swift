// swift-tools-version:6.1
import PackageDescription

// DicomCore benchmarks (ordo-one/benchmark) and the timing tools (header read, codecs, imaging), in their own
// package so that the benchmark library and its dependencies stay out of the main package's build and test time (a clean
// `swift build --build-tests` of the root took 21 s without them and 54 s with them on an idle 2-core machine,
// 58 s and 154 s on a busy one, plus about 27 s to fetch seven more repositories).
// HeaderReadTiming sits under Tools/ because the benchmark plugin runs every executable target whose folder is
// directly inside a folder named Benchmarks.
//
//     cd Benchmarks && swift package --scratch-path .build-perf benchmark
//     Scripts/bench-header-read.sh
//     Scripts/bench-codecs.sh
//     Scripts/bench-imaging.sh
let package = Package(
    name: "MedicalImagingBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "MedicalImaging", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DicomCoreBenchmarks",
            dependencies: [
                .product(name: "DicomCore", package: "MedicalImaging"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "DicomCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HeaderReadTiming",
            dependencies: [.product(name: "DicomCore", package: "MedicalImaging")],
            path: "Tools/HeaderReadTiming"
        ),
        .executableTarget(
            name: "CodecTiming",
            dependencies: [.product(name: "DicomCore", package: "MedicalImaging")],
            path: "Tools/CodecTiming"
        ),
        .executableTarget(
            name: "ImagingTiming",
            dependencies: [
                .product(name: "DicomCore", package: "MedicalImaging"),
                .product(name: "ImagingKit", package: "MedicalImaging"),
            ],
            path: "Tools/ImagingTiming"
        ),
    ]
)
