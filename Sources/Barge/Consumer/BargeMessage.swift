import NIOConcurrencyHelpers

/// A message handed over by a ``LargeMessageConsumer``: what it is
/// (``info``) and its payload, read once, as a sequence of byte chunks
/// (``payload``), into memory (``bytes(limit:)``) or into a file
/// (``write(to:)``). The payload ends only after its SHA-256 matched; a
/// progressively delivered payload throws ``BargeConsumerError`` if the
/// message fails after all.
public final class BargeMessage: Sendable {
    enum Source: Sendable {
        case bytes([UInt8])
        case stored(token: Int, owner: any PayloadOwner)
        case claimCheck(ClaimCheckPayload)
        /// A foreign format's reference (``BargeMessageInfo/interop``).
        case interopObject(InteropObjectPayload)
    }

    /// What the message is, as known when it was handed over (for a
    /// progressively delivered message, size and digest may still be unknown).
    public let info: BargeMessageInfo
    let source: Source
    private let verified: NIOLockedValueBox<BargeMessageInfo?>

    init(info: BargeMessageInfo, source: Source) {
        self.info = info
        self.source = source
        if case .bytes = source { verified = NIOLockedValueBox(info) } else { verified = NIOLockedValueBox(nil) }
    }

    func verify(_ checked: BargeMessageInfo) {
        verified.withLockedValue { $0 = checked }
    }

    /// The message with its checked size and SHA-256, once its payload was
    /// read to its verified end; `nil` before.
    public var verifiedInfo: BargeMessageInfo? {
        verified.withLockedValue { $0 }
    }

    deinit {
        switch source {
        case .stored(let token, let owner): Task { await owner.release(token) }
        case .claimCheck(let payload): payload.settlement.messageDropped()
        case .interopObject(let payload): payload.settlement.messageDropped()
        case .bytes: break
        }
    }

    /// The payload as chunks of bytes, in order. A claim check's payload
    /// streams from its object store as it is read, resuming after
    /// failures that may pass; it throws ``BargeConsumerError`` when the
    /// store cannot be read (`objectStore`, `noStore`, `objectMissing`), the
    /// key is unknown or wrong (`encryption`), or the bytes do not match the
    /// reference (`corrupt`).
    public var payload: BargePayload { BargePayload(message: self, range: nil) }

    /// The bytes of `range` of the payload, read without the rest: for a
    /// claim check only that range is fetched from the store (and only the
    /// segments covering it decrypted), so a player can seek in a video.
    /// Works for inline and plain messages too; a chunked message's payload,
    /// and a foreign format's object, throw `invalidRange` (read them whole). A range is not checked against
    /// the payload's SHA-256 (an encrypted object's segments are
    /// authenticated), and reading one does not settle the message.
    public func payload(range: Range<Int64>) -> BargePayload { BargePayload(message: self, range: range) }

    /// The whole payload in memory; throws `tooLarge` beyond `limit` bytes
    /// (default 64 MiB) without reading further.
    public func bytes(limit: Int = 64 << 20) async throws -> [UInt8] {
        if let size = info.size, size > Int64(limit) {
            throw tooLarge(size, limit: limit)
        }
        if case .bytes(let bytes) = source { return bytes }
        var collected: [UInt8] = []
        for try await piece in payload {
            guard collected.count + piece.count <= limit else { throw tooLarge(Int64(collected.count + piece.count), limit: limit) }
            collected += piece
        }
        return collected
    }

    /// The start of the name of the temporary file ``write(to:temporaryPath:replacingExisting:)``
    /// writes beside its destination unless told where: a hidden name of fixed
    /// length, so it fits whatever the destination's name is, and no payload
    /// name Barge's receiver writes can look like one (``BargeFileName``).
    public static let partialFilePrefix = ".barge-partial-"

