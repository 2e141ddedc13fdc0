/// A file of fixed-size big-endian entries: appended one at a time, searched
/// by binary search with `pread` (nothing is cached in memory, so a log of
/// many segments costs no memory for its indexes).
struct IndexFile {
    let file: LogFile
    let entrySize: Int
    /// The number of entries.
    private(set) var count: Int

    /// Opens (creating if needed) an index file; `count` comes from its size, rounded down.
    static func open(storage: LogStorage, _ path: String, entrySize: Int, readOnly: Bool = false) throws(LogError) -> IndexFile {
        let file = readOnly ? try storage.openForReading(path) : try storage.open(path)
        do {
            return IndexFile(file: file, entrySize: entrySize, count: try file.size() / entrySize)
        } catch {
            file.close()
            throw error
        }
    }

    /// Whether the file's size is a whole number of entries.
    func hasWholeEntries() throws(LogError) -> Bool {
        try file.size() == count * entrySize
    }

    /// Reads entry `index` and hands its bytes to `body`.
    func withEntry<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) throws(LogError) -> Result {
        try withUnsafeTemporaryAllocation(byteCount: entrySize, alignment: 8) { (raw) throws(LogError) -> Result in
            guard try file.read(into: raw, at: index * entrySize) == entrySize else {
                throw LogError(.storage, "index \(file.path) ends inside entry \(index)")
            }
            return body(UnsafeRawBufferPointer(raw))
        }
    }

    /// The last entry for which `isAtOrBefore` holds, assuming it holds for a
    /// prefix of the entries and not after; nil if it holds for none.
    func lastIndex(where isAtOrBefore: (UnsafeRawBufferPointer) -> Bool) throws(LogError) -> Int? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if try withEntry(middle, isAtOrBefore) { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// Appends one entry of `entrySize` bytes.
    mutating func append(_ entry: UnsafeRawBufferPointer) throws(LogError) {
        precondition(entry.count == entrySize)
        try file.write([entry], at: count * entrySize)
        count += 1
    }

    /// Keeps the first `newCount` entries.
    mutating func truncate(to newCount: Int) throws(LogError) {
        try file.truncate(to: newCount * entrySize)
        count = newCount
    }

    /// Reads every entry, in order, for a validity check.
    func forEachEntry(_ body: (UnsafeRawBufferPointer) -> Bool) throws(LogError) -> Bool {
        let chunkEntries = 8192
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkEntries * entrySize, alignment: 8)
        defer { buffer.deallocate() }
        var index = 0
        while index < count {
            let entries = min(chunkEntries, count - index)
            let bytes = entries * entrySize
            guard try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<bytes]), at: index * entrySize) == bytes else {
                return false
            }
            for entry in 0..<entries {
                guard body(UnsafeRawBufferPointer(rebasing: buffer[(entry * entrySize)..<((entry + 1) * entrySize)])) else { return false }
            }
            index += entries
        }
        return true
    }
}

extension UnsafeRawBufferPointer {
    /// A big-endian integer at `offset`.
    func bigEndian<Value: FixedWidthInteger>(at offset: Int, as type: Value.Type = Value.self) -> Value {
        Value(bigEndian: loadUnaligned(fromByteOffset: offset, as: Value.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset`.
    func storeBigEndian<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Value.self)
    }
}
