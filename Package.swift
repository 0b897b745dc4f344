// swift-tools-version:6.1
import PackageDescription

// Dependencies flow one way: DicomCore <- DicomNetwork, DicomCore <- ImagingKit <- PlatformServices <- mi-server / mi-cli.
// DicomCore and ImagingKit use only the standard library, Foundation and zlib, so they embed wherever Swift runs.
let package = Package(
    name: "MedicalImaging",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DicomCore", targets: ["DicomCore"]),
        .library(name: "DicomNetwork", targets: ["DicomNetwork"]),
        .library(name: "ImagingKit", targets: ["ImagingKit"]),
        .library(name: "PlatformServices", targets: ["PlatformServices"]),
        .executable(name: "mi-server", targets: ["mi-server"]),
        .executable(name: "mi-cli", targets: ["mi-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DicomCore", dependencies: ["CZlib"]),
        .target(name: "DicomNetwork", dependencies: [
            "DicomCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "ImagingKit", dependencies: ["DicomCore", "CZlib"]),
        .target(name: "PlatformServices", dependencies: ["DicomCore", "DicomNetwork", "ImagingKit"]),
        .executableTarget(name: "mi-server", dependencies: [
            "PlatformServices",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mi-cli", dependencies: [
            "DicomCore", "DicomNetwork", "ImagingKit", "PlatformServices",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer entry point over the reader (Scripts/fuzz.sh); in a normal build, a replay tool for saved inputs.
        .executableTarget(name: "DicomFuzz", dependencies: ["DicomCore", "DicomNetwork"]),
        .testTarget(name: "DicomCoreTests", dependencies: ["DicomCore"], exclude: ["Fixtures"]),
        .testTarget(name: "ImagingKitTests", dependencies: ["ImagingKit", "DicomCore"]),
        .testTarget(name: "PlatformServicesTests", dependencies: ["PlatformServices", "DicomCore"]),
        .testTarget(name: "DicomNetworkTests", dependencies: [
            "DicomNetwork", "DicomCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
