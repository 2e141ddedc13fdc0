import KafkaCompression
import KafkaProtocol
import ObjectStore

/// Reads a foreign format's referenced payload (``InteropObjectPayload``):
/// learns the object's size, streams it from its store (resuming after
/// failures), decompresses it as the record says (a bakdata blob may be
/// padded with zeros after its stream), and checks the size when the record
/// gives one, telling the progress hook. Store failures become ``BargeConsumerError``s, and the
/// message's handling is settled when reading ends. Used by one task at a time.
final class InteropObjectReader {
    /// Compressed bytes fed to the decompressor at once: what one feed can
    /// expand to is bounded by it (a Zstandard block of 4 bytes can stand for
    /// 128 KiB, so 1 KiB for at most 32 MiB), whatever the object's size.
    static let feedSize = 1024

    private let payload: InteropObjectPayload
    private var objectReader: ResumableObjectReader?
    private var decompressor: (any RecordsDecompressor)?
    /// Object bytes read and not yet fed to the decompressor.
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var finished = false
    /// Payload bytes handed out.
    private(set) var delivered: Int64 = 0
    /// What the progress hook last heard.
    private var progress: BargeReceiveProgress

    init(payload: InteropObjectPayload) {
        self.payload = payload
        progress = BargeReceiveProgress(payload.info)
    }

    /// The next payload bytes, nil at the checked end.
    func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        do {
            if objectReader == nil { try await open() }
            let bytes = try await nextOutput()
            if !bytes.isEmpty {
                delivered += Int64(bytes.count)
                if let size = payload.object.size, delivered > size {
                    throw payload.failure(.corrupt, "the payload is longer than the \(size) bytes the record says")
                }
                progress.bytesReceived = delivered
                payload.progress?(progress)
                return bytes
            }
            if let size = payload.object.size, delivered != size {
                throw payload.failure(.corrupt, "read \(delivered) payload bytes, the record says \(size)")
            }
            finished = true
            // No digest to check: the size, where given, and the codec's own checks are what there is.
            progress.size = delivered
            progress.bytesVerified = delivered
            payload.progress?(progress)
            await payload.settlement.settle(handled: true)
            return nil
        } catch {
            finished = true
            let failure = classify(error)
            await payload.settlement.settle(handled: failure.handled, failure: failure.error as? BargeConsumerError)
            throw failure.error
        }
    }

    private func open() async throws {
        let object = payload.object
        guard let resolved = payload.resolved else {
            throw payload.failure(.noStore, "no object store of this consumer holds \(object.reference.uri.prefix(300)); map bucket '\(object.reference.bucket)' to one (LargeMessageConsumerOptions.interopBuckets) or configure an s3:// store whose location contains it")
        }
        let (store, key) = try resolved.get()
        guard let head = try await store.head(key) else {
            throw payload.failure(.objectMissing, "\(object.reference.uri.prefix(300)) is not in the store (deleted, or never stored)")
        }
        decompressor = try RecordsDecompression.decompressor(for: RecordCompression(rawValue: Int8(object.compression.id)), allowingTrailingZeros: true)
        objectReader = ResumableObjectReader(store: store, key: key, range: 0..<head.size, isWholeObject: true, retry: payload.retry)
    }

    /// About ``ResumableObjectReader/pieceSize`` payload bytes (fewer at
    /// the end), or none once the object and its stream have ended.
    private func nextOutput() async throws -> [UInt8] {
        var output: [UInt8] = []
        while output.count < ResumableObjectReader.pieceSize {
            if inputOffset == input.count {
                guard let piece = try await objectReader?.next() else {
                    try decompressor?.finish { output.append(contentsOf: $0) }
                    decompressor = nil
                    return output
                }
                input = piece
                inputOffset = 0
            }
            guard let decompressor else {
                // Not compressed: the piece is the payload.
                inputOffset = input.count
                return output + input
            }
            let end = min(input.count, inputOffset + Self.feedSize)
            try input[inputOffset..<end].withUnsafeBytes { bytes in
                try decompressor.feed(bytes) { output.append(contentsOf: $0) }
            }
            inputOffset = end
        }
        return output
    }

    /// The error the application sees, and whether the message counts as handled.
    private func classify(_ error: any Error) -> (error: any Error, handled: Bool) {
        let uri = payload.object.reference.uri.prefix(300)
        switch error {
        case let failure as BargeConsumerError:
            return (failure, ![.noStore, .objectStore].contains(failure.kind))
        case let failure as RecordValidationError:
            return (payload.failure(.corrupt, "\(uri) does not decompress as \(payload.object.compression): \(failure.message)"), true)
        case let failure as ObjectStoreError:
            switch failure.kind {
            case .invalidKey:
                return (payload.failure(.invalidReference, "\(uri): the store refuses the key: \(failure.message)"), true)
            case .notFound:
                return (payload.failure(.objectMissing, "\(uri) is not in the store (deleted, or never stored)"), true)
            case .badResponse where failure.message.contains("the reference says"), .invalidRange:
                return (payload.failure(.corrupt, "\(uri) changed while it was read: \(failure.message)"), true)
            default:
                return (payload.failure(.objectStore, "\(uri): \(failure)"), false)
            }
        case is CancellationError:
            return (error, false)
        default:
            return (payload.failure(.objectStore, "\(uri): \(error)"), false)
        }
    }
}
