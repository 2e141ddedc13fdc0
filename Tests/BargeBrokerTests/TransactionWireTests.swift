import BargeBroker
import Foundation
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

/// The transaction coordinator over the wire: the happy paths, every
/// out-of-order call answered with Kafka's error code, fencing, timeouts
/// and state that survives a restart.
@Suite("Transactions over the wire", .timeLimit(.minutes(2)))
struct TransactionWireTests: Sendable {
    let helper = BrokerRoundTripTests()

    struct Producer {
        var id: Int64
        var epoch: Int16
    }

    func initProducer(_ client: KafkaTestClient, _ transactionalId: String?, timeoutMs: Int32 = 60_000,
                      expected: Producer? = nil, version: Int16 = 4) async throws -> (Int16, Producer) {
        var request = InitProducerIdRequest()
        request.transactionalId = transactionalId
        request.transactionTimeoutMs = timeoutMs
        request.producerId = expected?.id ?? -1
        request.producerEpoch = expected?.epoch ?? -1
        let response = try await client.request(request, apiKey: .initProducerId, version: version, as: InitProducerIdResponse.self)
        return (response.errorCode, Producer(id: response.producerId, epoch: response.producerEpoch))
    }

    func addPartitions(_ client: KafkaTestClient, _ transactionalId: String, _ producer: Producer,
                       _ partitions: [(String, Int32)], version: Int16 = 3) async throws -> [String: Int16] {
        var request = AddPartitionsToTxnRequest()
        request.v3AndBelowTransactionalId = transactionalId
        request.v3AndBelowProducerId = producer.id
        request.v3AndBelowProducerEpoch = producer.epoch
        request.v3AndBelowTopics = Dictionary(grouping: partitions, by: \.0).map { name, entries in
            var topic = AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
            topic.name = name
            topic.partitions = entries.map(\.1)
            return topic
        }
        let response = try await client.request(request, apiKey: .addPartitionsToTxn, version: version, as: AddPartitionsToTxnResponse.self)
        var codes: [String: Int16] = [:]
        for topic in response.resultsByTopicV3AndBelow {
            for partition in topic.resultsByPartition { codes["\(topic.name)-\(partition.partitionIndex)"] = partition.partitionErrorCode }
        }
        return codes
    }

    func endTxn(_ client: KafkaTestClient, _ transactionalId: String, _ producer: Producer, commit: Bool, version: Int16 = 3) async throws -> Int16 {
        var request = EndTxnRequest()
        request.transactionalId = transactionalId
        request.producerId = producer.id
        request.producerEpoch = producer.epoch
        request.committed = commit
        return try await client.request(request, apiKey: .endTxn, version: version, as: EndTxnResponse.self).errorCode
    }

    func addOffsets(_ client: KafkaTestClient, _ transactionalId: String, _ producer: Producer, group: String) async throws -> Int16 {
        var request = AddOffsetsToTxnRequest()
        request.transactionalId = transactionalId
        request.producerId = producer.id
        request.producerEpoch = producer.epoch
        request.groupId = group
        return try await client.request(request, apiKey: .addOffsetsToTxn, version: 3, as: AddOffsetsToTxnResponse.self).errorCode
    }

    func txnCommit(_ client: KafkaTestClient, _ transactionalId: String, _ producer: Producer, group: String, topic: String, offset: Int64) async throws -> Int16 {
        var partition = TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
        partition.partitionIndex = 0
        partition.committedOffset = offset
        var entry = TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
        entry.name = topic
        entry.partitions = [partition]
        var request = TxnOffsetCommitRequest()
        request.transactionalId = transactionalId
        request.groupId = group
        request.producerId = producer.id
        request.producerEpoch = producer.epoch
        request.topics = [entry]
        let response = try await client.request(request, apiKey: .txnOffsetCommit, version: 3, as: TxnOffsetCommitResponse.self)
        return try #require(response.topics.first?.partitions.first?.errorCode)
    }

