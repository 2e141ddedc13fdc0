/// A segment's sparse time index: entries of (largest batch timestamp so far:
/// int64, offset relative to the segment's base offset of the batch that has
/// it: int32), added next to offset index entries when the timestamp grew,
/// plus one when the segment is closed. Timestamps strictly increase and
/// offsets never decrease, so every batch before an entry's offset has a
/// smaller timestamp than the entry's.
struct TimeIndex {
    static let entrySize = 12
    let baseOffset: Int64
    private(set) var file: IndexFile

    /// A timestamp and the base offset of the batch that first reached it.
    struct Entry: Equatable {
        var timestamp: Int64
        var offset: Int64
    }

    init(storage: LogStorage, path: String, baseOffset: Int64, readOnly: Bool = false) throws(LogError) {
        self.baseOffset = baseOffset
        self.file = try IndexFile.open(storage: storage, path, entrySize: Self.entrySize, readOnly: readOnly)
    }

    var count: Int { file.count }

    /// The last entry, if any: the segment's largest timestamp once it is closed.
    func last() throws(LogError) -> Entry? {
        file.count == 0 ? nil : try entry(file.count - 1)
    }

    /// The last entry with a timestamp at most `timestamp`: batches before its
    /// offset all have smaller timestamps, so a search can start there.
    func floor(timestamp: Int64) throws(LogError) -> Entry? {
        try file.lastIndex { $0.bigEndian(at: 0, as: Int64.self) <= timestamp }.map { (index) throws(LogError) in try entry(index) }
    }

    /// Appends an entry when `timestamp` is larger than the last one's.
    mutating func appendIfNewer(timestamp: Int64, offset: Int64) throws(LogError) {
        if let last = try last(), last.timestamp >= timestamp { return }
        try withUnsafeTemporaryAllocation(byteCount: Self.entrySize, alignment: 8) { (raw) throws(LogError) in
            raw.storeBigEndian(timestamp, at: 0)
            raw.storeBigEndian(Int32(offset - baseOffset), at: 8)
            try file.append(UnsafeRawBufferPointer(raw))
        }
    }

    /// Drops every entry at or past `offset`.
    mutating func truncate(toOffset offset: Int64) throws(LogError) {
        let relative = offset - baseOffset
        let keep = try file.lastIndex { Int64($0.bigEndian(at: 8, as: Int32.self)) < relative }.map { $0 + 1 } ?? 0
        if keep < file.count { try file.truncate(to: keep) }
    }

    /// Keeps the first `count` entries.
    mutating func truncate(toCount count: Int) throws(LogError) {
        try file.truncate(to: count)
    }

    /// Whether the file is whole entries, timestamps strictly increasing,
    /// offsets never decreasing and below `endOffset`.
    func isValid(endOffset: Int64) throws(LogError) -> Bool {
        guard try file.hasWholeEntries() else { return false }
        var previous = Entry(timestamp: .min, offset: baseOffset)
        var first = true
        return try file.forEachEntry { raw in
            let entry = Entry(timestamp: raw.bigEndian(at: 0, as: Int64.self),
                              offset: baseOffset + Int64(raw.bigEndian(at: 8, as: Int32.self)))
            defer { previous = entry; first = false }
            return (first || entry.timestamp > previous.timestamp) && entry.offset >= previous.offset && entry.offset < endOffset
        }
    }

    private func entry(_ index: Int) throws(LogError) -> Entry {
        try file.withEntry(index) { raw in
            Entry(timestamp: raw.bigEndian(at: 0, as: Int64.self),
                  offset: baseOffset + Int64(raw.bigEndian(at: 8, as: Int32.self)))
        }
    }
}
