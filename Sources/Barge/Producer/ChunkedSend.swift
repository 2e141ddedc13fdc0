import Crypto
import Foundation
import KafkaValues

/// Sends one message as chunk records, in order, to one partition: each
/// chunk is submitted as soon as it is known not to be the last (or the
/// input ends), delivery reports are awaited through a bounded window, and a
/// failure sends an `abort` record before it is rethrown.
struct ChunkedSend {
    let producer: any ProducerTransport
    let topic: String
    let partition: Int32?
    let key: [UInt8]?
    let id: BargeMessageID
    /// Every record's timestamp; `nil`: the send time.
    let timestamp: Date?
    let chunkSize: Int
    /// Count and size when known up front; written on every chunk then.
    let knownSize: Int64?
    let description: PayloadDescription
    let applicationHeaders: [KafkaHeader]
    /// Chunks are compressed with this, unless the first chunk shows the
    /// payload does not compress.
    let compression: BargeCompression
    /// Where bytes read and acknowledged are counted.
    let progress: SendProgressReporter
    /// Whether a failure sends an `abort` record (not when the message will
    /// be sent again under the same id: readers would drop that attempt).
    var abortsOnFailure = true

    /// Reports awaited at most this many chunks behind the newest.
    static let reportWindow = 64

    func run<Pieces: AsyncSequence>(_ pieces: Pieces) async throws -> BargeReceipt where Pieces.Element == [UInt8] {
        var splitter = ChunkSplitter(chunkSize: chunkSize)
        var hasher = SHA256()
        var held: [UInt8]?
        var read: Int64 = 0
        var state = Progress(reporter: progress)
        let knownCount = knownSize.map { Int(($0 + Int64(chunkSize) - 1) / Int64(chunkSize)) }
        do {
            for try await piece in pieces {
                hasher.update(data: piece)
                read += Int64(piece.count)
                state.reporter.read(piece.count)
                for chunk in splitter.add(piece) {
                    if let previous = held { try await submit(previous, last: nil, count: knownCount, state: &state) }
                    held = chunk
                }
            }
            if let tail = splitter.finish() {
                if let previous = held { try await submit(previous, last: nil, count: knownCount, state: &state) }
                held = tail
            }
            guard let final = held else {
                throw BargeProducerError(.invalidArgument, "an empty payload is sent inline, not chunked")
            }
            if let knownSize, knownSize != read { throw BargeProducerError.sizeMismatch(read: read, announced: knownSize) }
            let digest = BargeDigest(finalizing: hasher.finalize())
            try await submit(final, last: digest, count: state.index + 1, state: &state)
            return try await finish(state: state, digest: digest)
        } catch let error where producer.isTimeout(error) {
            // The broker stopped answering: an abort record would only wait as long again.
            throw error
        } catch {
            if abortsOnFailure { await abort(state: state, reason: "\(error)") }
            throw error
        }
    }

    struct Progress {
        var index = 0
        var size: Int64 = 0
        var first: KafkaDeliveryReport?
        var last: KafkaDeliveryReport?
        /// Deliveries not yet settled, with the payload bytes of each.
        var window: [(delivery: any ProducerDelivery, bytes: Int)] = []
        var partition: Int32?
        /// Chosen from the first chunk.
        var codec: BargeCodec?
        var reporter: SendProgressReporter
    }

    private func submit(_ chunk: [UInt8], last digest: BargeDigest?, count: Int?, state: inout Progress) async throws {
        let isLast = digest != nil
        state.size += Int64(chunk.count)
        let codec = try state.codec ?? CompressionProbe.codec(for: chunk, compression: compression)
        state.codec = codec
        let header = BargeChunkHeader(
            id: id, index: state.index, count: count ?? (isLast ? state.index + 1 : nil), isLast: isLast,
            size: knownSize ?? (isLast ? state.size : nil), sha256: digest, codec: codec,
            chunkSize: state.index == 0 ? chunkSize : nil,
            contentType: state.index == 0 ? description.contentType : nil,
            fileName: state.index == 0 ? description.fileName : nil,
            applicationHeaders: state.index == 0 ? applicationHeaders : []
        )
        let message = KafkaProducerMessage(
            topic: topic, partition: state.partition ?? partition, key: key,
            value: codec == .none ? chunk : try ChunkCodec.compress(chunk, with: compression),
            headers: try BargeEnvelope.chunk(header).headers(), timestamp: timestamp
        )
        // A chunk already failed: stop before handing over more (the broker may be gone).
        if let failure = state.window.lazy.compactMap(\.delivery.knownFailure).first { throw failure }
        state.window.append((try await producer.submit(message), chunk.count))
        state.index += 1
        if state.window.count > Self.reportWindow {
            try await settle(state.window.removeFirst(), state: &state)
        }
    }

    /// Waits for one report; the first one pins the partition for the rest.
    private func settle(_ delivery: (delivery: any ProducerDelivery, bytes: Int), state: inout Progress) async throws {
        let report = try await delivery.delivery.report()
        state.reporter.acknowledged(delivery.bytes)
        if state.first == nil {
            state.first = report
            state.partition = report.topicPartition.partition
        }
        state.last = report
    }

    private func finish(state: Progress, digest: BargeDigest) async throws -> BargeReceipt {
        var state = state
        for delivery in state.window { try await settle(delivery, state: &state) }
        guard let first = state.first, let last = state.last else {
            throw BargeProducerError(.invalidArgument, "no records were sent")
        }
        return BargeReceipt(
            id: id, topicPartition: first.topicPartition, firstOffset: first.offset ?? -1, lastOffset: last.offset ?? -1,
            size: state.size, sha256: digest, records: state.index, isInline: false
        )
    }

    /// Tells readers to drop what they have of this message (best effort).
    private func abort(state: Progress, reason: String) async {
        guard state.index > 0, let headers = try? BargeEnvelope.abort(BargeAbortHeader(id: id, reason: String(reason.prefix(500)))).headers() else { return }
        let message = KafkaProducerMessage(topic: topic, partition: state.partition ?? partition, key: key, value: [], headers: headers, timestamp: timestamp)
        _ = try? await producer.send(message)
    }
}
