import Crypto
import Foundation
import KafkaValues
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ObjectStore

/// Sends one message as a claim check: streams the payload (encrypted when a
/// keyring is given) into the object store, and only once the object is
/// completely stored produces the `reference` record naming it. If producing
/// the reference fails, the object is deleted again.
struct ClaimCheckSend: Sendable {
    let producer: any ProducerTransport
    let store: any ObjectStore
    let keyring: BargeKeyring?
    let topic: String
    let partition: Int32?
    let key: [UInt8]?
    let id: BargeMessageID
    /// The reference record's timestamp; `nil`: the send time.
    let timestamp: Date?
    let knownSize: Int64?
    let description: PayloadDescription
    let applicationHeaders: [KafkaHeader]
    /// Where bytes read and acknowledged are counted.
    let progress: SendProgressReporter
    let logger: Logger
    /// Whether a failure to produce the reference deletes the object (not
    /// when its key is stable across attempts: an earlier reference may name it).
    var deletesOnFailure = true

    /// The key a message's object is stored under: `<topic>/<message id>`.
    /// The janitor (``ClaimCheckJanitor``) relies on this layout.
    static func objectKey(topic: String, id: BargeMessageID) throws -> ObjectKey {
        do {
            return try ObjectKey("\(topic)/\(id.text)")
        } catch {
            throw BargeProducerError(.invalidArgument, "topic '\(topic.prefix(80))' cannot name an object: \(error.message)")
        }
    }

    func run<Pieces: AsyncSequence & Sendable>(_ pieces: Pieces) async throws -> BargeReceipt where Pieces.Element == [UInt8] {
        try await sendReference(store(pieces))
    }

    /// A stored object whose reference is still to be produced.
    struct Stored: Sendable {
        let objectKey: ObjectKey
        let envelope: BargeEnvelope
        let size: Int64
        let sha256: BargeDigest
        let digest: RunningDigest
    }

    /// Streams the payload into the store; the reference is not produced yet.
    func store<Pieces: AsyncSequence & Sendable>(_ pieces: Pieces) async throws -> Stored where Pieces.Element == [UInt8] {
        try BargeHeaderName.checkApplicationHeaders(applicationHeaders)
        let objectKey = try Self.objectKey(topic: topic, id: id)
        let encryptor = try keyring.map { try BargeSegmentEncryptor(keyring: $0) }
        let digest = RunningDigest(progress: progress)
        let expectedStoredSize = knownSize.map { size in
            encryptor.map { BargeSegmentEncryptor.encryptedSize(plaintextSize: size, segmentSize: $0.parameters.segmentSize) } ?? size
        }
        let stored = try await store.put(
            objectKey, body: ClaimCheckBody(pieces: pieces, digest: digest, encryptor: encryptor),
            options: ObjectPutOptions(contentType: description.contentType, expectedSize: expectedStoredSize)
        )
        let (size, sha256) = digest.result()
        let envelope = BargeEnvelope.reference(BargeReferenceHeader(
            id: id, objectURL: store.location.url(of: objectKey), size: size, sha256: sha256, storedSize: stored.size,
            encryption: encryptor?.parameters, contentType: description.contentType, fileName: description.fileName,
            applicationHeaders: applicationHeaders
        ))
        return Stored(objectKey: objectKey, envelope: envelope, size: size, sha256: sha256, digest: digest)
    }

    /// Produces the reference record of a stored object (deleting the
    /// object if that fails, unless its key is stable across attempts).
    func sendReference(_ stored: Stored) async throws -> BargeReceipt {
        do {
            if let knownSize, knownSize != stored.size {
                throw BargeProducerError.sizeMismatch(read: stored.size, announced: knownSize)
            }
            let report = try await producer.send(KafkaProducerMessage(
                topic: topic, partition: partition, key: key, value: [], headers: try stored.envelope.headers(), timestamp: timestamp
            ))
            stored.digest.acknowledged()
            return BargeReceipt(
                id: id, topicPartition: report.topicPartition, firstOffset: report.offset ?? -1, lastOffset: report.offset ?? -1,
                size: stored.size, sha256: stored.sha256, records: 1, isInline: false, objectURL: store.location.url(of: stored.objectKey)
            )
        } catch {
            if deletesOnFailure { await deleteUnreferenced(stored.objectKey, because: error) }
            throw error
        }
    }

    /// Removes an object whose reference was not produced; a failure to do so
    /// is logged (the janitor removes such orphans after its grace period).
    private func deleteUnreferenced(_ objectKey: ObjectKey, because reason: any Error) async {
        do {
            // In a task of its own, so that a cancelled send still cleans up.
            try await Task { [store] in try await store.delete(objectKey) }.value
        } catch {
            logger.warning("could not delete the object of an unsent reference; the janitor will remove it", metadata: [
                "object": "\(store.location.url(of: objectKey))", "reason": "\(reason)", "error": "\(error)",
            ])
        }
    }
}

/// SHA-256 and size of the payload, updated as the store reads the body,
/// and the progress they make. (`SHA256` is not `Sendable`; the lock guards
/// every access.)
final class RunningDigest: @unchecked Sendable {
    private let lock = NIOLock()
    private var hasher = SHA256()
    private var size: Int64 = 0
    private var progress: SendProgressReporter

    init(progress: SendProgressReporter) {
        self.progress = progress
    }

    func update(_ bytes: [UInt8]) {
        lock.withLock {
            hasher.update(data: bytes)
            size += Int64(bytes.count)
            progress.read(bytes.count)
        }
    }

    /// The whole payload is stored and its reference acknowledged.
    func acknowledged() {
        lock.withLock { progress.acknowledged(Int(size)) }
    }

    func result() -> (size: Int64, sha256: BargeDigest) {
        lock.withLock { (size, BargeDigest(finalizing: hasher.finalize())) }
    }
}

/// The payload pieces as the object's bytes: hashed as they pass, then
/// encrypted segment by segment when there is an encryptor.
struct ClaimCheckBody<Pieces: AsyncSequence & Sendable>: AsyncSequence, Sendable where Pieces.Element == [UInt8] {
    typealias Element = ByteBuffer
    let pieces: Pieces
    let digest: RunningDigest
    let encryptor: BargeSegmentEncryptor?

    func makeAsyncIterator() -> Iterator { Iterator(base: pieces.makeAsyncIterator(), digest: digest, encryptor: encryptor) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Pieces.AsyncIterator
        let digest: RunningDigest
        var encryptor: BargeSegmentEncryptor?
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            while !finished {
                guard let piece = try await base.next() else {
                    finished = true
                    guard let tail = try encryptor?.finish(), !tail.isEmpty else { return nil }
                    return ByteBuffer(bytes: tail)
                }
                digest.update(piece)
                let output = try encryptor?.encrypt(piece) ?? piece
                if !output.isEmpty { return ByteBuffer(bytes: output) }
            }
            return nil
        }
    }
}
