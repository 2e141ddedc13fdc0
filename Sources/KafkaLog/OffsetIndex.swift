/// A segment's sparse offset index: entries of (offset relative to the
/// segment's base offset: int32, file position of the batch starting there:
/// int32), one every `index.interval.bytes` of batches, both columns strictly
/// increasing.
struct OffsetIndex {
    static let entrySize = 8
    let baseOffset: Int64
    private(set) var file: IndexFile

    /// The entry nearest below or at a target.
    struct Entry: Equatable {
        var offset: Int64
        var position: Int
    }

    init(storage: LogStorage, path: String, baseOffset: Int64, readOnly: Bool = false) throws(LogError) {
        self.baseOffset = baseOffset
        self.file = try IndexFile.open(storage: storage, path, entrySize: Self.entrySize, readOnly: readOnly)
    }

    var count: Int { file.count }

    /// The last entry, if any.
    func last() throws(LogError) -> Entry? {
        file.count == 0 ? nil : try entry(file.count - 1)
    }

    /// The last entry whose offset is at most `offset`: where to start looking
    /// for the batch that holds `offset`.
    func floor(offset: Int64) throws(LogError) -> Entry? {
        let relative = offset - baseOffset
        return try file.lastIndex { Int64($0.bigEndian(at: 0, as: Int32.self)) <= relative }.map { (index) throws(LogError) in try entry(index) }
    }

    /// The last entry whose batch starts at or before `position`.
    func floor(position: Int) throws(LogError) -> Entry? {
        try file.lastIndex { Int($0.bigEndian(at: 4, as: Int32.self)) <= position }.map { (index) throws(LogError) in try entry(index) }
    }

    /// Appends an entry for the batch with base `offset` at `position`.
    mutating func append(offset: Int64, position: Int) throws(LogError) {
        try withUnsafeTemporaryAllocation(byteCount: Self.entrySize, alignment: 8) { (raw) throws(LogError) in
            raw.storeBigEndian(Int32(offset - baseOffset), at: 0)
            raw.storeBigEndian(Int32(position), at: 4)
            try file.append(UnsafeRawBufferPointer(raw))
        }
    }

    /// Drops every entry at or past `position`.
    mutating func truncate(toPosition position: Int) throws(LogError) {
        let keep = try file.lastIndex { Int($0.bigEndian(at: 4, as: Int32.self)) < position }.map { $0 + 1 } ?? 0
        if keep < file.count { try file.truncate(to: keep) }
    }

    /// Keeps the first `count` entries.
    mutating func truncate(toCount count: Int) throws(LogError) {
        try file.truncate(to: count)
    }

    /// Whether the file is whole entries, strictly increasing, and points
    /// inside a log of `logSize` bytes at offsets below `endOffset`.
    func isValid(logSize: Int, endOffset: Int64) throws(LogError) -> Bool {
        guard try file.hasWholeEntries() else { return false }
        var previous = Entry(offset: baseOffset - 1, position: -1)
        return try file.forEachEntry { raw in
            let entry = Entry(offset: baseOffset + Int64(raw.bigEndian(at: 0, as: Int32.self)),
                              position: Int(raw.bigEndian(at: 4, as: Int32.self)))
            defer { previous = entry }
            return entry.offset > previous.offset && entry.position > previous.position
                && entry.position < logSize && entry.offset < endOffset
        }
    }

    private func entry(_ index: Int) throws(LogError) -> Entry {
        try file.withEntry(index) { raw in
            Entry(offset: baseOffset + Int64(raw.bigEndian(at: 0, as: Int32.self)),
                  position: Int(raw.bigEndian(at: 4, as: Int32.self)))
        }
    }
}
