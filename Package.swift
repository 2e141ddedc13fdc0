// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Barge",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FileIO", targets: ["FileIO"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "BargeBroker", targets: ["BargeBroker"]),
        .library(name: "BargeBrokerTestKit", targets: ["BargeBrokerTestKit"]),
        .library(name: "KafkaSecurity", targets: ["KafkaSecurity"]),
        .library(name: "KafkaWireClient", targets: ["KafkaWireClient"]),
        .library(name: "KafkaValues", targets: ["KafkaValues"]),
        .library(name: "RdKafka", targets: ["RdKafka"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "BargeCore", targets: ["BargeCore"]),
        .library(name: "Barge", targets: ["Barge"]),
        .library(name: "BargeRdKafka", targets: ["BargeRdKafka"]),
        .library(name: "BargeTestKit", targets: ["BargeTestKit"]),
        .executable(name: "barge", targets: ["BargeCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "FileIO",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .target(
            name: "KafkaProtocol",
            dependencies: ["CCRC32C", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(name: "CCRC32C"),
        .target(
            name: "KafkaSecurity",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .target(
            name: "KafkaWireClient",
            dependencies: [
                "KafkaProtocol",
                "KafkaSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "KafkaCompression",
            dependencies: ["KafkaProtocol", "CBargeCompression"]
        ),
        .target(
            name: "KafkaLog",
            dependencies: [
                "FileIO",
                "KafkaProtocol",
                "KafkaCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BargeBroker",
            dependencies: [
                "FileIO",
                "KafkaProtocol",
                "KafkaLog",
                "ObjectStore",
                "BargeCore",
                "KafkaSecurity",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        .target(name: "KafkaValues"),
        .target(
            name: "RdKafka",
            dependencies: [
                "KafkaValues",
                "CRdKafka",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(
            name: "CBargeCompression",
            pkgConfig: "zlib liblz4 libzstd snappy",
            providers: [.apt(["zlib1g-dev", "liblz4-dev", "libzstd-dev", "libsnappy-dev"]), .brew(["lz4", "zstd", "snappy"])]
        ),
        .target(
            name: "ObjectStore",
            dependencies: [
                "FileIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BargeCore",
            dependencies: [
                "KafkaValues",
                "CBargeCompression",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Barge",
            dependencies: [
                "BargeCore",
                "KafkaCompression",
                "KafkaValues",
                "FileIO",
                "ObjectStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BargeRdKafka",
            dependencies: [
                "Barge",
                "BargeCore",
                "RdKafka",
                "ObjectStore",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BargeTestKit",
            dependencies: [
                "Barge",
                "KafkaValues",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BargeBrokerTestKit",
            dependencies: [
                "BargeBroker",
                "FileIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "BargeCLI",
            dependencies: [
                "Barge",
                "BargeRdKafka",
                "FileIO",
                "ObjectStore",
                "BargeBroker",
                "KafkaProtocol",
                "KafkaSecurity",
                "KafkaWireClient",
                "RdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KafkaSecurityTests",
            dependencies: ["KafkaSecurity"]
        ),
        .testTarget(
            name: "FileIOTests",
            dependencies: ["FileIO"]
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: [
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "KafkaLogTests",
            dependencies: [
                "FileIO",
                "KafkaLog",
                "KafkaProtocol",
                "KafkaCompression",
                "CBargeCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "BargeBrokerTests",
            dependencies: [
                "BargeBroker",
                "KafkaSecurity",
                "KafkaWireClient",
                "FileIO",
                "KafkaLog",
                "ObjectStore",
                "BargeBrokerTestKit",
                "KafkaProtocol",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "FileIO",
                "ObjectStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "BargeTests",
            dependencies: [
                "Barge", "BargeCore", "BargeRdKafka", "BargeTestKit", "FileIO", "RdKafka", "ObjectStore", "BargeBroker", "BargeBrokerTestKit", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "RdKafkaTests",
            dependencies: [
                "RdKafka",
                "CRdKafka",
                "BargeBrokerTestKit",
                "BargeBroker",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
