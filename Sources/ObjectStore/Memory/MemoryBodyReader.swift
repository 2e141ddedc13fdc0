import NIOConcurrencyHelpers
import NIOCore

/// Hands out a memory store object's bytes a piece at a time, for the body `get` returns,
/// failing part-way when a fault says so.
final class MemoryBodyReader: Sendable {
    private struct Progress {
        var remaining: ByteBuffer
        var yielded = 0
    }

    private let progress: NIOLockedValueBox<Progress>
    private let pieceSize: Int
    private let failure: (afterBytes: Int, error: ObjectStoreError)?

    /// A reader of `bytes` in pieces of `pieceSize`; with `failure`, it throws the error once
    /// it has handed out `afterBytes` bytes, or at the end when there are fewer.
    init(_ bytes: ByteBuffer, pieceSize: Int, failure: (afterBytes: Int, error: ObjectStoreError)?) {
        self.progress = NIOLockedValueBox(Progress(remaining: bytes))
        self.pieceSize = pieceSize
        self.failure = failure
    }

    /// The next piece, or nil at the end.
    func next() throws(ObjectStoreError) -> ByteBuffer? {
        let outcome: Result<ByteBuffer?, ObjectStoreError> = progress.withLockedValue { progress in
            var length = min(progress.remaining.readableBytes, pieceSize)
            if let failure {
                length = min(length, failure.afterBytes - progress.yielded)
                if length <= 0 { return .failure(failure.error) }
            }
            guard length > 0, let piece = progress.remaining.readSlice(length: length) else { return .success(nil) }
            progress.yielded += length
            return .success(piece)
        }
        return try outcome.get()
    }
}
