import KafkaValues

/// One segment of a message split by LinkedIn's li-apache-kafka-clients:
/// which message, which part, and its bytes. See docs/interop.md.
public struct LinkedInSegment: Hashable, Sendable {
    public var messageID: LinkedInMessageID
    /// 0-based, below ``count``.
    public var sequence: Int
    public var count: Int
    /// The whole message's size in bytes.
    public var size: Int
    /// This segment's slice of the message.
    public var slice: [UInt8]

    /// A segment; ``validated()`` checks that the fields agree.
    public init(messageID: LinkedInMessageID, sequence: Int, count: Int, size: Int, slice: [UInt8]) {
        self.messageID = messageID
        self.sequence = sequence
        self.count = count
        self.size = size
        self.slice = slice
    }

    /// Reads a record's value and headers. With an `_lm` header the record
    /// must be a segment: of type 2 the value is the slice, of types 0 and 1
    /// the value must hold an envelope that agrees with the header. Without
    /// one, a value is a segment only if it has a valid envelope (LinkedIn's
    /// own test); anything else, and a null value, gives nil.
    public static func decode(value: [UInt8]?, headers: [KafkaHeader]) throws(InteropError) -> LinkedInSegment? {
        guard let value else { return nil }
        guard let headerValue = headers.last(where: { $0.key == LinkedInHeader.name }) else {
            return try? LinkedInEnvelope.parse(value).validated()
        }
        let header = try LinkedInHeader(bytes: headerValue.value ?? [])
        if header.kind == .v3, let size = header.size {
            return try LinkedInSegment(
                messageID: header.messageID, sequence: Int(header.sequence), count: Int(header.count), size: Int(size), slice: value
            ).validated()
        }
        let segment = try LinkedInEnvelope.parse(value)
        guard segment.messageID == header.messageID, segment.sequence == Int(header.sequence), segment.count == Int(header.count),
              header.size.map({ Int($0) == segment.size }) ?? true else {
            throw InteropError(.inconsistent, LinkedInHeader.name, "the header says message \(header.messageID) segment \(header.sequence)/\(header.count) size \(header.size.map(String.init) ?? "-"), the value's envelope \(segment.messageID) \(segment.sequence)/\(segment.count) size \(segment.size)")
        }
        return try segment.validated()
    }

    /// The segment, if its fields agree: a positive count, a sequence below
    /// it, a slice no larger than the message (and, alone, exactly the
    /// message), not empty when there are several; else `inconsistent`.
    public func validated() throws(InteropError) -> LinkedInSegment {
        let problem: String? =
            if count <= 0 { "segment count \(count) is not positive" }
            else if sequence < 0 || sequence >= count { "sequence \(sequence) is outside 0..<\(count)" }
            else if size < 0 { "message size \(size) is negative" }
            else if slice.count > size { "the slice of \(slice.count) bytes is larger than the message of \(size)" }
            else if count == 1 && slice.count != size { "a single segment of \(slice.count) bytes, the message has \(size)" }
            else if count > 1 && slice.isEmpty { "segment \(sequence) of \(count) is empty" }
            else { nil }
        if let problem { throw InteropError(.inconsistent, "segment", "message \(messageID): \(problem)") }
        return self
    }
}
