// swift-tools-version:6.1
// The domain's hot paths measured with package-benchmark. A package of its own, so that the
// application's build and CI never compile the benchmark tooling:
//   cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "corridor-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "corridor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DomainHotPaths",
            dependencies: [
                .product(name: "CorridorCore", package: "corridor"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DomainHotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
