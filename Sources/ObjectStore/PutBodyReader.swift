import NIOCore

/// Reads the body of a `put` for a store: counts its bytes, holds them to the size the
/// caller announced, and turns the body's own failures into `.badBody`.
///
/// Every store reads bodies through this so they all fail the same way.
struct PutBodyReader<Body: AsyncSequence> where Body.Element == ByteBuffer {
    private var iterator: Body.AsyncIterator
    private let key: ObjectKey
    private let expectedSize: Int64?
    /// How many bytes the body has yielded so far.
    private(set) var bytesRead: Int64 = 0

    /// A reader of `body`, the body of a `put` to `key` announced as `expectedSize` bytes.
    init(_ body: Body, key: ObjectKey, expectedSize: Int64?) {
        self.iterator = body.makeAsyncIterator()
        self.key = key
        self.expectedSize = expectedSize
    }

    /// The body's next piece, or nil once it has ended with the announced size.
    ///
    /// - Throws: `.badBody` when the body fails or its size differs from the announced one;
    ///   `CancellationError` as it comes.
    mutating func next() async throws -> ByteBuffer? {
        let piece: ByteBuffer?
        do {
            piece = try await iterator.next()
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ObjectStoreError(.badBody, key: key.rawValue, "the body failed after \(bytesRead) bytes: \(error)")
        }
        guard let piece else {
            if let expectedSize, bytesRead != expectedSize {
                throw ObjectStoreError(.badBody, key: key.rawValue, "the body ended after \(bytesRead) bytes but \(expectedSize) were announced")
            }
            return nil
        }
        bytesRead += Int64(piece.readableBytes)
        if let expectedSize, bytesRead > expectedSize {
            throw ObjectStoreError(.badBody, key: key.rawValue, "the body yielded more than the \(expectedSize) bytes announced")
        }
        return piece
    }
}
