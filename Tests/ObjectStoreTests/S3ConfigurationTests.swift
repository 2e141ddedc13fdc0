@testable import ObjectStore
import Testing

@Suite("S3 configuration and addressing")
struct S3ConfigurationTests {
    private let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "S")

    @Test("AWS by default: virtual-hosted, regional endpoint, 5 MiB parts, 3 at once; larger parts for bodies beyond 10,000 parts")
    func defaults() throws {
        let configuration = try S3Configuration(region: "eu-central-1", credentials: credentials)
        #expect(configuration.endpoint.description == "https://s3.eu-central-1.amazonaws.com")
        #expect(configuration.addressing == .virtualHosted)
        #expect(configuration.partSize == 5 * 1024 * 1024 && configuration.uploadParallelism == 3)
        #expect(configuration.partSize(forExpectedSize: nil) == 5 * 1024 * 1024)
        #expect(configuration.partSize(forExpectedSize: 50 * 1024 * 1024 * 1024) == 6 * 1024 * 1024)
        #expect(configuration.partSize(forExpectedSize: 10_000 * 5 * 1024 * 1024) == 5 * 1024 * 1024)
        #expect(configuration.partSize(forExpectedSize: 1 << 50) == S3Configuration.maximumPartSize)
        #expect(configuration.singlePutThreshold == configuration.partSize)
        #expect(configuration.retryPolicy == S3RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5)))
        let address = configuration.address(bucket: "b", key: "a b/c+d/é")
        #expect(address.host == "b.s3.eu-central-1.amazonaws.com")
        #expect(address.url(encodedQuery: "") == "https://b.s3.eu-central-1.amazonaws.com/a%20b/c%2Bd/%C3%A9")
        #expect(configuration.address(bucket: "b", key: nil).path == "/")
    }

    @Test("a custom endpoint uses path addressing with its port in Host")
    func customEndpoint() throws {
        let configuration = try S3Configuration(endpoint: "http://127.0.0.1:8333/", credentials: credentials)
        #expect(configuration.addressing == .path)
        let address = configuration.address(bucket: "bucket", key: "k~_-./x y")
        #expect(address.host == "127.0.0.1:8333")
        #expect(address.path == "/bucket/k~_-./x%20y")
        #expect(address.url(encodedQuery: "list-type=2&prefix=a%2Fb") == "http://127.0.0.1:8333/bucket/k~_-./x%20y?list-type=2&prefix=a%2Fb")
        #expect(configuration.address(bucket: "bucket", key: nil).path == "/bucket")
        let virtual = try S3Configuration(endpoint: "https://minio.local", addressing: .virtualHosted, credentials: credentials)
        #expect(virtual.address(bucket: "bucket", key: "k").url(encodedQuery: "") == "https://bucket.minio.local/k")
    }

    @Test("bad endpoints are refused", arguments: [
        "ftp://host", "host:80", "http://", "http://:80", "http://host:0", "http://host:99999", "http://host:x",
        "http://user@host", "http://host/path", "http://host?q",
    ])
    func badEndpoint(url: String) {
        #expect {
            _ = try S3Endpoint(url)
        } throws: { ($0 as? ObjectStoreError)?.kind == .configuration }
    }

    @Test("IPv6 endpoints keep their brackets")
    func ipv6() throws {
        let endpoint = try S3Endpoint("http://[::1]:9000")
        #expect(endpoint.host == "[::1]" && endpoint.port == 9000)
        #expect(try S3Endpoint("http://[::1]").port == nil)
    }

    @Test("out-of-range settings are refused")
    func badSettings() {
        #expect(throws: ObjectStoreError.self) { try S3Configuration(credentials: credentials, partSize: 5 * 1024 * 1024 - 1) }
        #expect(throws: ObjectStoreError.self) { try S3Configuration(credentials: credentials, uploadParallelism: 0) }
        #expect(throws: ObjectStoreError.self) { try S3Configuration(credentials: credentials, listPageSize: 1001) }
        #expect(throws: ObjectStoreError.self) { try S3Configuration(region: "us east", credentials: credentials) }
    }

    @Test("bucket names and prefixes are checked; the prefix gets its '/'")
    func bucketAndPrefix() throws {
        let configuration = try S3Configuration(endpoint: "http://127.0.0.1:1", credentials: credentials)
        let store = try S3ObjectStore(bucket: "my-bucket.1", prefix: "claims/v1", configuration: configuration)
        #expect(store.prefix == "claims/v1/")
        #expect(store.location == .s3(bucket: "my-bucket.1", prefix: "claims/v1/"))
        #expect(try S3ObjectStore(bucket: "abc", configuration: configuration).location.description == "s3://abc")
        for bucket in ["ab", "Upper", "under_score", "-dash", "dash-", String(repeating: "a", count: 64)] {
            #expect(throws: ObjectStoreError.self) { try S3ObjectStore(bucket: bucket, configuration: configuration) }
        }
        for prefix in ["/abs", "a//b", "../x"] {
            #expect(throws: ObjectStoreError.self) { try S3ObjectStore(bucket: "abc", prefix: prefix, configuration: configuration) }
        }
    }
}
