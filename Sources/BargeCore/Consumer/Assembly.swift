import Crypto
import KafkaValues

/// One chunked message being put together: checks each chunk against what
/// earlier chunks said, decompresses it within the size it must have, and
/// hashes the payload as it grows, so the last chunk completes a verified
/// message without a second pass. A value type; storing the bytes is the
/// caller's business.
package struct Assembly {
    /// Names this message's storage and tracking.
    package let token: Int
    package let info: BargeMessageInfo
    package let chunkSize: Int
    package let codec: BargeCodec
    private(set) var count: Int?
    private(set) var size: Int64?
    private(set) var sha256: BargeDigest?
    /// The index the next chunk must have.
    private(set) var nextIndex = 0
    /// Payload bytes received so far.
    private(set) var received: Int64 = 0
    private(set) var lastOffset: Int64
    private(set) var lastActivity: ContinuousClock.Instant
    private var hasher = SHA256()
    /// Whether the application has it already (progressive delivery).
    package var isDelivered = false

    /// Starts from chunk 0 (`header.index == 0`).
    /// A foreign format's segments (`interop`) carry no digest: only their
    /// sizes are checked.
    package init(token: Int, record: KafkaConsumerMessage, header: BargeChunkHeader, now: ContinuousClock.Instant, interop: InteropFormat? = nil) {
        self.token = token
        info = BargeMessageInfo(
            kind: .chunked, topicPartition: record.topicPartition, offset: record.offset, key: record.key,
            headers: header.applicationHeaders, timestamp: record.timestamp, id: header.id,
            size: header.size, sha256: header.sha256, contentType: header.contentType, fileName: header.fileName, interop: interop
        )
        chunkSize = header.chunkSize ?? 1
        codec = header.codec
        lastOffset = record.offset
        lastActivity = now
    }

    /// What the application is told, with what is known by now.
    package var currentInfo: BargeMessageInfo {
        var info = info
        info.size = size ?? info.size
        info.sha256 = sha256 ?? info.sha256
        return info
    }

    package var isComplete: Bool { count.map { nextIndex == $0 } ?? false }

    /// Takes chunk `nextIndex` (the caller drops duplicates and reports
    /// gaps): returns its payload bytes, and whether the message is now
    /// complete, its size and digest checked.
    package mutating func accept(_ header: BargeChunkHeader, value: [UInt8], offset: Int64, now: ContinuousClock.Instant) throws(BargeConsumerError) -> (bytes: [UInt8], isComplete: Bool) {
        precondition(header.index == nextIndex, "the caller orders chunks")
        guard header.codec == codec else {
            throw failure(.corrupt, "chunk \(header.index) has codec \(header.codec), chunk 0 had \(codec)", offset: offset)
        }
        try agree(header.count, with: &count, "count", offset: offset)
        try agree(header.size, with: &size, "size", offset: offset)
        if let digest = header.sha256 { sha256 = digest }
        if let count, let size, !Self.fits(size: size, count: count, chunkSize: chunkSize) {
            throw failure(.corrupt, "size \(size) cannot be \(count) chunks of at most \(chunkSize) bytes", offset: offset)
        }
        let isLast = header.isLast || count.map { header.index == $0 - 1 } ?? false
        let expected: Int
        if isLast, let size {
            expected = Int(size - received)
        } else if isLast {
            throw failure(.corrupt, "the last chunk has no size", offset: offset)
        } else {
            expected = chunkSize
        }
        let bytes: [UInt8]
        do throws(BargeWireError) {
            bytes = try ChunkCodec.decompress(value, with: codec, expectedSize: expected)
        } catch {
            throw failure(.corrupt, "chunk \(header.index): \(error.message)", offset: offset)
        }
        hasher.update(data: bytes)
        received += Int64(bytes.count)
        nextIndex += 1
        lastOffset = offset
        lastActivity = now
        guard isLast else { return (bytes, false) }
        count = nextIndex
        guard info.interop == nil else { return (bytes, true) }
        guard let sha256, BargeDigest(finalizing: hasher.finalize()) == sha256 else {
            throw failure(.corrupt, "SHA-256 of the \(received) bytes does not match barge.sha256", offset: offset)
        }
        return (bytes, true)
    }

    /// Whether `size` bytes split in chunks of `chunkSize` make `count` chunks.
    package static func fits(size: Int64, count: Int, chunkSize: Int) -> Bool {
        size > Int64(count - 1) * Int64(chunkSize) && size <= Int64(count) * Int64(chunkSize)
    }

    /// An error about this message, located.
    package func failure(_ kind: BargeConsumerError.Kind, _ message: String, offset: Int64? = nil) -> BargeConsumerError {
        BargeConsumerError(kind, message, topicPartition: info.topicPartition, id: info.id, firstOffset: info.offset, lastOffset: offset ?? lastOffset)
    }

    private func agree<Value: Equatable>(_ new: Value?, with known: inout Value?, _ name: String, offset: Int64) throws(BargeConsumerError) {
        guard let new else { return }
        if let known, known != new {
            throw failure(.corrupt, "chunk says \(name) \(new), an earlier one said \(known)", offset: offset)
        }
        known = new
    }
}
