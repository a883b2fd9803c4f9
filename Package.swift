// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Rollcall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rollcall", targets: ["rollcall"]),
        .executable(name: "rollcall-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", exact: "4.122.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "5.0.1"),
        .package(url: "https://github.com/vapor/fluent.git", exact: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", exact: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", exact: "2.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
    ],
    targets: [
        // Pure domain: no framework, no I/O.
        .target(name: "SyncEngine"),
        .target(
            name: "PersonioAPI",
            dependencies: [
                "SyncEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "PersonioSandbox",
            dependencies: [
                "PersonioAPI",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "Provisioning",
            dependencies: [
                "SyncEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Hub",
            dependencies: [
                "SyncEngine", "PersonioAPI", "Provisioning",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "rollcall",
            dependencies: [
                "Hub", "PersonioSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks for the figures the issues ask for; run in release builds, never in CI's tests.
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "PersonioAPI", "SyncEngine", "Hub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "PersonioAPI", "PersonioSandbox", "Provisioning",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine"]),
        .testTarget(name: "PersonioAPITests", dependencies: ["PersonioAPI", "TestSupport"]),
        .testTarget(name: "PersonioSandboxTests", dependencies: ["PersonioSandbox", "TestSupport"]),
        .testTarget(name: "ProvisioningTests", dependencies: ["Provisioning", "TestSupport"]),
        .testTarget(
            name: "HubTests",
            dependencies: [
                "Hub", "TestSupport", .product(name: "Fluent", package: "fluent"), .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"), .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
