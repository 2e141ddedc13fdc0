import Crypto
import ObjectStore

/// Reads a claim check's payload, or a byte range of it, from its object:
/// decrypting when the object is encrypted, and, for a whole read, checking
/// size and SHA-256 before it ends. Store failures become
/// ``BargeConsumerError``s, and the message's handling is settled when
/// reading ends. Used by one task at a time.
final class ClaimCheckReader {
    private let payload: ClaimCheckPayload
    private let plaintextRange: Range<Int64>?
    private var objectReader: ResumableObjectReader?
    private var decryptor: BargeSegmentDecryptor?
    private var decryptorFinished = false
    private var hasher = SHA256()
    private var delivered: Int64 = 0
    /// What the progress hook last heard (a whole read only).
    private var progress: BargeReceiveProgress
    private var finished = false

    /// A reader of the whole payload (`range` nil) or of `range`.
    init(payload: ClaimCheckPayload, range: Range<Int64>?) {
        self.payload = payload
        plaintextRange = range
        progress = BargeReceiveProgress(payload.info)
    }

    /// The next plaintext bytes, nil at the verified end.
    func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        do {
            if objectReader == nil { try open() }
            while let piece = try await objectReader?.next() {
                let plaintext = try decrypt(piece)
                if !plaintext.isEmpty { return account(plaintext) }
            }
            if !decryptorFinished, decryptor != nil {
                decryptorFinished = true
                let tail = try decryptor!.finish()
                if !tail.isEmpty { return account(tail) }
            }
            try verifyEnd()
            finished = true
            if plaintextRange == nil { await payload.settlement.settle(handled: true) }
            return nil
        } catch {
            finished = true
            let failure = classify(error)
            // A ranged read never settles the message: whole reads and dropping it do.
            if plaintextRange == nil { await payload.settlement.settle(handled: failure.handled, failure: failure.error as? BargeConsumerError) }
            throw failure.error
        }
    }

    private func open() throws {
        let reference = payload.reference
        guard let (store, key) = payload.resolved else {
            guard payload.hasStores else {
                throw payload.failure(.noStore, "no object store of this consumer holds \(reference.objectURL); configure one whose location contains it")
            }
            throw payload.failure(.invalidReference, "\(reference.objectURL.prefix(300)) is not an object in any of this consumer's stores (another store, or a key that is not allowed)")
        }
        let range = plaintextRange ?? 0..<reference.size
        guard range.lowerBound >= 0, range.upperBound <= reference.size else {
            throw payload.failure(.invalidRange, "bytes \(range.lowerBound)..<\(range.upperBound) are outside the payload of \(reference.size) bytes")
        }
        let objectRange: Range<Int64>
        if let parameters = reference.encryption {
            guard let keyring = payload.keyring else {
                throw payload.failure(.encryption, "the object is encrypted with key '\(parameters.keyID)' and this consumer has no keys")
            }
            let plan = try BargeEncryptedRange.plan(plaintext: range, plaintextSize: reference.size, segmentSize: parameters.segmentSize)
            // A whole read checks the whole object, so the decryptor expects its final segment.
            decryptor = plaintextRange == nil
                ? try BargeSegmentDecryptor(parameters: parameters, keyring: keyring)
                : try BargeSegmentDecryptor(parameters: parameters, keyring: keyring, range: plan)
            objectRange = plan.ciphertext
        } else {
            objectRange = range
        }
        objectReader = ResumableObjectReader(
            store: store, key: key, range: objectRange,
            isWholeObject: plaintextRange == nil, retry: payload.retry
        )
    }

    private func decrypt(_ piece: [UInt8]) throws -> [UInt8] {
        guard decryptor != nil else { return piece }
        return try decryptor!.decrypt(piece)
    }

    private func account(_ plaintext: [UInt8]) -> [UInt8] {
        delivered += Int64(plaintext.count)
        if plaintextRange == nil {
            hasher.update(data: plaintext)
            progress.bytesReceived = delivered
            payload.progress?(progress)
        }
        return plaintext
    }

    private func verifyEnd() throws {
        let reference = payload.reference
        let expected = Int64((plaintextRange ?? 0..<reference.size).count)
        guard delivered == expected else {
            throw payload.failure(.corrupt, "read \(delivered) payload bytes, expected \(expected)")
        }
        guard plaintextRange == nil else { return }
        guard BargeDigest(finalizing: hasher.finalize()) == reference.sha256 else {
            throw payload.failure(.corrupt, "SHA-256 of the \(delivered) bytes of \(reference.objectURL) does not match barge.sha256")
        }
        progress.bytesVerified = delivered
        payload.progress?(progress)
    }

    /// The error the application sees, and whether the message counts as handled.
    private func classify(_ error: any Error) -> (error: any Error, handled: Bool) {
        switch error {
        case let failure as BargeConsumerError:
            return (failure, ![.noStore, .objectStore, .encryption].contains(failure.kind))
        case let failure as BargeEncryptionError:
            let keyProblem = failure.kind == .unknownKey || failure.kind == .wrongKey
            return (payload.failure(keyProblem ? .encryption : .corrupt, "\(failure)"), !keyProblem)
        case let failure as ObjectStoreError:
            switch failure.kind {
            case .invalidKey:
                return (payload.failure(.invalidReference, "\(payload.reference.objectURL.prefix(300)): the store refuses the key: \(failure.message)"), true)
            case .notFound:
                return (payload.failure(.objectMissing, "\(payload.reference.objectURL) is not in the store (deleted, or never stored)"), true)
            case .badResponse where failure.message.contains("the reference says"):
                return (payload.failure(.corrupt, failure.message), true)
            case .invalidRange:
                return (payload.failure(.corrupt, "the object is shorter than the reference says: \(failure.message)"), true)
            default:
                return (payload.failure(.objectStore, "\(payload.reference.objectURL): \(failure)"), false)
            }
        case is CancellationError:
            return (error, false)
        default:
            return (payload.failure(.objectStore, "\(payload.reference.objectURL): \(error)"), false)
        }
    }
}
