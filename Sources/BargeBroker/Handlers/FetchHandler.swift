import KafkaLog
import Foundation
import KafkaProtocol

/// Fetch, versions 4-16 (topics by name up to v12, by topic id from v13): reads whole batches from the partition logs and
/// sends them as file regions (sendfile, no copy through memory). Waits up to
/// `max.wait.ms` for `min.bytes`, waking on appends; honours the request's
/// `max.bytes` (capped by the broker's `fetch.max.bytes`) and each partition's
/// max bytes, but always returns the first batch, however large, so that a
/// consumer can make progress. Under read_committed a partition is read up
/// to its last stable offset, with the aborted transactions among the
/// records listed for the consumer to skip. No fetch sessions: every fetch is a full one
/// and the response's session id is 0.
struct FetchHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.fetch
    static let versions: ClosedRange<Int16> = 4...16
    /// The first version that names topics by id.
    static let topicIdVersion: Int16 = 13
    /// The most file regions (each an open descriptor) one response holds;
    /// partitions past it are answered without records.
    static let maximumRegions = 1_000

    /// What reading one partition gave, with the offsets to report either way.
    private enum PartitionRead: Sendable {
        case records(LogReadResult)
        case failed(code: Int16, highWatermark: Int64, logStartOffset: Int64)
        /// Below the local log: to be read from the remote tier.
        case remote
    }

    /// A partition to read from the remote tier once the local ones are read, and where its answer goes.
    private struct RemoteRead: Sendable {
        let topicSlot: Int
        let partitionSlot: Int
        let topic: Topic
        let partition: Int32
        let log: PartitionLog
        let offset: Int64
        let maxBytes: Int
        let minOneBatch: Bool
        let isolation: IsolationLevel
    }

    func handle(_ request: FetchRequest, context: RequestContext) async throws -> FetchResponse? {
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(max(0, Int64(request.maxWaitMs)))
        let limit = min(Int(max(request.maxBytes, 0)), context.config.fetchMaxBytes)
        let isolation = IsolationLevel(rawValue: request.isolationLevel) ?? .readUncommitted
        while true {
            let generation = context.broker.appends.generation
            let (response, bytes, hasError) = try await read(request, limit: limit, isolation: isolation, context: context)
            if bytes >= Int(request.minBytes) || hasError || ContinuousClock.now >= deadline {
                return response
            }
            response.closeFiles()
            context.logger.trace("fetch waits for appends", metadata: ["until-bytes": "\(request.minBytes)"])
            await context.broker.appends.wait(after: generation, timeout: deadline - ContinuousClock.now)
            if Task.isCancelled { throw CancellationError() }
        }
    }

    private func read(
        _ request: FetchRequest, limit: Int, isolation: IsolationLevel, context: RequestContext
    ) async throws -> (FetchResponse, Int, Bool) {
        var response = FetchResponse()
        var total = 0
        var regions = 0
        var hasError = false
        var remoteReads: [RemoteRead] = []
        do {
            for topicRequest in request.topics {
                var topicResponse = FetchResponse.FetchableTopicResponse()
                let topic: Topic?
                let unknown: KafkaErrorCode
                if context.header.apiVersion >= Self.topicIdVersion {
                    topicResponse.topicId = topicRequest.topicId
                    topic = context.topics.topic(id: topicRequest.topicId)
                    unknown = topic == nil ? .unknownTopicId : .unknownTopicOrPartition
                } else {
                    topicResponse.topic = topicRequest.topic
                    topic = context.topics.topic(named: topicRequest.topic)
                    unknown = .unknownTopicOrPartition
                }
                // Read access to the topic (or, for a name that does not exist, to that name).
                let readable = context.isAuthorized(.read, .topic, topic?.name ?? topicRequest.topic)
                for partitionRequest in topicRequest.partitions {
                    var partition = FetchResponse.PartitionData()
                    partition.partitionIndex = partitionRequest.partition
                    partition.abortedTransactions = nil
                    guard readable, let topic, partitionRequest.partition >= 0, Int(partitionRequest.partition) < topic.partitions.count else {
                        partition.errorCode = readable ? unknown.code : KafkaErrorCode.topicAuthorizationFailed.code
                        partition.highWatermark = -1
                        partition.lastStableOffset = -1
                        hasError = true
                        topicResponse.partitions.append(partition)
                        continue
                    }
                    let log = topic.partitions[Int(partitionRequest.partition)]
                    // Each file region holds a descriptor: cap them per response.
                    let regionsLeft = regions < Self.maximumRegions
                    let maxBytes = regionsLeft ? min(Int(max(partitionRequest.partitionMaxBytes, 0)), max(limit - total, 0)) : 0
                    let minOneBatch = total == 0 && regionsLeft
                    let offset = partitionRequest.fetchOffset
                    let outcome: PartitionRead
                    do {
                        outcome = try await context.io.run { () -> PartitionRead in
                            do {
                                return .records(try log.read(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch, isolation: isolation))
                            } catch let error as LogError where error.kind == .offsetMovedToTieredStorage {
                                return .remote
                            } catch let error as LogError {
                                return .failed(code: error.kafkaErrorCode, highWatermark: log.logEndOffset, logStartOffset: log.logStartOffset)
                            }
                        }
                    } catch {
                        topicResponse.partitions.forEach { $0.records?.closeFileHandles() }
                        throw error
                    }
                    switch outcome {
                    case .records(let result):
                        partition.highWatermark = result.highWatermark
                        partition.lastStableOffset = result.lastStableOffset
                        partition.logStartOffset = result.logStartOffset
                        partition.abortedTransactions = result.abortedTransactions.map(Self.abortedTransactions)
                        partition.records = result.records
                        total += result.records.byteCount
                        regions += result.records.parts.count
                    case .failed(let code, let highWatermark, let logStartOffset):
                        partition.errorCode = code
                        partition.highWatermark = highWatermark
                        partition.lastStableOffset = log.lastStableOffset
                        partition.logStartOffset = logStartOffset
                        hasError = true
                    case .remote:
                        // The budget is set aside now, so later partitions do not take it; the read comes after the loop.
                        remoteReads.append(RemoteRead(
                            topicSlot: response.responses.count, partitionSlot: topicResponse.partitions.count, topic: topic,
                            partition: partitionRequest.partition, log: log, offset: offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                            isolation: isolation))
                        total += maxBytes
                        regions += 1
                    }
                    topicResponse.partitions.append(partition)
                }
                response.responses.append(topicResponse)
            }
        } catch {
            response.closeFiles()
            throw error
        }
        if !remoteReads.isEmpty {
            let (bytes, failed) = await readRemote(remoteReads, into: &response, context: context)
            total += bytes - remoteReads.reduce(0) { $0 + $1.maxBytes }
            hasError = hasError || failed
        }
        return (response, total, hasError)
    }

    /// Reads the partitions below their local logs from the remote tier, all
    /// at once, each waiting at most `remote.fetch.max.wait.ms`: one that is
    /// not done is answered without records (its read goes on and fills the
    /// cache), one that fails with UNKNOWN_SERVER_ERROR, as Kafka does.
    /// Returns the bytes read and whether any failed.
    private func readRemote(_ reads: [RemoteRead], into response: inout FetchResponse, context: RequestContext) async -> (Int, Bool) {
        let outcomes = await withTaskGroup(of: (Int, RemoteFetchOutcome).self) { group in
            for (index, read) in reads.enumerated() {
                group.addTask {
                    guard let tiering = context.broker.tiering else {
                        return (index, .failed(RemoteTierError("the topic has remote storage but the broker's remote.log.storage.system.enable is off")))
                    }
                    return (index, await tiering.readWithin(topic: read.topic, partition: read.partition, log: read.log, offset: read.offset,
                                                            maxBytes: read.maxBytes, minOneBatch: read.minOneBatch, isolation: read.isolation))
                }
            }
            var outcomes: [Int: RemoteFetchOutcome] = [:]
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        var bytes = 0
        var failed = false
        for (index, read) in reads.enumerated() {
            var partition = response.responses[read.topicSlot].partitions[read.partitionSlot]
            partition.highWatermark = read.log.logEndOffset
            partition.lastStableOffset = read.log.lastStableOffset
            partition.logStartOffset = read.log.logStartOffset
            switch outcomes[index] ?? .timedOut {
            case .records(let result):
                partition.records = result.records
                partition.abortedTransactions = result.abortedTransactions.map(Self.abortedTransactions)
                bytes += result.records.byteCount
            case .timedOut:
                break
            case .failed(let error as LogError) where error.kind == .offsetOutOfRange:
                partition.errorCode = KafkaErrorCode.offsetOutOfRange.code
                failed = true
            case .failed(let error):
                context.logger.warning("a read from the remote tier failed", metadata: [
                    "topic": "\(read.topic.name)", "partition": "\(read.partition)", "offset": "\(read.offset)", "error": "\(error)",
                ])
                partition.errorCode = KafkaErrorCode.unknownServerError.code
                failed = true
            }
            response.responses[read.topicSlot].partitions[read.partitionSlot] = partition
        }
        return (bytes, failed)
    }
}

extension FetchHandler {
    /// The aborted transactions as Fetch lists them.
    static func abortedTransactions(_ entries: [AbortedTransaction]) -> [FetchResponse.AbortedTransaction] {
        entries.map { aborted in
            var entry = FetchResponse.AbortedTransaction()
            entry.producerId = aborted.producerId
            entry.firstOffset = aborted.firstOffset
            return entry
        }
    }
}

extension FetchResponse {
    /// Closes the file handles of every partition's records.
    func closeFiles() {
        responses.forEach { $0.partitions.forEach { $0.records?.closeFileHandles() } }
    }
}

