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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Value types: schemas, columns, record batches, stream elements, errors.
        .target(name: "StreamrunCore", swiftSettings: strict),
        // job.json: ordered JSON, the job spec, validation, expressions, the logical plan.
        .target(name: "StreamrunPlan", dependencies: ["StreamrunCore"], swiftSettings: strict),
        // Snapshot codec, LZ4 frames, checkpoint paths and store.
        .target(name: "StreamrunCheckpoint", dependencies: ["StreamrunCore", "CLZ4"], swiftSettings: strict),
        // Channels, input gates, partitioners, task execution, the job runner.
        .target(
            name: "StreamrunRuntime",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // Sources, built-in operators, sinks, formats, and the job launcher.
        .target(
            name: "StreamrunConnectors",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The running job's control endpoint (REST and Prometheus metrics) and its HTTP client.
        .target(
            name: "StreamrunControl",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunRuntime", "StreamrunConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "streamrun",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime", "StreamrunConnectors",
                "StreamrunControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "StreamrunCoreTests", dependencies: ["StreamrunCore"]),
        .testTarget(name: "StreamrunPlanTests", dependencies: ["StreamrunCore", "StreamrunPlan"]),
        .testTarget(name: "StreamrunCheckpointTests", dependencies: ["StreamrunCore", "StreamrunCheckpoint"]),
        .testTarget(name: "StreamrunRuntimeTests", dependencies: ["StreamrunCore", "StreamrunPlan", "StreamrunRuntime"]),
        .testTarget(
            name: "StreamrunConnectorsTests",
            dependencies: ["StreamrunCore", "StreamrunPlan", "StreamrunCheckpoint", "StreamrunRuntime", "StreamrunConnectors"]
        ),
        .testTarget(
            name: "StreamrunControlTests",
            dependencies: [
                "StreamrunCore", "StreamrunPlan", "StreamrunConnectors", "StreamrunControl",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "StreamrunIntegrationTests", dependencies: ["StreamrunCore"]),
    ],
    swiftLanguageModes: [.v6]
)