    func committedOffset(_ client: KafkaTestClient, group: String, topic: String, requireStable: Bool) async throws -> (Int16, Int64) {
        var wanted = OffsetFetchRequest.OffsetFetchRequestTopic()
        wanted.name = topic
        wanted.partitionIndexes = [0]
        var request = OffsetFetchRequest()
        request.groupId = group
        request.topics = [wanted]
        request.requireStable = requireStable
        let response = try await client.request(request, apiKey: .offsetFetch, version: 7, as: OffsetFetchResponse.self)
        let partition = try #require(response.topics.first?.partitions.first)
        return (partition.errorCode, partition.committedOffset)
    }

    /// A transactional batch of `values` from `producer` at `sequence`.
    func transactionalBatch(_ values: [String], _ producer: Producer, sequence: Int32) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        builder.producerId = producer.id
        builder.producerEpoch = producer.epoch
        builder.baseSequence = sequence
        builder.isTransactional = true
        for value in values { builder.append(key: nil, value: ByteBuffer(string: value), timestamp: Int64(Date().timeIntervalSince1970 * 1000)) }
        return builder.build()
    }

    func produce(_ client: KafkaTestClient, topic: String, batch: ByteBuffer, transactionalId: String?) async throws -> Int16 {
        try await client.produce(topic: topic, batch: batch, transactionalId: transactionalId).errorCode
    }

    func fetch(_ client: KafkaTestClient, topic: String, readCommitted: Bool) async throws -> FetchResponse.PartitionData {
        try await client.fetch(topic: topic, offset: 0, minBytes: 0, readCommitted: readCommitted, version: 11)
    }

    func values(_ data: FetchResponse.PartitionData) throws -> [String] {
        guard let bytes = data.records?.inMemoryBytes else { return [] }
        return try RecordBatch.split(bytes).filter { !$0.header.attributes.isControl }.flatMap { try $0.records() }.map { String(buffer: $0.value!) }
    }

    @Test("a committed transaction becomes visible to read_committed at its marker; an aborted one is listed to skip")
    func commitAndAbort() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("orders")
            let (code, producer) = try await initProducer(client, "tx-orders")
            #expect(code == 0 && producer.epoch == 0 && producer.id >= 0)
            #expect(try await addPartitions(client, "tx-orders", producer, [("orders", 0)]) == ["orders-0": 0])
            #expect(try await produce(client, topic: "orders", batch: transactionalBatch(["a", "b"], producer, sequence: 0), transactionalId: "tx-orders") == 0)

            let pending = try await fetch(client, topic: "orders", readCommitted: true)
            #expect(try values(pending).isEmpty && pending.lastStableOffset == 0 && pending.highWatermark == 2)
            #expect(try values(try await fetch(client, topic: "orders", readCommitted: false)) == ["a", "b"])

            #expect(try await endTxn(client, "tx-orders", producer, commit: true) == 0)
            #expect(try await endTxn(client, "tx-orders", producer, commit: true) == 0, "a retried commit succeeds again")
            let committed = try await fetch(client, topic: "orders", readCommitted: true)
            #expect(try values(committed) == ["a", "b"] && committed.lastStableOffset == 3 && committed.highWatermark == 3)

            #expect(try await addPartitions(client, "tx-orders", producer, [("orders", 0)]) == ["orders-0": 0])
            #expect(try await produce(client, topic: "orders", batch: transactionalBatch(["c"], producer, sequence: 2), transactionalId: "tx-orders") == 0)
            #expect(try await endTxn(client, "tx-orders", producer, commit: false) == 0)
            let afterAbort = try await fetch(client, topic: "orders", readCommitted: true)
            #expect(afterAbort.abortedTransactions?.map(\.firstOffset) == [3])
            #expect(afterAbort.abortedTransactions?.map(\.producerId) == [producer.id])
            #expect(try await endTxn(client, "tx-orders", producer, commit: true) == KafkaErrorCode.invalidTxnState.code,
                    "a commit after the abort completed")
        }
    }

    @Test("every out-of-order call gets Kafka's error code and the coordinator goes on")
    func outOfOrderCalls() async throws {
        try await withEmbeddedBroker(configure: { $0 = try! $0.applying([("transaction.max.timeout.ms", "60000")]) }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("events")
            let stranger = Producer(id: 999, epoch: 0)
            #expect(try await addPartitions(client, "nobody", stranger, [("events", 0)]) == ["events-0": KafkaErrorCode.invalidProducerIdMapping.code])
            #expect(try await endTxn(client, "nobody", stranger, commit: true) == KafkaErrorCode.invalidProducerIdMapping.code)
            #expect(try await addOffsets(client, "nobody", stranger, group: "g") == KafkaErrorCode.invalidProducerIdMapping.code)
            #expect(try await initProducer(client, "tx", timeoutMs: 60_001).0 == KafkaErrorCode.invalidTransactionTimeout.code)
            #expect(try await initProducer(client, "tx", timeoutMs: 0).0 == KafkaErrorCode.invalidTransactionTimeout.code)
            #expect(try await initProducer(client, "").0 == KafkaErrorCode.invalidRequest.code)

            let (_, producer) = try await initProducer(client, "tx")
            #expect(try await endTxn(client, "tx", producer, commit: true) == KafkaErrorCode.invalidTxnState.code, "no transaction in progress")
            #expect(try await endTxn(client, "tx", Producer(id: producer.id + 1, epoch: 0), commit: true) == KafkaErrorCode.invalidProducerIdMapping.code)
            #expect(try await endTxn(client, "tx", Producer(id: producer.id, epoch: 5), commit: true) == KafkaErrorCode.producerFenced.code)
            #expect(try await endTxn(client, "tx", Producer(id: producer.id, epoch: 5), commit: true, version: 1) == KafkaErrorCode.invalidProducerEpoch.code)
            #expect(try await produce(client, topic: "events", batch: transactionalBatch(["x"], producer, sequence: 0), transactionalId: "tx")
                    == KafkaErrorCode.invalidTxnState.code, "a partition not added to the transaction")
            #expect(try await produce(client, topic: "events", batch: transactionalBatch(["x"], producer, sequence: 0), transactionalId: nil)
                    == KafkaErrorCode.invalidRecord.code, "a transactional batch without a transactional id")
            #expect(try await txnCommit(client, "tx", producer, group: "g", topic: "events", offset: 1) == KafkaErrorCode.invalidTxnState.code)
            #expect(try await addPartitions(client, "tx", producer, [("events", 0), ("missing", 0), ("events", 7)])
                    == ["events-0": KafkaErrorCode.operationNotAttempted.code, "missing-0": KafkaErrorCode.unknownTopicOrPartition.code,
                        "events-7": KafkaErrorCode.unknownTopicOrPartition.code])
            #expect(try await addPartitions(client, "tx", producer, [("events", 0)]) == ["events-0": 0], "the coordinator goes on")
            #expect(try await produce(client, topic: "events", batch: transactionalBatch(["x"], Producer(id: producer.id, epoch: 3), sequence: 0),
                                      transactionalId: "tx") == KafkaErrorCode.invalidProducerEpoch.code)
            #expect(try await endTxn(client, "tx", producer, commit: false) == 0)
            #expect(try await endTxn(client, "tx", producer, commit: false) == 0, "a retried abort succeeds again")
        }
    }

    @Test("a second producer with the same transactional id fences the first and aborts its transaction")
    func fencing() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("fenced")
            let (_, first) = try await initProducer(client, "tx")
            _ = try await addPartitions(client, "tx", first, [("fenced", 0)])
            #expect(try await produce(client, topic: "fenced", batch: transactionalBatch(["zombie"], first, sequence: 0), transactionalId: "tx") == 0)
            let (_, second) = try await initProducer(client, "tx")
            #expect(second.id == first.id && second.epoch > first.epoch)
            #expect(try await endTxn(client, "tx", first, commit: true) == KafkaErrorCode.producerFenced.code)
            #expect(try await addPartitions(client, "tx", first, [("fenced", 0)]) == ["fenced-0": KafkaErrorCode.producerFenced.code])
            #expect(try await produce(client, topic: "fenced", batch: transactionalBatch(["late"], first, sequence: 1), transactionalId: "tx")
                    == KafkaErrorCode.invalidTxnState.code)
            let read = try await fetch(client, topic: "fenced", readCommitted: true)
            // The broker sends aborted records with the list that tells the consumer to skip them.
            #expect(try values(read) == ["zombie"] && read.abortedTransactions?.map(\.firstOffset) == [0] && read.lastStableOffset == read.highWatermark)
            #expect(try await initProducer(client, "tx", expected: first).0 == KafkaErrorCode.producerFenced.code, "KIP-360 with a fenced epoch")
            let (code, third) = try await initProducer(client, "tx", expected: second)
            #expect(code == 0 && third.epoch == second.epoch + 1)
        }
    }

    @Test("offsets sent to a transaction are unstable until it commits, and dropped when it aborts")
    func transactionalOffsets() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("source")
            let (_, producer) = try await initProducer(client, "tx")
            #expect(try await addOffsets(client, "tx", producer, group: "pipeline") == 0)
            #expect(try await txnCommit(client, "tx", producer, group: "pipeline", topic: "source", offset: 42) == 0)
            #expect(try await committedOffset(client, group: "pipeline", topic: "source", requireStable: true).0 == KafkaErrorCode.unstableOffsetCommit.code)
            #expect(try await committedOffset(client, group: "pipeline", topic: "source", requireStable: false) == (0, -1))
            #expect(try await endTxn(client, "tx", producer, commit: true) == 0)
            #expect(try await committedOffset(client, group: "pipeline", topic: "source", requireStable: true) == (0, 42))

            #expect(try await addOffsets(client, "tx", producer, group: "pipeline") == 0)
            #expect(try await txnCommit(client, "tx", producer, group: "pipeline", topic: "source", offset: 50) == 0)
            #expect(try await endTxn(client, "tx", producer, commit: false) == 0)
            #expect(try await committedOffset(client, group: "pipeline", topic: "source", requireStable: true) == (0, 42))
        }
    }

    @Test("a transaction past its timeout is aborted and its producer fenced")
    func timeout() async throws {
        try await withEmbeddedBroker(configure: { $0 = try! $0.applying([("transaction.abort.timed.out.transaction.cleanup.interval.ms", "50")]) }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("slow")
            // Long enough that a loaded machine still produces before the timeout; the wait below is for the abort.
            let (_, producer) = try await initProducer(client, "tx", timeoutMs: 5_000)
            _ = try await addPartitions(client, "tx", producer, [("slow", 0)])
            #expect(try await produce(client, topic: "slow", batch: transactionalBatch(["late"], producer, sequence: 0), transactionalId: "tx") == 0)
            var read = try await fetch(client, topic: "slow", readCommitted: true)
            let deadline = ContinuousClock.now + .seconds(60)
            while read.lastStableOffset != read.highWatermark, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                read = try await fetch(client, topic: "slow", readCommitted: true)
            }
            #expect(read.lastStableOffset == 2 && read.abortedTransactions?.map(\.firstOffset) == [0])
            #expect(try await endTxn(client, "tx", producer, commit: true) == KafkaErrorCode.producerFenced.code)
        }
    }

    @Test("the coordinator's state survives a restart: epochs go on, a transaction in progress can still commit")
    func restart() async throws {
        let (directory, producer) = try await withEmbeddedBroker(keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("durable")
            let (_, producer) = try await initProducer(client, "tx")
            _ = try await addPartitions(client, "tx", producer, [("durable", 0)])
            #expect(try await produce(client, topic: "durable", batch: transactionalBatch(["kept"], producer, sequence: 0), transactionalId: "tx") == 0)
            return (broker.dataDirectory, producer)
        }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            #expect(try await fetch(client, topic: "durable", readCommitted: true).lastStableOffset == 0, "still open")
            #expect(try await endTxn(client, "tx", producer, commit: true) == 0)
            #expect(try values(try await fetch(client, topic: "durable", readCommitted: true)) == ["kept"])
            let (_, next) = try await initProducer(client, "tx")
            #expect(next.id == producer.id && next.epoch == producer.epoch + 1)
        }
    }
}

