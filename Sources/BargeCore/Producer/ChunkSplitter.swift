/// Cuts pieces of any size into chunks of exactly `chunkSize` bytes (the last
/// one shorter), holding at most one chunk.
package struct ChunkSplitter {
    package let chunkSize: Int
    private var pending: [UInt8] = []

    package init(chunkSize: Int) {
        self.chunkSize = chunkSize
        pending.reserveCapacity(chunkSize)
    }

    /// Adds `piece` and returns the chunks it completed.
    package mutating func add(_ piece: [UInt8]) -> [[UInt8]] {
        var complete: [[UInt8]] = []
        var start = 0
        while start < piece.count {
            let take = min(chunkSize - pending.count, piece.count - start)
            if pending.isEmpty && take == chunkSize {
                complete.append(Array(piece[start..<start + take]))
            } else {
                pending.append(contentsOf: piece[start..<start + take])
                if pending.count == chunkSize {
                    complete.append(pending)
                    pending = []
                    pending.reserveCapacity(chunkSize)
                }
            }
            start += take
        }
        return complete
    }

    /// The last, partial chunk, if any bytes are left.
    package mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}
