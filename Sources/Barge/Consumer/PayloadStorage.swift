/// One message's payload bytes between their arrival and the application's
/// reads, in order: first what was spilled to its ``SpillFile`` and not yet
/// read, then what is still in memory. Owned by the ``ReassemblyEngine``
/// actor.
final class PayloadStorage {
    private(set) var memory: [[UInt8]] = []
    private var memoryHead = 0
    /// Bytes held in memory.
    private(set) var memoryBytes = 0
    private(set) var spill: SpillFile?
    /// Spilled bytes: `[spillRead, spillWritten)` are not read yet.
    private var spillRead: Int64 = 0
    private var spillWritten: Int64 = 0
    /// Bytes being written to the spill file right now.
    private(set) var isSpilling = false
    /// The payload is complete and verified.
    var isSealed: Bool { sealedInfo != nil }
    /// The message's description with its checked size and digest, once sealed.
    private(set) var sealedInfo: BargeMessageInfo?
    /// Why the payload will never be complete.
    private(set) var failure: BargeConsumerError?

    /// Largest piece read back from the spill file at once.
    static let readSize = 1 << 20

    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        memory.append(bytes)
        memoryBytes += bytes.count
    }

    func seal(_ info: BargeMessageInfo) { sealedInfo = info }

    func fail(_ error: BargeConsumerError) {
        failure = failure ?? error
    }

    /// Whether a read would get bytes now.
    var hasUnread: Bool { spillRead < spillWritten || memoryHead < memory.count }

    /// Whether every byte was read and nothing more can come, or the
    /// payload failed.
    var isDrained: Bool { failure != nil || (!hasUnread && !isSpilling && isSealed) }

    /// Takes every in-memory piece, to be appended to the spill file at
    /// `offset`; call ``spilled(_:into:)`` once they are written.
    func takeMemoryForSpill() -> (pieces: [[UInt8]], bytes: Int, offset: Int64)? {
        guard memoryHead < memory.count, !isSpilling else { return nil }
        isSpilling = true
        defer {
            memory = []
            memoryHead = 0
            memoryBytes = 0
        }
        return (Array(memory[memoryHead...]), memoryBytes, spillWritten)
    }

    /// The pieces taken by ``takeMemoryForSpill()`` are in `file` now
    /// (`bytes` of them), or were lost when `file` is `nil`.
    func spilled(_ bytes: Int, into file: SpillFile?) {
        isSpilling = false
        guard let file else { return }
        spill = file
        spillWritten += Int64(bytes)
    }

    /// Where the next unread bytes are.
    enum Read {
        /// In memory: here they are.
        case memory([UInt8])
        /// In the spill file: `count` bytes at `offset`.
        case spilled(SpillFile, offset: Int64, count: Int)
    }

    /// Takes the next unread bytes, or `nil` when none are there now (or
    /// ever, once the payload failed: what is left is not read).
    func read() -> Read? {
        guard failure == nil else { return nil }
        if spillRead < spillWritten, let spill {
            let count = Int(min(Int64(Self.readSize), spillWritten - spillRead))
            defer { spillRead += Int64(count) }
            return .spilled(spill, offset: spillRead, count: count)
        }
        guard memoryHead < memory.count else { return nil }
        let piece = memory[memoryHead]
        memory[memoryHead] = []
        memoryHead += 1
        memoryBytes -= piece.count
        if memoryHead == memory.count {
            memory = []
            memoryHead = 0
        }
        return .memory(piece)
    }
}
