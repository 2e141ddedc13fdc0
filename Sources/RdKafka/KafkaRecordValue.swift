import NIOConcurrencyHelpers

/// A consumed record's value left in librdkafka's fetch buffer rather than
/// copied, so a 20 MB value costs 20 MB once. The buffer is given back when
/// the last reference goes, or earlier by ``release()`` or by reading
/// ``pieces(size:)`` to the end; its bytes count against the consumer's
/// buffer until then, so a held value keeps the consumer from fetching
/// more (releasing it once its bytes are written lets the next record be
/// fetched while the caller still waits for its fsync or delivery).
///
/// Reading a released value throws ``KafkaClientError/Kind/valueReleased``.
/// Release or drop every value before closing its consumer: librdkafka's
/// client is destroyed only after its buffers come back.
public final class KafkaRecordValue: Sendable {
    private struct State {
        var message: PolledMessage?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: NIOLockedValueBox<State>
    /// The value's size in bytes.
    public let count: Int

    init(_ message: PolledMessage, count: Int) {
        self.state = NIOLockedValueBox(State(message: message))
        self.count = count
    }

    /// Whether the buffer was given back.
    public var isReleased: Bool {
        state.withLockedValue { $0.message == nil }
    }

    /// Gives the buffer back to librdkafka (once nothing else reads it).
    public func release() {
        // The message goes, and the waiters resume, after the lock is left.
        let (_, waiters) = state.withLockedValue { state in
            defer {
                state.message = nil
                state.waiters = []
            }
            return (state.message, state.waiters)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the value is released (by ``release()`` or by reading
    /// its pieces to the end).
    public func waitUntilReleased() async {
        await withCheckedContinuation { continuation in
            let released = state.withLockedValue { state in
                if state.message == nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if released { continuation.resume() }
        }
    }

    /// Runs `body` with the bytes; the buffer is held for that time.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        guard let held = state.withLockedValue({ $0.message }) else { throw KafkaClientError.valueReleased(count: count) }
        return try held.withUnsafeValue(body)
    }

    /// A copy of the bytes in `range` (all of them by default).
    public func bytes(_ range: Range<Int>? = nil) throws -> [UInt8] {
        let range = range ?? 0..<count
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range \(range) outside a value of \(count) bytes")
        return try withUnsafeBytes { [UInt8](UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The value in copied pieces of at most `size` bytes, for streaming it
    /// somewhere; once the last piece is taken the value is released. One
    /// pass: a second iteration throws `valueReleased`.
    public func pieces(size: Int) -> Pieces {
        Pieces(value: self, size: max(1, size))
    }

    /// The pieces of a value; see ``KafkaRecordValue/pieces(size:)``.
    public struct Pieces: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let value: KafkaRecordValue
        let size: Int

        public func makeAsyncIterator() -> Iterator {
            Iterator(value: value, size: size)
        }

        /// Iterates the pieces.
        public struct Iterator: AsyncIteratorProtocol {
            let value: KafkaRecordValue
            let size: Int
            var start = 0
            var ended = false

            public mutating func next() async throws -> [UInt8]? {
                guard !ended else { return nil }
                if start == 0 && value.isReleased { throw KafkaClientError.valueReleased(count: value.count) }
                guard start < value.count else {
                    ended = true
                    value.release()
                    return nil
                }
                let end = Swift.min(start + size, value.count)
                let piece = try value.bytes(start..<end)
                start = end
                if start == value.count {
                    ended = true
                    value.release()
                }
                return piece
            }
        }
    }
}
