import RdKafka

/// Measures, at most every few seconds, how many records of a worker's
/// partitions it has not read yet (high watermark less position), for the
/// bridge's lag gauge.
struct LagMeter {
    let consumer: KafkaConsumer
    let worker: Int
    let counters: BridgeCounters
    var interval: Duration = .seconds(5)
    private var lastMeasured: ContinuousClock.Instant?

    init(consumer: KafkaConsumer, worker: Int, counters: BridgeCounters) {
        self.consumer = consumer
        self.worker = worker
        self.counters = counters
    }

    /// Measures if the interval has passed; a failed query leaves the last value.
    mutating func measureIfDue() async {
        if let lastMeasured, ContinuousClock.now - lastMeasured < interval { return }
        lastMeasured = .now
        do {
            let positions = try await consumer.position(try await consumer.assignment())
            var lag: Int64 = 0
            for position in positions where position.offset >= 0 {
                let marks = try await consumer.watermarks(of: position.topicPartition, timeout: .seconds(2))
                lag += max(0, marks.high - position.offset)
            }
            counters.lag(lag, worker: worker)
        } catch {
            return
        }
    }
}
