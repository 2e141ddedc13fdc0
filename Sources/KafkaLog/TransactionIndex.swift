import KafkaProtocol
import NIOCore

/// The aborted transactions whose markers are in one segment, in
/// `<base offset>.txnindex`, in Kafka's layout: 34-byte entries of version
/// int16 (0), producer id int64, first offset int64, last offset (the
/// marker) int64, last stable offset int64, big-endian, in marker order.
///
/// Kept in memory by its segment (one entry per aborted transaction). The
/// file is written whole and atomically when the segment is closed (at a
/// roll or when the log closes) and after recovery rebuilt entries; the
/// entries after the newest producer snapshot are derived again from the
/// log when it opens, so no append waits for this file.
struct TransactionIndex: Equatable {
    static let entrySize = 34
    static let version: Int16 = 0

    let path: String
    private(set) var entries: [AbortedTransaction] = []
    /// Whether `entries` differ from the file.
    private(set) var isDirty = false
    /// Whether the file at `path` was damaged and dropped when loaded.
    let wasDamaged: Bool

    /// Loads the index at `path`; a missing file is an empty index, a damaged
    /// one (not whole entries, another version, out of order) is dropped and
    /// marked for rewriting: opening the log then replays it from at or
    /// before this segment, deriving the entries again from the markers.
    init(path: String, storage: LogStorage) throws(LogError) {
        self.path = path
        guard var bytes = try storage.readWholeFile(path, limit: 1 << 30) else {
            wasDamaged = false
            return
        }
        guard let entries = Self.decode(&bytes) else {
            wasDamaged = true
            isDirty = true
            return
        }
        wasDamaged = false
        self.entries = entries
    }

    mutating func append(_ entry: AbortedTransaction) {
        entries.append(entry)
        isDirty = true
    }

    /// Drops the entries whose markers are at or after `offset` (to derive them again from the log).
    mutating func removeEntries(from offset: Int64) {
        let kept = entries.filter { $0.lastOffset < offset }
        if kept.count != entries.count {
            entries = kept
            isDirty = true
        }
    }

    /// Writes the entries when they changed: atomically, or removes the file when there are none.
    mutating func writeIfDirty(storage: LogStorage) throws(LogError) {
        guard isDirty else { return }
        if entries.isEmpty {
            try storage.remove(path)
        } else {
            try storage.writeAtomically(Self.encode(entries), to: path)
        }
        isDirty = false
    }

    static func encode(_ entries: [AbortedTransaction]) -> ByteBuffer {
        var bytes = ByteBuffer()
        bytes.reserveCapacity(entries.count * entrySize)
        for entry in entries {
            bytes.writeInteger(version)
            bytes.writeInteger(entry.producerId)
            bytes.writeInteger(entry.firstOffset)
            bytes.writeInteger(entry.lastOffset)
            bytes.writeInteger(entry.lastStableOffset)
        }
        return bytes
    }

    /// The entries of a whole file; nil when it is not whole, valid entries in marker order.
    static func decode(_ bytes: inout ByteBuffer) -> [AbortedTransaction]? {
        guard bytes.readableBytes % entrySize == 0 else { return nil }
        var entries: [AbortedTransaction] = []
        while bytes.readableBytes > 0 {
            guard bytes.readInteger(as: Int16.self) == version,
                  let producerId = bytes.readInteger(as: Int64.self),
                  let firstOffset = bytes.readInteger(as: Int64.self),
                  let lastOffset = bytes.readInteger(as: Int64.self),
                  let lastStableOffset = bytes.readInteger(as: Int64.self),
                  firstOffset <= lastOffset, lastOffset > (entries.last?.lastOffset ?? -1)
            else { return nil }
            entries.append(AbortedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: lastOffset,
                                              lastStableOffset: lastStableOffset))
        }
        return entries
    }
}
