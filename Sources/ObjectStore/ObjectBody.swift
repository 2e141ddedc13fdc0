import NIOCore

/// The bytes of one object (or of a range of it), as a stream of buffers.
///
/// Reading pulls from the store as it goes, so memory stays bounded by one buffer. A body
/// can be iterated once; dropping it part-way releases the file or connection behind it.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// How many bytes the body will yield, when the store said.
    public let expectedSize: Int64?
    private let makeNext: @Sendable () -> (@Sendable () async throws -> ByteBuffer?)

    /// A body whose iterator calls the closure `makeNext` returns until it returns nil.
    public init(expectedSize: Int64?, makeNext: @escaping @Sendable () -> (@Sendable () async throws -> ByteBuffer?)) {
        self.expectedSize = expectedSize
        self.makeNext = makeNext
    }

    /// A body that yields what `sequence` yields.
    public init<Base: AsyncSequence & Sendable>(expectedSize: Int64?, wrapping sequence: Base)
    where Base.Element == ByteBuffer, Base.AsyncIterator: Sendable {
        self.init(expectedSize: expectedSize) {
            let box = IteratorBox(sequence.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(pull: makeNext()) }

    /// Iterates an `ObjectBody`.
    public struct Iterator: AsyncIteratorProtocol {
        let pull: @Sendable () async throws -> ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? { try await pull() }
    }
}

/// Holds a base iterator so a `@Sendable` closure can advance it; only one task iterates.
private final class IteratorBox<Base: AsyncIteratorProtocol & Sendable>: @unchecked Sendable where Base.Element == ByteBuffer {
    private var base: Base

    init(_ base: Base) { self.base = base }

    func next() async throws -> ByteBuffer? { try await base.next() }
}
