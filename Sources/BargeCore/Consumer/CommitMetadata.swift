/// What a Barge consumer commits with each offset, so that after a restart
/// it delivers each message exactly once: the offset commits never pass the
/// first record of a message still in progress (the safe offset), so work
/// above it is read again, and the metadata says which of it was already
/// handled.
///
/// Text form: `barge:1:<read>:<handled>` where `<read>` is how far past the
/// committed offset the consumer had read, and `<handled>` the
/// comma-separated distances from the committed offset of the first
/// records of messages already handled, e.g. `barge:1:42:3,17`.
package struct CommitMetadata: Hashable, Sendable {
    /// The next offset the consumer had not read.
    package var readPosition: Int64
    /// First offsets, at or above the committed offset, of messages handled.
    package var handled: [Int64]

    package static let prefix = "barge:1:"
    /// Kafka's default `offset.metadata.max.bytes` is 4096.
    package static let maximumLength = 4000

    /// The text committed with offset `committed`; `nil` when it would not
    /// fit Kafka's metadata limit.
    package func text(committed: Int64) -> String? {
        let distances = handled.sorted().map { String($0 - committed) }.joined(separator: ",")
        let text = Self.prefix + String(readPosition - committed) + ":" + distances
        return text.utf8.count <= Self.maximumLength ? text : nil
    }

    /// Reads metadata committed with offset `committed`; `nil` for text that
    /// is not Barge's or is malformed (then nothing above the offset counts
    /// as handled).
    package init?(text: String?, committed: Int64) {
        guard let text, text.hasPrefix(Self.prefix), text.utf8.count <= Self.maximumLength else { return nil }
        let fields = text.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2, let read = Int64(fields[0]), read >= 0 else { return nil }
        var handled: [Int64] = []
        for field in fields[1].split(separator: ",") {
            guard let distance = Int64(field), distance >= 0, distance < read else { return nil }
            handled.append(committed + distance)
        }
        readPosition = committed + read
        self.handled = handled
    }

    package init(readPosition: Int64, handled: [Int64]) {
        self.readPosition = readPosition
        self.handled = handled
    }
}