@Suite("Transaction admin APIs over the wire", .timeLimit(.minutes(2)))
struct TransactionAdminWireTests {
    let wire = TransactionWireTests()

    @Test("DescribeTransactions, ListTransactions and DescribeProducers show an open transaction as Kafka's tools expect")
    func adminViews() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("watched", partitions: 2)
            let (_, open) = try await wire.initProducer(client, "tx-open", timeoutMs: 30_000)
            _ = try await wire.addPartitions(client, "tx-open", open, [("watched", 0)])
            #expect(try await wire.produce(client, topic: "watched", batch: wire.transactionalBatch(["x"], open, sequence: 0), transactionalId: "tx-open") == 0)
            let (_, idle) = try await wire.initProducer(client, "tx-idle")

            var describe = DescribeTransactionsRequest()
            describe.transactionalIds = ["tx-open", "tx-missing"]
            let described = try await client.request(describe, apiKey: .describeTransactions, version: 0, as: DescribeTransactionsResponse.self)
            let state = try #require(described.transactionStates.first)
            #expect(state.errorCode == 0 && state.transactionState == "Ongoing" && state.producerId == open.id && state.transactionTimeoutMs == 30_000)
            #expect(state.topics.map(\.topic) == ["watched"] && state.topics.first?.partitions == [0] && state.transactionStartTimeMs > 0)
            #expect(described.transactionStates.last?.errorCode == KafkaErrorCode.transactionalIdNotFound.code)

