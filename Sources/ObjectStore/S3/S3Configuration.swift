/// How to reach an S3-compatible service and how to talk to it.
///
/// Every setting is checked once, here; a bad one throws `ObjectStoreError` `.configuration`.
public struct S3Configuration: Sendable {
    /// How a bucket is named in a request's URL.
    public enum Addressing: String, Sendable, Hashable {
        /// `https://endpoint/bucket/key`: what most S3-compatible stores expect.
        case path
        /// `https://bucket.endpoint/key`: what AWS prefers.
        case virtualHosted
    }

    /// The smallest part S3 accepts in a multipart upload (except the last): 5 MiB.
    public static let minimumPartSize = 5 * 1024 * 1024
    /// The largest part S3 accepts: 5 GiB.
    public static let maximumPartSize = 5 * 1024 * 1024 * 1024
    /// The most parts one multipart upload can have.
    public static let maximumPartCount = 10_000
    /// The default part size: 5 MiB.
    public static let defaultPartSize = 5 * 1024 * 1024
    /// The default number of parts uploaded at once: 3.
    public static let defaultUploadParallelism = 3

    /// The service's address. Default: AWS's endpoint for `region`.
    public let endpoint: S3Endpoint
    /// The region requests are signed for. Default: `us-east-1`.
    public let region: String
    /// How the bucket appears in URLs. Default: `.virtualHosted` for AWS, `.path` for a custom endpoint.
    public let addressing: Addressing
    /// The size of each part of a multipart upload. Default: 5 MiB; at least 5 MiB. A put
    /// whose size is known and would need more than 10,000 parts uses larger parts.
    public let partSize: Int
    /// How many parts are uploaded at once. Default: 3. A `put` holds at most
    /// `(uploadParallelism + 1) × partSize` bytes of its body in memory (the parts in flight
    /// and the one being read).
    public let uploadParallelism: Int
    /// How failures that may pass are retried.
    public let retryPolicy: S3RetryPolicy
    /// The identity requests are signed with.
    public let credentials: AWSCredentials
    /// How long one request may take until the response's head has arrived (uploads
    /// included). Default: 60 s.
    public let requestTimeout: Duration
    /// How many keys one ListObjectsV2 page asks for. Default: 1,000 (S3's maximum).
    public let listPageSize: Int

    /// Objects of at most this many bytes are stored with a single PUT; larger ones with a
    /// multipart upload. Equal to `partSize`.
    public var singlePutThreshold: Int { partSize }

    /// The part size for a body of `expectedSize` bytes: `partSize`, or, when that many bytes
    /// would need more than `maximumPartCount` parts, the smallest whole number of MiB that fits.
    func partSize(forExpectedSize expectedSize: Int64?) -> Int {
        guard let expectedSize, expectedSize > Int64(partSize) * Int64(Self.maximumPartCount) else { return partSize }
        let mebibyte = Int64(1 << 20)
        let needed = (expectedSize + Int64(Self.maximumPartCount) - 1) / Int64(Self.maximumPartCount)
        return Int(min((needed + mebibyte - 1) / mebibyte * mebibyte, Int64(Self.maximumPartSize)))
    }

    /// Settings for a store at `endpoint` (AWS when nil).
    ///
    /// - Throws: `ObjectStoreError` `.configuration` naming the setting that is out of range.
    public init(
        endpoint: String? = nil,
        region: String = "us-east-1",
        addressing: Addressing? = nil,
        credentials: AWSCredentials,
        partSize: Int = S3Configuration.defaultPartSize,
        uploadParallelism: Int = S3Configuration.defaultUploadParallelism,
        retryPolicy: S3RetryPolicy = S3RetryPolicy(),
        requestTimeout: Duration = .seconds(60),
        listPageSize: Int = 1000
    ) throws(ObjectStoreError) {
        if region.isEmpty || region.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ObjectStoreError(.configuration, "S3 region '\(region)' is not a region name (letters, digits and '-')")
        }
        guard (Self.minimumPartSize...Self.maximumPartSize).contains(partSize) else {
            throw ObjectStoreError(.configuration, "S3 part size \(partSize) is outside 5 MiB ... 5 GiB")
        }
        guard (1...64).contains(uploadParallelism) else {
            throw ObjectStoreError(.configuration, "S3 upload parallelism \(uploadParallelism) is outside 1 ... 64")
        }
        guard (1...1000).contains(listPageSize) else {
            throw ObjectStoreError(.configuration, "S3 list page size \(listPageSize) is outside 1 ... 1000")
        }
        guard requestTimeout > .zero else {
            throw ObjectStoreError(.configuration, "S3 request timeout must be positive")
        }
        if let endpoint {
            self.endpoint = try S3Endpoint(endpoint)
            self.addressing = addressing ?? .path
        } else {
            self.endpoint = .aws(region: region)
            self.addressing = addressing ?? .virtualHosted
        }
        self.region = region
        self.credentials = credentials
        self.partSize = partSize
        self.uploadParallelism = uploadParallelism
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.listPageSize = listPageSize
    }
}
