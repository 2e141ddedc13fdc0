import BargeRdKafka
import RdKafka
import Testing

@Suite("The bounded memory preset")
struct KafkaMemoryBudgetTests {
    @Test("sets the producer's in-flight and queue limits, and records that fit a chunk")
    func producer() {
        var producer = KafkaProducerConfiguration(bootstrapServers: ["localhost:9092"])
        let before = producer.connection.messageMaxBytes
        KafkaMemoryBudget.bounded.apply(to: &producer, chunkSize: 4 << 20)
        #expect(producer.maximumInFlightBytes == 8 << 20)
        #expect(producer.queueBufferingMaxKBytes == 8 << 10)
        #expect(producer.connection.messageMaxBytes == max(before, (4 << 20) + (64 << 10)))
    }

    @Test("sets the consumer's fetch, queue and buffer limits")
    func consumer() {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: ["localhost:9092"], groupID: "g")
        KafkaMemoryBudget.bounded.apply(to: &consumer)
        #expect(consumer.maxPartitionFetchBytes == 2 << 20)
        #expect(consumer.fetchMaxBytes == 4 << 20)
        #expect(consumer.queuedMaxMessagesKBytes == 4096)
        #expect(consumer.maximumBufferedBytes == 8 << 20)
    }
}
