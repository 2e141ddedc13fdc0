import Barge
import RdKafka

/// Settings of a ``BargeBridge``: where records come from and go, what the
/// bridge does to them (``mode``), and how it delivers them.
public struct BargeBridgeConfiguration: Sendable {
    /// The topic read.
    public var source: String
    /// The topic written; it needs at least as many partitions as ``source``
    /// (record `n` of source partition `p` goes to partition `p`).
    public var target: String
    /// Externalize large values, or internalize Barge messages.
    public var mode: BridgeMode
    /// The Kafka consumer of ``source``; its group id names the bridge's
    /// position (and prefixes the transactional ids). Reads from the
    /// earliest offset when the group has none; the bridge commits offsets
    /// itself, so automatic commits are turned off.
    public var consumer: KafkaConsumerConfiguration
    /// The Kafka producer to ``target``; idempotent. Its transactional id is
    /// set per worker when ``transactions`` is on.
    public var producer: KafkaProducerConfiguration
    /// Exactly once (the default): each worker writes its output and the
    /// source offsets in one Kafka transaction. Off, for a cluster without
    /// transactions: at least once, offsets committed after the output is
    /// acknowledged (a replay after a crash rewrites the same objects).
    public var transactions = true
    /// Workers, each a consumer in the group with its own producer, so that
    /// several partitions move at once.
    public var parallelism = 1
    /// Names this bridge process among the group's: worker `w` uses the
    /// transactional id `<group>-<instance>-<w>`. A restart with the same
    /// name fences the old process and aborts what it left open; several
    /// processes of one group need different names.
    public var instance = "0"
    /// The limits on librdkafka's buffers (``KafkaMemoryBudget/bounded`` by
    /// default: a worker stays within a few times the largest record).
    public var memory: KafkaMemoryBudget? = .bounded
    /// The most records in one transaction.
    public var maximumRecordsPerTransaction = 500
    /// The longest a transaction collects records.
    public var maximumTransactionDuration: Duration = .seconds(1)

    /// A bridge from `source` to `target` through `bootstrapServers`, its
    /// position kept under `groupID`.
    public init(bootstrapServers: [String], groupID: String, source: String, target: String, mode: BridgeMode) {
        self.source = source
        self.target = target
        self.mode = mode
        consumer = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        consumer.autoOffsetReset = .earliest
        producer = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        producer.enableIdempotence = true
    }

    /// The group id, which names the bridge.
    public var groupID: String { consumer.groupID ?? "" }
}

/// What a bridge does to the records it moves.
public enum BridgeMode: Sendable {
    /// Values of at least `threshold` bytes leave Kafka: they are sent as
    /// Barge messages as ``BridgeExternalizeOptions/producer`` says (a claim
    /// check or chunks); smaller ones, and records already in Barge's
    /// format, pass unchanged.
    case externalize(BridgeExternalizeOptions)
    /// Barge messages become plain records again (see
    /// ``BridgeInternalizeOptions``).
    case internalize(BridgeInternalizeOptions)
}

/// How ``BridgeMode/externalize(_:)`` moves large values.
public struct BridgeExternalizeOptions: Sendable {
    /// Values of at least this many bytes are moved.
    public var threshold: Int
    /// How moved values travel: the policy (``LargeMessagePolicy/claimCheck``
    /// or ``LargeMessagePolicy/chunked(chunkSize:)``), the object store,
    /// compression and encryption. With ``BridgeOutputFormat/linkedIn(style:)``
    /// the policy's chunk size is the segment size; with
    /// ``BridgeOutputFormat/bakdata(mode:)`` objects go to the object store,
    /// which must be S3.
    public var producer: LargeMessageProducerOptions
    /// The format written: Barge's (default) or, for consumers that still run
    /// another library, bakdata's or LinkedIn's (docs/interop.md).
    public var format: BridgeOutputFormat = .barge
    /// How the source is read when ``LargeMessageConsumerOptions/interop``
    /// names foreign formats: the bridge then translates a foreign topic into
    /// Barge's format, message by message (LinkedIn segments reassembled,
    /// bakdata and irori objects read from ``LargeMessageConsumerOptions/objectStores``
    /// or ``LargeMessageConsumerOptions/interopBuckets``); a payload below the
    /// threshold becomes a plain record. Default: no foreign formats, records
    /// are moved one by one.
    public var reader = LargeMessageConsumerOptions()

    /// Moves values of at least `threshold` bytes as `producer` says.
    public init(threshold: Int, producer: LargeMessageProducerOptions) {
        self.threshold = threshold
        self.producer = producer
    }

    /// Whether the source is read message by message, in foreign formats.
    var translatesForeignFormats: Bool { !reader.interop.isEmpty }
}

/// The large-message format an externalizing bridge writes.
public enum BridgeOutputFormat: Hashable, Sendable {
    /// Barge's: claim checks or chunks (docs/wire-format.md).
    case barge
    /// bakdata's kafka-large-message-serde: a moved value's object in the S3
    /// store and an `s3://` URI in the record; every other non-null value
    /// inline behind bakdata's flag (`mode` says whether the flag is the
    /// value's first byte or a header).
    case bakdata(mode: BakdataPayload.Mode)
    /// LinkedIn's li-apache-kafka-clients: a moved value as segments of the
    /// policy's chunk size, `style` saying where the segment header goes.
    case linkedIn(style: LinkedInSegment.Style)
}
