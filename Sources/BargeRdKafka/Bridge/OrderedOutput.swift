import Barge
import RdKafka

/// The output of a transaction whose claim-check objects are stored while
/// later records are read: each record's output is a step, and steps finish
/// in record order (a reference is produced once its object is stored, a
/// copied record after the references before it), so the target's order is
/// the source's. At most `depth` steps wait unfinished.
actor OrderedOutput {
    enum Step {
        case reference(Task<PreparedClaimCheck, any Error>)
        case records([KafkaProducerMessage])
    }

    private let producer: KafkaProducer
    private let largeMessages: LargeMessageProducer
    private let depth: Int
    private var steps: [Step] = []

    init(producer: KafkaProducer, largeMessages: LargeMessageProducer, depth: Int = 1) {
        self.producer = producer
        self.largeMessages = largeMessages
        self.depth = depth
    }

    /// Adds a record's step, then finishes the oldest until at most `depth` wait.
    func append(_ step: Step) async throws {
        steps.append(step)
        while steps.count > depth { try await finishFirst() }
    }

    /// Finishes every step (before the transaction commits).
    func drain() async throws {
        while !steps.isEmpty { try await finishFirst() }
    }

    /// Stops the stores in progress and forgets every step (the transaction is aborted).
    func cancelAll() async {
        let abandoned = steps
        steps = []
        for case .reference(let store) in abandoned {
            store.cancel()
            _ = try? await store.value
        }
    }

    private func finishFirst() async throws {
        switch steps.removeFirst() {
        case .reference(let store):
            _ = try await largeMessages.sendReference(of: try await store.value)
        case .records(let records):
            for record in records { try await producer.enqueue(record) }
        }
    }
}
