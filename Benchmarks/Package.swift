// swift-tools-version: 6.1
// Benchmarks for streamrun, kept out of the main package so that `swift build` and `swift test`
// never compile ordo-one/benchmark. Run from the repository root:
//
//     swift package --package-path Benchmarks benchmark
import PackageDescription

let package = Package(
    name: "streamrun-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "streamrun", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Streamrun",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StreamrunCore", package: "streamrun"),
                .product(name: "StreamrunPlan", package: "streamrun"),
                .product(name: "StreamrunRuntime", package: "streamrun"),
                .product(name: "StreamrunConnectors", package: "streamrun"),
                .product(name: "StreamrunJob", package: "streamrun"),
            ],
            path: "Benchmarks/Streamrun",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
