import BargeRdKafka
import RdKafka

/// The Kafka settings the `barge` tools run with: the library's
/// ``KafkaMemoryBudget/bounded`` preset, and a 30-second delivery timeout.
enum ToolDefaults {
    /// Producer: the bounded preset (records big enough for a chunk of
    /// `chunkSize`), failing records not acknowledged within 30 seconds.
    static func apply(to producer: inout KafkaProducerConfiguration, chunkSize: Int) {
        producer.messageTimeout = .seconds(30)
        KafkaMemoryBudget.bounded.apply(to: &producer, chunkSize: chunkSize)
    }

    /// Consumer: the bounded preset.
    static func apply(to consumer: inout KafkaConsumerConfiguration) {
        KafkaMemoryBudget.bounded.apply(to: &consumer)
    }
}
