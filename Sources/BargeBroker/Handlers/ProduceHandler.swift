import KafkaLog
import Foundation
import KafkaProtocol

/// Produce, versions 0-9, record batch v2 only: checks each partition's
/// batches (size, CRC, the records inside with `RecordBatchValidator`,
/// producer sequence) on the I/O pool and appends them as received, with
/// offsets assigned by rewriting the base offset. A refused batch is not
/// appended at all; from v8 its answer carries `error_message` and, when one
/// record is to blame, `record_errors`. Kafka's internal topics get
/// INVALID_TOPIC_EXCEPTION. acks=0 gets no response;
/// acks=1 and acks=-1 are answered after the append (one replica: both mean
/// the leader has the batch).
///
/// Versions 0-2 are advertised although they can only carry message format
/// v0/v1, which is refused with UNSUPPORTED_FOR_MESSAGE_FORMAT: librdkafka
/// before 2.10 sends gzip, snappy and lz4 batches only to brokers whose
/// Produce range includes v0, and sends uncompressed batches otherwise.
struct ProduceHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.produce
    static let versions: ClosedRange<Int16> = 0...9

    /// Where a record batch (or legacy message) keeps its magic byte.
    static let magicOffset = 16

    /// Records that the connection streamed into spool files, by position in the request.
    private let spooled: [PartitionPosition: SpooledRecords]

    private struct PartitionPosition: Hashable {
        let topic: Int
        let partition: Int
    }

    init(spooled: [SpooledRecords] = []) {
        self.spooled = Dictionary(uniqueKeysWithValues: spooled.map { (PartitionPosition(topic: $0.topic, partition: $0.partition), $0) })
    }

    func handle(_ request: ProduceRequest, context: RequestContext) async throws -> ProduceResponse? {
        var response = ProduceResponse()
        let acksValid = [0, 1, -1].contains(request.acks)
        let transactionDenied = request.transactionalId.map { !context.isAuthorized(.write, .transactionalId, $0) } ?? false
        for (topicPosition, topicData) in request.topicData.enumerated() {
            var topicResponse = ProduceResponse.TopicProduceResponse()
            topicResponse.name = topicData.name
            let topic: Result<Topic, TopicError> = if transactionDenied {
                .failure(TopicError(code: .transactionalIdAuthorizationFailed,
                                    message: "\(context.principal) may not write with transactional id '\(request.transactionalId ?? "")'"))
            } else if !context.isAuthorized(.write, .topic, topicData.name) {
                .failure(TopicError(code: .topicAuthorizationFailed, message: "\(context.principal) may not write to topic '\(topicData.name)'"))
            } else if TopicName.isInternal(topicData.name) {
                // As Kafka answers a client that writes to an internal topic.
                .failure(TopicError(code: .invalidTopicException, message: "cannot append to internal topic \(topicData.name)"))
            } else {
                await context.topic(named: topicData.name, autoCreate: context.config.autoCreateTopics && context.mayCreate(topic: topicData.name))
            }
            for (partitionPosition, partitionData) in topicData.partitionData.enumerated() {
                let spooledRecords = spooled[PartitionPosition(topic: topicPosition, partition: partitionPosition)]
                var partition: ProduceResponse.PartitionProduceResponse
                if !acksValid {
                    partition = Self.failure(partitionData.index, .invalidRequiredAcks, "acks must be 0, 1 or -1, not \(request.acks)")
                } else if case .success(let topic) = topic, request.acks == -1, topic.config.minInsyncReplicas > 1 {
                    // As Kafka answers when the in-sync replicas (here: one) are fewer than min.insync.replicas.
                    partition = Self.failure(partitionData.index, .notEnoughReplicas,
                                             "The size of the current ISR Set(\(context.config.nodeId)) is insufficient to satisfy the min.isr requirement of \(topic.config.minInsyncReplicas) for partition \(topicData.name)-\(partitionData.index)")
                } else {
                    switch topic {
                    case .success(let topic):
                        if let transactionalId = request.transactionalId {
                            do {
                                let writer = try await context.broker.transactions.writer(
                                    transactionalId: transactionalId, partition: .init(topic.name, partitionData.index))
                                partition = await append(partitionData, spooled: spooledRecords, to: topic, writer: writer, context: context)
                            } catch {
                                partition = Self.failure(partitionData.index, error.code, error.message)
                            }
                        } else {
                            partition = await append(partitionData, spooled: spooledRecords, to: topic, writer: nil, context: context)
                        }
                    case .failure(let error):
                        partition = Self.failure(partitionData.index, error.code, error.message)
                    }
                }
                topicResponse.partitionResponses.append(partition)
            }
            response.responses.append(topicResponse)
        }
        guard request.acks == 0 else { return response }
        // With acks=0 nobody reads the errors: close the connection, as Kafka
        // does, so that the client notices.
        let failures = response.responses.flatMap(\.partitionResponses).filter { $0.errorCode != 0 }
        if let failure = failures.first {
            throw TopicError(code: .forCode(failure.errorCode), message: "acks=0 produce failed: \(failure.errorMessage ?? "")")
        }
        return nil
    }

    private func append(
        _ data: ProduceRequest.PartitionProduceData, spooled: SpooledRecords?, to topic: Topic, writer: TransactionWriter?,
        context: RequestContext
    ) async -> ProduceResponse.PartitionProduceResponse {
        guard data.index >= 0, Int(data.index) < topic.partitions.count else {
            return Self.failure(data.index, .unknownTopicOrPartition, "topic '\(topic.name)' has no partition \(data.index)")
        }
        let size = spooled?.range.count ?? data.records?.byteCount ?? 0
        guard size > 0 else {
            return Self.failure(data.index, .corruptMessage, "the partition's records are empty")
        }
        if size > topic.config.segmentBytes {
            return Self.failure(data.index, .recordListTooLarge, "\(size) bytes of records in one request exceed the topic's segment.bytes (\(topic.config.segmentBytes))")
        }
        let log = topic.partitions[Int(data.index)]
        let now = Date.nowMilliseconds
        let config = topic.config
        let rules = RecordValidationRules(
            maximumUncompressedBytes: max(context.config.messageMaxUncompressedBytes, config.maxMessageBytes),
            requireKeys: config.isCompacted)
        do {
            let result: LogAppendResult
            if let spooled {
                result = try await appendSpooled(spooled, to: log, config: config, rules: rules, writer: writer, now: now, io: context.io)
            } else if let bytes = data.records?.inMemoryBytes {
                if let magic = bytes.getInteger(at: bytes.readerIndex + Self.magicOffset, as: Int8.self), magic < 2 {
                    return Self.failure(data.index, .unsupportedForMessageFormat, "message format v\(magic) is not supported: send record batches (magic 2, Produce v3 or later)")
                }
                result = try await context.io.run {
                    let batches: [RecordBatch]
                    do {
                        batches = try RecordBatch.split(bytes)
                    } catch {
                        throw TopicError(code: .corruptMessage, message: (error as? KafkaProtocolError)?.message ?? "\(error)")
                    }
                    try Self.check(batches.map(\.header), config: config, writer: writer, now: now)
                    try RecordBatchValidator.validate(batches, rules: rules)
                    return try log.append(batches, now: now)
                }
            } else {
                return Self.failure(data.index, .corruptMessage, "the partition's records are not in memory")
            }
            context.broker.appends.notify()
            var partition = ProduceResponse.PartitionProduceResponse()
            partition.index = data.index
            partition.baseOffset = result.baseOffset
            partition.logAppendTimeMs = result.logAppendTime
            partition.logStartOffset = result.logStartOffset
            return partition
        } catch let error as TopicError {
            return Self.failure(data.index, error.code, error.message)
        } catch let error as LogError where error.kind != .storage {
            return Self.failure(data.index, error)
        } catch {
            context.broker.storageFailures.report(error, topic: topic.name, partition: data.index, logger: context.logger)
            return Self.failure(data.index, .kafkaStorageError, "the broker could not write to the partition's log; its operator will find why in the broker's log")
        }
    }

    /// Appends records that the connection streamed into a spool file: they
    /// are checked (CRC and records included) in one read pass and copied into
    /// the log by the kernel, never read into memory as a whole.
    private func appendSpooled(
        _ records: SpooledRecords, to log: PartitionLog, config: LogConfig, rules: RecordValidationRules, writer: TransactionWriter?,
        now: Int64, io: BlockingIOPool
    ) async throws -> LogAppendResult {
        try await io.run {
            let batches = try SpooledRecordBatch.split(
                spool: try records.spool.get().file,
                from: records.range.lowerBound, to: records.range.upperBound, rules: rules)
            try Self.check(batches.map(\.header), config: config, writer: writer, now: now)
            return try log.append(spooled: batches, now: now)
        }
    }

    /// Refuses what Kafka refuses: more than one batch per partition (Produce
    /// v3 and later carry exactly one), batches without records, batches over
    /// the topic's `max.message.bytes`, control batches, transactional batches
    /// outside a transaction and batches of a transaction that are not
    /// transactional or not of its producer id and epoch (`writer`), and
    /// with CreateTime, timestamps outside `message.timestamp.before.max.ms` /
    /// `message.timestamp.after.max.ms` of `now` (checked on the batch's first
    /// and largest timestamps; Kafka checks every record's).
    private static func check(_ headers: [RecordBatchHeader], config: LogConfig, writer: TransactionWriter?, now: Int64) throws {
        guard headers.count == 1 else {
            throw TopicError(code: .invalidRecord, message: "a partition's records must be exactly one record batch, not \(headers.count)")
        }
        for header in headers {
            if header.recordCount == 0 {
                throw TopicError(code: .invalidRecord, message: "a record batch holds no records")
            }
            if header.totalSize > config.maxMessageBytes {
                throw TopicError(code: .messageTooLarge, message: "a record batch of \(header.totalSize) bytes exceeds max.message.bytes (\(config.maxMessageBytes))")
            }
            if header.attributes.isControl {
                throw TopicError(code: .invalidRecord, message: "clients may not produce control batches")
            }
            try checkTransactional(header, writer: writer)
            if config.messageTimestampType == .createTime {
                try checkTimestamps(header, config: config, now: now)
            }
        }
    }

    /// The answer to a batch the log refused: its code and message, and the
    /// record to blame in `record_errors` (Produce v8+) when there is one.
    static func failure(_ index: Int32, _ error: LogError) -> ProduceResponse.PartitionProduceResponse {
        var partition = failure(index, .forCode(error.kafkaErrorCode), error.message)
        if let record = error.recordIndex {
            var blamed = ProduceResponse.BatchIndexAndErrorMessage()
            blamed.batchIndex = Int32(clamping: record)
            blamed.batchIndexErrorMessage = error.message
            partition.recordErrors = [blamed]
        }
        return partition
    }

    static func failure(_ index: Int32, _ code: KafkaErrorCode, _ message: String) -> ProduceResponse.PartitionProduceResponse {
        var partition = ProduceResponse.PartitionProduceResponse()
        partition.index = index
        partition.errorCode = code.code
        partition.baseOffset = -1
        partition.logAppendTimeMs = -1
        partition.logStartOffset = -1
        partition.errorMessage = message
        return partition
    }

    /// INVALID_TIMESTAMP, in Kafka's words, for a batch timestamp out of the topic's window around `now`.
    private static func checkTimestamps(_ header: RecordBatchHeader, config: LogConfig, now: Int64) throws {
        let earliest = now.subtractingReportingOverflow(config.messageTimestampBeforeMaxMs)
        let latest = now.addingReportingOverflow(config.messageTimestampAfterMaxMs)
        let window = (earliest.overflow ? Int64.min : earliest.partialValue)...(latest.overflow ? Int64.max : latest.partialValue)
        for timestamp in [header.baseTimestamp, header.maxTimestamp] where timestamp != -1 && !window.contains(timestamp) {
            throw TopicError(code: .invalidTimestamp,
                             message: "Timestamp \(timestamp) of message with offset 0 is out of range. The timestamp should be within [\(window.lowerBound), \(window.upperBound)]")
        }
    }
}
