import NIOCore
import ObjectStore

/// Reads `range` of an object, piece by piece, resuming where it stopped
/// after a failure that may pass (connection lost, 5xx), with backoff, until
/// the retry policy gives up. Used by one task at a time.
final class ResumableObjectReader {
    private let store: any ObjectStore
    private let key: ObjectKey
    private let range: Range<Int64>
    /// Whether `range` is the whole object: then the first request asks for
    /// all of it, so that an object longer than expected is noticed.
    private let isWholeObject: Bool
    private let retry: BargeRetryPolicy
    private var position: Int64
    private var body: ObjectBody.Iterator?
    private var failures = 0
    private var ended = false

    init(store: any ObjectStore, key: ObjectKey, range: Range<Int64>, isWholeObject: Bool, retry: BargeRetryPolicy) {
        self.store = store
        self.key = key
        self.range = range
        self.isWholeObject = isWholeObject
        self.retry = retry
        position = range.lowerBound
    }

    /// Bytes gathered into one piece before it is handed on: the store's
    /// buffers are small (tens of KiB from HTTP), and every piece costs a
    /// hand-off to a file write or a decryption call.
    static let pieceSize = 1 << 20

    /// The next bytes (about ``pieceSize`` of them, fewer at the end), or nil
    /// after the range's last byte.
    func next() async throws -> [UInt8]? {
        var gathered: [UInt8] = []
        while gathered.count < Self.pieceSize, let bytes = try await nextBuffer() {
            if gathered.isEmpty {
                gathered = bytes
                gathered.reserveCapacity(Self.pieceSize)
            } else {
                gathered += bytes
            }
        }
        return gathered.isEmpty ? nil : gathered
    }

    /// The next buffer the store gives, retried as the policy says.
    private func nextBuffer() async throws -> [UInt8]? {
        guard !ended else { return nil }
        while true {
            do {
                return try await read()
            } catch let error as ObjectStoreError where !error.isRetryable {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                body = nil
                failures += 1
                guard failures <= retry.retries else { throw error }
                try await Task.sleep(for: retry.delay(beforeRetry: failures))
            }
        }
    }

    private func read() async throws -> [UInt8]? {
        if body == nil {
            if position == range.upperBound && !(isWholeObject && position == range.lowerBound) {
                ended = true
                return nil
            }
            let requested = isWholeObject && position == range.lowerBound ? nil : position..<range.upperBound
            body = try await store.get(key, range: requested).makeAsyncIterator()
        }
        guard var buffer = try await body?.next() else {
            guard position == range.upperBound else {
                throw ObjectStoreError(.badResponse, key: key.rawValue, "the object ended at byte \(position), the reference says \(range.upperBound)")
            }
            ended = true
            return nil
        }
        guard Int64(buffer.readableBytes) <= range.upperBound - position else {
            throw ObjectStoreError(.badResponse, key: key.rawValue, "the object is longer than the \(range.upperBound) bytes the reference says")
        }
        position += Int64(buffer.readableBytes)
        failures = 0
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