            var list = ListTransactionsRequest()
            let all = try await client.request(list, apiKey: .listTransactions, version: 1, as: ListTransactionsResponse.self)
            #expect(Set(all.transactionStates.map(\.transactionalId)) == ["tx-open", "tx-idle"])
            list.stateFilters = ["Ongoing", "Bogus"]
            let ongoing = try await client.request(list, apiKey: .listTransactions, version: 1, as: ListTransactionsResponse.self)
            #expect(ongoing.transactionStates.map(\.transactionalId) == ["tx-open"] && ongoing.unknownStateFilters == ["Bogus"])
            list.stateFilters = []
            list.producerIdFilters = [idle.id]
            #expect(try await client.request(list, apiKey: .listTransactions, version: 1, as: ListTransactionsResponse.self)
                .transactionStates.map(\.transactionalId) == ["tx-idle"])

            var producers = DescribeProducersRequest()
            var wanted = DescribeProducersRequest.TopicRequest()
            wanted.name = "watched"
            wanted.partitionIndexes = [0, 1, 9]
            producers.topics = [wanted]
            let answer = try await client.request(producers, apiKey: .describeProducers, version: 0, as: DescribeProducersResponse.self)
            let partitions = try #require(answer.topics.first?.partitions)
            #expect(partitions[0].activeProducers.map(\.producerId) == [open.id])
            #expect(partitions[0].activeProducers.first?.currentTxnStartOffset == 0 && partitions[0].activeProducers.first?.lastSequence == 0)
            #expect(partitions[1].activeProducers.isEmpty && partitions[2].errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
        }
    }
}
