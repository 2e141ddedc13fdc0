import NIOCore

/// Bytes in memory as an object body: pieces of at most 1 MiB.
struct BytePieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    var pieceSize = 1 << 20

    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes, pieceSize: pieceSize) }

    struct Iterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let pieceSize: Int
        var start = 0

        mutating func next() async -> ByteBuffer? {
            guard start < bytes.count else { return nil }
            defer { start += pieceSize }
            return ByteBuffer(bytes: bytes[start..<Swift.min(start + pieceSize, bytes.count)])
        }
    }
}
