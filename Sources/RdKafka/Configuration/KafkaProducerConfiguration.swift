/// Producer settings. Defaults are librdkafka's unless a line says otherwise.
public struct KafkaProducerConfiguration: Sendable {
    /// Brokers, security, and librdkafka pass-through properties.
    public var connection: KafkaConnectionConfiguration
    /// Acknowledgements the partition leader waits for. librdkafka: `acks`.
    /// Default: all in-sync replicas.
    public var acks: KafkaAcks = .all
    /// Exactly-once, in-order delivery per partition across retries.
    /// librdkafka: `enable.idempotence`. Default: false.
    public var enableIdempotence = false
    /// Compression of produced batches. librdkafka: `compression.codec`. Default: none.
    public var compression: KafkaCompressionCodec = .none
    /// How long to wait for more messages before sending a batch.
    /// librdkafka: `linger.ms`. Default: 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// Largest batch of messages per partition, in bytes. librdkafka:
    /// `batch.size`. Default: 1000000.
    public var batchSize = 1_000_000
    /// How long librdkafka tries to deliver a message, retries included.
    /// Also enforced where librdkafka 2.0 does not (every broker gone): if
    /// no message is acknowledged for this long, all in flight fail with
    /// `timedOut`, naming what the broker last refused them with, if it
    /// refused them (`KAFKA_STORAGE_ERROR` for a full disk).
    /// librdkafka: `message.timeout.ms`. Default: 300 s.
    public var messageTimeout: Duration = .seconds(300)
    /// librdkafka's own queue limit in messages. librdkafka:
    /// `queue.buffering.max.messages`. Default: 100000.
    public var queueBufferingMaxMessages = 100_000
    /// librdkafka's own queue limit in KiB. librdkafka:
    /// `queue.buffering.max.kbytes`. Default: 1048576 (1 GiB).
    public var queueBufferingMaxKBytes = 1_048_576
    /// Barge's limit on bytes (keys and values) handed to librdkafka and not
    /// yet acknowledged; `send` and `enqueue` wait while it is reached. A
    /// single larger message is let through when nothing else is in flight.
    /// Not a librdkafka setting. Default: 64 MiB.
    public var maximumInFlightBytes = 64 * 1024 * 1024
    /// The producer's transactional id: set, the producer is transactional
    /// (idempotent, with ``KafkaProducer/initTransactions(timeout:)`` and
    /// the other transaction calls); a second producer with the same id
    /// fences this one. librdkafka: `transactional.id`. Default: nil.
    public var transactionalID: String?
    /// How long a transaction may stay open before the coordinator aborts
    /// it. librdkafka: `transaction.timeout.ms`; librdkafka wants it at least
    /// as long as the socket and message timeouts, which are shortened to it
    /// if longer. Default: 60 s.
    public var transactionTimeout: Duration = .seconds(60)

    /// `messageTimeout`, or the transaction timeout if that is shorter (transactional producers).
    var effectiveMessageTimeout: Duration {
        transactionalID != nil ? min(messageTimeout, transactionTimeout) : messageTimeout
    }

    /// Settings for the given bootstrap servers, with defaults for the rest.
    public init(bootstrapServers: [String]) {
        connection = KafkaConnectionConfiguration(bootstrapServers: bootstrapServers)
    }

    var properties: [(String, String)] {
        // librdkafka's `msg` debug lines tell what a broker refused a produce
        // request with before retrying (see DeliveryStallWatch).
        var connection = connection
        if transactionalID != nil, connection.socketTimeout > transactionTimeout {
            connection.socketTimeout = transactionTimeout
        }
        if !connection.debugContexts.contains("msg") && !connection.debugContexts.contains("all") {
            connection.debugContexts.append("msg")
        }
        var specific = [
            ("acks", acks.value),
            ("enable.idempotence", String(enableIdempotence || transactionalID != nil)),
            ("compression.codec", compression.name),
            ("linger.ms", String(linger.milliseconds)),
            ("batch.size", String(batchSize)),
            ("message.timeout.ms", String(effectiveMessageTimeout.milliseconds)),
            ("queue.buffering.max.messages", String(queueBufferingMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueBufferingMaxKBytes)),
        ]
        if let transactionalID {
            specific.append(("transactional.id", transactionalID))
            specific.append(("transaction.timeout.ms", String(transactionTimeout.milliseconds)))
        }
        return connection.properties(with: specific)
    }
}

/// How many replicas acknowledge a produced message. librdkafka: `acks`.
public struct KafkaAcks: Hashable, Sendable {
    let value: String
    /// Every in-sync replica (`acks=all`).
    public static let all = KafkaAcks(value: "all")
    /// The partition leader only (`acks=1`).
    public static let leader = KafkaAcks(value: "1")
    /// No acknowledgement (`acks=0`); offsets in delivery reports are unknown.
    public static let none = KafkaAcks(value: "0")
}

/// A compression codec for produced batches. librdkafka: `compression.codec`.
public struct KafkaCompressionCodec: Hashable, Sendable {
    /// librdkafka's name for it.
    public let name: String
    /// No compression.
    public static let none = KafkaCompressionCodec(name: "none")
    /// gzip.
    public static let gzip = KafkaCompressionCodec(name: "gzip")
    /// Snappy.
    public static let snappy = KafkaCompressionCodec(name: "snappy")
    /// LZ4.
    public static let lz4 = KafkaCompressionCodec(name: "lz4")
    /// Zstandard.
    public static let zstd = KafkaCompressionCodec(name: "zstd")
}
