/// Fast, reproducible pseudo-random bytes for the demo's payloads: camera
/// frames and video that do not compress, like the real thing.
struct SyntheticBytes {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    /// The next `count` bytes (xorshift64*, 8 bytes per step).
    mutating func next(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            var index = 0
            while index < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = state &* 0x2545_F491_4F6C_DD1D
                let take = min(8, count - index)
                withUnsafeBytes(of: &word) { bytes in
                    for offset in 0..<take { buffer[index + offset] = bytes[offset] }
                }
                index += take
            }
            filled = count
        }
    }

    /// A number in `range`.
    mutating func number(in range: ClosedRange<Int>) -> Int {
        let word = next(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return range.lowerBound + Int(word % UInt64(range.count))
    }
}

/// A payload produced piece by piece without holding it: a stream of
/// unknown length, as a live camera would send.
struct SyntheticStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let size: Int
    let pieceSize: Int
    let seed: UInt64

    func makeAsyncIterator() -> Iterator { Iterator(left: size, pieceSize: pieceSize, bytes: SyntheticBytes(seed: seed)) }

    struct Iterator: AsyncIteratorProtocol {
        var left: Int
        let pieceSize: Int
        var bytes: SyntheticBytes

        mutating func next() async -> [UInt8]? {
            guard left > 0 else { return nil }
            let count = Swift.min(pieceSize, left)
            left -= count
            return bytes.next(count)
        }
    }
}
