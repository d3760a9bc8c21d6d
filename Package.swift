// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "streamrun",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "streamrun", targets: ["streamrun"]),
        .library(name: "StreamrunJob", targets: ["StreamrunJob"]),
        .library(name: "StreamrunConnectors", targets: ["StreamrunConnectors"]),
        // For Benchmarks/ only, which measures these modules directly.
        .library(name: "StreamrunCore", targets: ["StreamrunCore"]),
        .library(name: "StreamrunPlan", targets: ["StreamrunPlan"]),
        .library(name: "StreamrunRuntime", targets: ["StreamrunRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already in the graph through Hummingbird; named for the control endpoint's connection timeouts.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        // Value types: schemas, columns, record batches, stream elements, errors.
        .target(name: "StreamrunCore", swiftSettings: strict),
        // The one layer of POSIX file calls: write-all, pread, fsync of files and directories, atomic
        // publish, listing, directories.
        .target(name: "StreamrunIO", dependencies: ["StreamrunCore"], swiftSettings: strict),
        // job.json: ordered JSON, the job spec, validation, expressions, the logical plan.
        .target(name: "StreamrunPlan", dependencies: ["StreamrunCore"], swiftSettings: strict),
        // Snapshot codec, LZ4 frames, checkpoint paths and store.
        .target(name: "StreamrunCheckpoint", dependencies: ["StreamrunCore", "StreamrunIO", "CLZ4"], swiftSettings: strict),
        // Channels, input gates, partitioners, barrier alignment, keyed state, task execution, the job
        // runner, and the protocols connectors implement (operators, source readers, the sink commit).
        .target(
            name: "StreamrunRuntime",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // Sources, built-in operators, sinks and formats.
        .target(
            name: "StreamrunConnectors",
            dependencies: [
                "StreamrunCore", "StreamrunIO", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A job's life: the launcher, its lifecycle, the checkpoint coordinator, restore and
        // savepoints, inspection of checkpoints, and bench.
        .target(
            name: "StreamrunJob",
            dependencies: [
                "StreamrunCore", "StreamrunIO", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime", "StreamrunConnectors",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The running job's control endpoint (REST and Prometheus metrics) and its HTTP client.
        .target(
            name: "StreamrunControl",
            dependencies: [
                "StreamrunCore", "StreamrunIO", "StreamrunPlan", "StreamrunRuntime", "StreamrunJob",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "streamrun",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunJob", "StreamrunControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "StreamrunCoreTests", dependencies: ["StreamrunCore"]),
        .testTarget(name: "StreamrunPlanTests", dependencies: ["StreamrunCore", "StreamrunPlan"]),
        .testTarget(name: "StreamrunCheckpointTests", dependencies: ["StreamrunCore", "StreamrunIO", "StreamrunCheckpoint"]),
        .testTarget(name: "StreamrunRuntimeTests", dependencies: ["StreamrunCore", "StreamrunPlan", "StreamrunRuntime"]),
        .testTarget(
            name: "StreamrunConnectorsTests",
            dependencies: ["StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime", "StreamrunConnectors", "StreamrunJob"]
        ),
        .testTarget(
            name: "StreamrunJobTests",
            dependencies: ["StreamrunCore", "StreamrunIO", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime", "StreamrunConnectors", "StreamrunJob"]
        ),
        .testTarget(
            name: "StreamrunControlTests",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunJob", "StreamrunControl",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "StreamrunIntegrationTests", dependencies: ["StreamrunCore"]),
    ],
    swiftLanguageModes: [.v6]
)
