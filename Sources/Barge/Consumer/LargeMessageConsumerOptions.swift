import FileIO
import Foundation
import ObjectStore

/// What a ``LargeMessageConsumer`` does with records, whatever its
/// transport: delivery, memory budget and spilling, expiry, commits, wire
/// limits, claim-check stores and keys, bad records.
public struct LargeMessageConsumerOptions: Sendable {
    /// When messages are handed over: once complete and verified (the
    /// default), or progressively from their first chunk.
    public var delivery: Delivery = .whenComplete
    /// Payload bytes held in memory across all partitions and messages
    /// (assembling, or delivered and not yet read); beyond it the largest
    /// holder spills to ``spillDirectory``. Default: 32 MiB.
    public var memoryBudget = 32 << 20
    /// Where payloads beyond the budget are spilled, in anonymous files that
    /// vanish when closed or when the process dies. Default: the system's
    /// temporary directory.
    public var spillDirectory: String = FileManager.default.temporaryDirectory.path
    /// The file system ``spillDirectory`` is on; tests pass an
    /// `InMemoryFileSystem` to make spilling fail. Default: the real one.
    public var fileSystem: any FileSystemIO = PosixFileSystem()
    /// A message is expired when this many records of its partition passed
    /// since its last chunk. Default: 100,000.
    public var expireAfterRecords: Int64 = 100_000
    /// A message is expired when no chunk of it came for this long. Default: 5 minutes.
    public var expireAfterIdle: Duration = .seconds(300)
    /// How often handled messages are committed. Default: 5 seconds.
    public var commitInterval: Duration = .seconds(5)
    /// Whether the consumer commits offsets itself: every ``commitInterval``,
    /// when partitions are revoked, on ``LargeMessageConsumer/commit()`` and
    /// on close. Off, it never does; the application commits
    /// ``LargeMessageConsumer/handledOffsets()`` itself, in a Kafka
    /// transaction with its output (the bridge does). Default: on.
    public var commitsOffsets = true
    /// Bounds on what record headers may claim. The chunk size bound (also
    /// applied to inline payloads) caps what one record can make the reader
    /// allocate to decompress it. Default: the wire format's limits with
    /// chunks (and inline payloads) of at most 64 MiB.
    public var limits: BargeWireLimits = {
        var limits = BargeWireLimits()
        limits.maximumChunkSize = 64 << 20
        return limits
    }()

    /// The stores claim checks are read from: a reference is resolved by the
    /// store whose location holds its object URL (`s3://bucket/prefix/...`,
    /// `file:///root/...`); this store's own settings (endpoint, credentials)
    /// are used. References outside every store are never followed.
    public var objectStores: [any ObjectStore] = []
    /// Foreign large-message formats read from records that carry no Barge
    /// headers (docs/interop.md): bakdata's serde (inline payloads, and
    /// references read from ``interopBuckets`` or ``objectStores``),
    /// LinkedIn's segments (reassembled as Barge's chunks are, within the
    /// same memory budget and expiry), irori's claim checks. A record in
    /// none of them is delivered as a plain record; one that is broken is a
    /// `malformedRecord` failure, one naming a store Barge cannot read
    /// (Azure, Google Cloud) an `unsupportedStore` failure. With `bakdata`,
    /// every other non-null value must begin with bakdata's flag byte.
    /// Default: none.
    public var interop: Set<InteropFormat> = []
    /// Stores of foreign formats' references by bucket: an `s3://bucket/key`
    /// reference is read from `interopBuckets[bucket]`, key `key`. A bucket
    /// not listed is looked up in ``objectStores`` by its URI. Default: none.
    public var interopBuckets: [String: any ObjectStore] = [:]
    /// Keys for encrypted claim-check objects.
    public var encryption: BargeKeyring?
    /// What happens to bad records: malformed, forged or corrupt records
    /// that can never be delivered. Default: ``BadRecordPolicy/report``
    /// (a failure event, then commits pass them).
    public var badRecords: BadRecordPolicy = .report
    /// How failed reads from an object store are retried (resuming where
    /// they stopped) before the payload throws.
    public var storeRetry = BargeRetryPolicy()
    /// Called as each message's bytes are received and verified (from the
    /// task reading events or the payload); keep it short. Default: none.
    public var progress: (@Sendable (BargeReceiveProgress) -> Void)?

    /// When messages are handed to the application.
    public typealias Delivery = BargeDelivery

    /// The defaults documented on each setting.
    public init() {}
}
