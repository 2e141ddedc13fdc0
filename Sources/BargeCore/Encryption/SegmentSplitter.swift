/// Cuts a byte stream arriving in pieces of any size into segments of
/// `unit` bytes, holding back at most one: a full segment is handed on only
/// once a byte after it arrives, because the stream's last segment is
/// treated differently and may be full too.
package struct SegmentSplitter: Sendable {
    /// The bytes in a segment.
    package let unit: Int
    /// The bytes of the segment being filled (at most `unit`).
    private(set) var pending: [UInt8] = []
    /// The index of the segment being filled.
    private(set) var index: Int64

    package init(unit: Int, firstIndex: Int64) {
        self.unit = unit
        self.index = firstIndex
    }

    /// Hands `body` every segment that `piece` completes and that bytes
    /// follow, with its index; keeps the rest. Segments inside `piece` are
    /// handed on without being copied.
    package mutating func feed(
        _ piece: [UInt8], _ body: (ArraySlice<UInt8>, Int64) throws(BargeEncryptionError) -> Void
    ) throws(BargeEncryptionError) {
        var rest = piece[...]
        while !rest.isEmpty {
            if pending.count == unit {
                try body(pending[...], index)
                pending.removeAll(keepingCapacity: true)
                index += 1
            }
            if pending.isEmpty && rest.count > unit {
                try body(rest.prefix(unit), index)
                rest = rest.dropFirst(unit)
                index += 1
            } else {
                let taken = min(unit - pending.count, rest.count)
                pending += rest.prefix(taken)
                rest = rest.dropFirst(taken)
            }
        }
    }

    /// The stream's last segment (0 to `unit` bytes) and its index.
    package mutating func finish() -> (segment: [UInt8], index: Int64) {
        defer { pending = [] }
        return (pending, index)
    }
}
