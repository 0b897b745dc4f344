// swift-tools-version:6.1
import PackageDescription

// Dependencies flow one way: DicomCore <- DicomNetwork, DicomCore <- ImagingKit <- PlatformServices <- mi-server / mi-cli.
// DicomCore and ImagingKit use only the standard library, Foundation and zlib, so they embed wherever Swift runs.
let package = Package(
    name: "MedicalImaging",
    platforms: [.macOS(.v15)],
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
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
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
        // ImagingKit's few loops that need a wider instruction set than the baseline target (AVX2), chosen at run
        // time: our own C, since Swift has no per-function target attribute. Plain C that builds wherever Swift runs.
        .target(name: "CImagingKernels"),
        .target(name: "ImagingKit", dependencies: ["DicomCore", "CZlib", "CImagingKernels"]),
        // Accounts, OAuth, the study index, ingest, sharing: one SQL layer (SQLKit) over SQLite or PostgreSQL.
        .target(name: "PlatformServices", dependencies: [
            "DicomCore", "DicomNetwork", "ImagingKit", "CZlib",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "SQLiteKit", package: "sqlite-kit"),
            .product(name: "PostgresKit", package: "postgres-kit"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "mi-server", dependencies: [
            "PlatformServices", "DicomCore", "ImagingKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdHTTP2", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], resources: [.copy("Resources/web"), .copy("Resources/openapi.json")]),
        .executableTarget(name: "mi-cli", dependencies: [
            "DicomCore", "DicomNetwork", "ImagingKit", "PlatformServices",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Release-build stand-in for mi-cli's store-scp/store (DicomNetwork only) for Scripts/bench-store-scp.sh.
        .executableTarget(name: "net-bench", dependencies: ["DicomCore", "DicomNetwork"]),
        // libFuzzer entry point over the reader (Scripts/fuzz.sh); in a normal build, a replay tool for saved inputs.
        .executableTarget(name: "DicomFuzz", dependencies: ["DicomCore", "DicomNetwork"]),
        .testTarget(name: "DicomCoreTests", dependencies: ["DicomCore"], exclude: ["Fixtures"]),
        .testTarget(name: "ImagingKitTests", dependencies: ["ImagingKit", "DicomCore"]),
        .testTarget(name: "PlatformServicesTests", dependencies: ["PlatformServices", "DicomCore"]),
        .testTarget(name: "MIServerTests", dependencies: [
            "mi-server", "PlatformServices", "DicomCore", "DicomNetwork",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "DicomNetworkTests", dependencies: [
            "DicomNetwork", "DicomCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
