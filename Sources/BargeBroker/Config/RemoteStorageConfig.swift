/// The broker's tiered storage settings (KIP-405), by Kafka's names where
/// Kafka has one, and with the `rsm.config.` prefix Kafka gives the remote
/// storage manager's own settings (the names Aiven's tiered-storage plugin uses).
public struct RemoteStorageConfig: Sendable, Equatable {
    /// `remote.log.storage.system.enable`: whether topics may set
    /// `remote.storage.enable`. Default: false.
    public var systemEnable = false
    /// `rsm.config.storage.url`: the remote tier, an object store URL as claim
    /// checks take it (`file:///path`, `s3://bucket/prefix?endpoint=...`,
    /// `memory://name`). Required when the feature is on. The prefix belongs
    /// to this broker: objects of topics it does not know are deleted there.
    public var storageURL: String?
    /// `remote.log.manager.task.interval.ms`: how often each tiered partition
    /// is looked at (copy closed segments, apply retention). Default: 30000.
    public var taskIntervalMs: Int64 = 30_000
    /// `remote.log.manager.copy.max.bytes.per.second`: the broker-wide copy
    /// rate. Default: unlimited (Int64.max).
    public var copyMaxBytesPerSecond: Int64 = .max
    /// `remote.log.manager.fetch.max.bytes.per.second`: the broker-wide rate of
    /// reads from the remote tier. Default: unlimited (Int64.max).
    public var fetchMaxBytesPerSecond: Int64 = .max
    /// `remote.fetch.max.wait.ms`: how long a fetch waits for remote data
    /// before it answers without it (the read goes on and fills the cache). Default: 500.
    public var fetchMaxWaitMs: Int64 = 500
    /// `rsm.config.chunk.size`: the bytes of a segment in one remote chunk,
    /// the unit of ranged reads, compression, encryption and caching. Default: 4194304 (4 MiB).
    public var chunkSize: Int = 4 * 1024 * 1024
    /// `rsm.config.compression.enabled`: zstd-compress each chunk whose
    /// batches are not compressed already. Default: false.
    public var compressionEnabled = false
    /// `rsm.config.encryption.keyring`: a keyring file (the claim-check
    /// keyring format); when set, every chunk is encrypted with AES-256-GCM
    /// under a data key per segment, wrapped by the keyring's active key.
    public var encryptionKeyring: String?
    /// `rsm.config.fetch.chunk.cache.path`: the directory of the on-disk chunk
    /// cache. Default: `<log.dirs>/__remote-cache`.
    public var cachePath: String?
    /// `rsm.config.fetch.chunk.cache.size`: the most bytes the chunk cache
    /// keeps on disk. Default: 1073741824 (1 GiB).
    public var cacheSizeBytes: Int64 = 1_073_741_824
    /// `rsm.config.fetch.chunk.cache.prefetch.max.size`: how far past a
    /// remote read the following chunks are fetched ahead. Default: 16777216 (16 MiB).
    public var prefetchMaxBytes: Int64 = 16 * 1024 * 1024

    /// Kafka's defaults: the feature off.
    public init() {}

    /// Every property by name with its current value, for DescribeConfigs.
    var describedEntries: [(name: String, value: String)] {
        [
            ("remote.log.storage.system.enable", String(systemEnable)),
            ("rsm.config.storage.url", storageURL ?? ""),
            ("remote.log.manager.task.interval.ms", String(taskIntervalMs)),
            ("remote.log.manager.copy.max.bytes.per.second", String(copyMaxBytesPerSecond)),
            ("remote.log.manager.fetch.max.bytes.per.second", String(fetchMaxBytesPerSecond)),
            ("remote.fetch.max.wait.ms", String(fetchMaxWaitMs)),
            ("rsm.config.chunk.size", String(chunkSize)),
            ("rsm.config.compression.enabled", String(compressionEnabled)),
            ("rsm.config.encryption.keyring", encryptionKeyring ?? ""),
            ("rsm.config.fetch.chunk.cache.path", cachePath ?? ""),
            ("rsm.config.fetch.chunk.cache.size", String(cacheSizeBytes)),
            ("rsm.config.fetch.chunk.cache.prefetch.max.size", String(prefetchMaxBytes)),
        ]
    }

    typealias Setter = @Sendable (inout RemoteStorageConfig, String, String) throws -> Void

    /// The setters of every property, by name.
    static let setters: [String: Setter] = [
        "remote.log.storage.system.enable": { config, key, value in config.systemEnable = try BrokerConfig.bool(key, value) },
        "rsm.config.storage.url": { config, _, value in config.storageURL = value.isEmpty ? nil : value },
        "remote.log.manager.task.interval.ms": { config, key, value in config.taskIntervalMs = Int64(try BrokerConfig.int(key, value, min: 1)) },
        "remote.log.manager.copy.max.bytes.per.second": { config, key, value in
            config.copyMaxBytesPerSecond = Int64(try BrokerConfig.int(key, value, min: 1))
        },
        "remote.log.manager.fetch.max.bytes.per.second": { config, key, value in
            config.fetchMaxBytesPerSecond = Int64(try BrokerConfig.int(key, value, min: 1))
        },
        "remote.fetch.max.wait.ms": { config, key, value in config.fetchMaxWaitMs = Int64(try BrokerConfig.int(key, value, min: 1)) },
        "rsm.config.chunk.size": { config, key, value in config.chunkSize = try BrokerConfig.int(key, value, min: 4096, max: 1 << 30) },
        "rsm.config.compression.enabled": { config, key, value in config.compressionEnabled = try BrokerConfig.bool(key, value) },
        "rsm.config.encryption.keyring": { config, _, value in config.encryptionKeyring = value.isEmpty ? nil : value },
        "rsm.config.fetch.chunk.cache.path": { config, _, value in config.cachePath = value.isEmpty ? nil : value },
        "rsm.config.fetch.chunk.cache.size": { config, key, value in config.cacheSizeBytes = Int64(try BrokerConfig.int(key, value, min: 1 << 20)) },
        "rsm.config.fetch.chunk.cache.prefetch.max.size": { config, key, value in
            config.prefetchMaxBytes = Int64(try BrokerConfig.int(key, value, min: 0))
        },
    ]

    /// Checks the combination: the feature needs a store, and a cache that
    /// holds what the largest fetch reads from the remote tier (`fetch.max.bytes`,
    /// a chunk more at each end) with the chunks fetched ahead.
    func validate(fetchMaxBytes: Int) throws {
        guard systemEnable else { return }
        if storageURL == nil {
            throw BrokerConfigError("remote.log.storage.system.enable=true needs rsm.config.storage.url, the object store of the remote tier (file:///path or s3://bucket/prefix)")
        }
        let needed = Int64(fetchMaxBytes) + 2 * Int64(chunkSize) + prefetchMaxBytes
        if cacheSizeBytes < needed {
            throw BrokerConfigError("rsm.config.fetch.chunk.cache.size is \(cacheSizeBytes) bytes; it must hold the largest fetch (fetch.max.bytes \(fetchMaxBytes)) with two chunks (rsm.config.chunk.size \(chunkSize)) and the prefetch (\(prefetchMaxBytes)): at least \(needed)")
        }
    }
}
