import NIOCore

extension FileSystemObjectStore {
    /// Writes `body` to a partial file beside the target, a piece at a time, then flushes it
    /// and renames it over the target (see the type's documentation). One write runs on
    /// the thread pool while the body's next pieces are read, so producing the body (a
    /// digest, a copy) and writing it overlap.
    ///
    /// - Throws: `.badBody` when the body fails or differs from `options.expectedSize`,
    ///   `.invalidKey` when a link or an object is in the way, file-system errors as typed
    ///   errors, `CancellationError`. In every case the partial file is removed.
    public func put<Body: AsyncSequence & Sendable>(
        _ key: ObjectKey, body: Body, options: ObjectPutOptions
    ) async throws -> ObjectInfo where Body.Element == ByteBuffer {
        try checkNotReserved(key)
        let name = Self.partialFileName()
        let partial = try await BlockingIO.run { [root, fileSystem] in try PartialFile.create(name, for: key, below: root, in: fileSystem) }
        var writing: Task<Void, any Error>?
        do {
            var reader = PutBodyReader(body, key: key, expectedSize: options.expectedSize)
            var pending: [ByteBuffer] = []
            var pendingBytes = 0
            while let piece = try await reader.next() {
                pending.append(piece)
                pendingBytes += piece.readableBytes
                guard pendingBytes >= Self.pieceSize else { continue }
                try await writing?.value
                writing = Task { [pending] in try await BlockingIO.run { try partial.write(pending) } }
                pending = []
                pendingBytes = 0
            }
            try await writing?.value
            return try await BlockingIO.run { [pending] in
                try partial.write(pending)
                return try partial.commit().objectInfo(key: key)
            }
        } catch {
            // The write in flight ends before the file goes.
            _ = try? await writing?.value
            await BlockingIO.runToCompletion { partial.remove() }
            throw error
        }
    }
}