    /// Writes the payload to `path`: into a temporary file that is synced
    /// and renamed to `path` only once the payload is complete and verified
    /// (removed on failure), so `path` never holds a partial or unverified
    /// payload. The temporary file is `temporaryPath` if given (on the same
    /// file system as `path`), else a hidden file beside `path` named
    /// ``partialFilePrefix`` and random hex digits. Without
    /// `replacingExisting`, a file already at `path` is kept and the write
    /// throws `storage`. File I/O runs off Swift's cooperative pool.
    /// Returns the message with its checked size and digest.
    @discardableResult
    public func write(to path: String, temporaryPath: String? = nil, replacingExisting: Bool = true) async throws -> BargeMessageInfo {
        let temporary = temporaryPath ?? Self.defaultTemporaryPath(for: path)
        let file = try await OutputFile.create(temporary)
        do {
            for try await piece in payload { try await file.write(piece) }
            try await file.finish(renamingTo: path, replacing: replacingExisting)
            return verifiedInfo ?? info
        } catch {
            await file.discard()
            throw error
        }
    }

    private static func defaultTemporaryPath(for path: String) -> String {
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let random = (0..<8).map { _ in UInt8.random(in: 0...255) }.map { String($0, radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return directory + partialFilePrefix + random
    }

    private func tooLarge(_ size: Int64, limit: Int) -> BargeConsumerError {
        BargeConsumerError(.tooLarge, "payload of \(size) bytes is over the \(limit)-byte limit for reading into memory", topicPartition: info.topicPartition, id: info.id, firstOffset: info.offset)
    }
}

/// A payload's bytes, chunk by chunk; see ``BargeMessage``.
public struct BargePayload: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// Keeps the message, and so its stored payload, alive while read.
    let message: BargeMessage
    /// The bytes wanted, or nil for all.
    let range: Range<Int64>?

    public func makeAsyncIterator() -> Iterator { Iterator(message: message, range: range) }

    /// Reads the payload.
    public struct Iterator: AsyncIteratorProtocol {
        let message: BargeMessage
        let range: Range<Int64>?
        var finished = false
        var claimCheckReader: ClaimCheckReader?
        var interopReader: InteropObjectReader?

        public mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            switch message.source {
            case .bytes(let bytes):
                finished = true
                let wanted = try slice(bytes)
                return wanted.isEmpty ? nil : wanted
            case .claimCheck(let payload):
                if claimCheckReader == nil { claimCheckReader = ClaimCheckReader(payload: payload, range: range) }
                guard let piece = try await claimCheckReader?.next() else {
                    if range == nil { message.verify(message.info) }
                    finished = true
                    return nil
                }
                return piece
            case .interopObject(let payload):
                guard range == nil else {
                    finished = true
                    throw BargeConsumerError(.invalidRange, "a foreign format's object is read whole, not by range", topicPartition: message.info.topicPartition, firstOffset: message.info.offset)
                }
                if interopReader == nil { interopReader = InteropObjectReader(payload: payload) }
                guard let reader = interopReader, let piece = try await reader.next() else {
                    var checked = message.info
                    checked.size = interopReader?.delivered
                    message.verify(checked)
                    finished = true
                    return nil
                }
                return piece
            case .stored(let token, let owner):
                guard range == nil else {
                    finished = true
                    throw BargeConsumerError(.invalidRange, "a chunked message's payload is read whole, not by range", topicPartition: message.info.topicPartition, id: message.info.id, firstOffset: message.info.offset)
                }
                switch try await owner.nextPiece(of: token) {
                case .bytes(let piece):
                    return piece
                case .end(let info):
                    message.verify(info)
                    finished = true
                    return nil
                }
            }
        }
    }
}

extension BargePayload.Iterator {
    /// `range` of an in-memory payload (all of it without a range).
    fileprivate func slice(_ bytes: [UInt8]) throws -> [UInt8] {
        guard let range else { return bytes }
        guard range.lowerBound >= 0, range.upperBound <= Int64(bytes.count) else {
            throw BargeConsumerError(.invalidRange, "bytes \(range.lowerBound)..<\(range.upperBound) are outside the payload of \(bytes.count) bytes", topicPartition: message.info.topicPartition, id: message.info.id, firstOffset: message.info.offset)
        }
        return Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)])
    }
}
