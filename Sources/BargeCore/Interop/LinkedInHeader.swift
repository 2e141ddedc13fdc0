/// LinkedIn's `_lm` record header: which segment of which message a record
/// is. Layout (big-endian): type byte, UUID least significant 8 bytes, most
/// significant 8 bytes, segment number, number of segments (int32 each),
/// and, for types 1 and 2 only, the message size (int32): 25 or 29 bytes.
public struct LinkedInHeader: Hashable, Sendable {
    /// The header's name.
    public static let name = "_lm"

    /// The `_lm` type byte.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        private init(rawValue: UInt8) { self.rawValue = rawValue }
        /// 1.0.16-1.0.43: 25 bytes, no size; the value carries the segment envelope.
        public static let legacy = Kind(rawValue: 0)
        /// 1.0.44 and later: 29 bytes; the value carries the segment envelope.
        public static let legacyV2 = Kind(rawValue: 1)
        /// 1.0.48 and later with `li.record.header.enable`: 29 bytes; the value is the raw slice.
        public static let v3 = Kind(rawValue: 2)
        static let all: [Kind] = [.legacy, .legacyV2, .v3]
        public var description: String { "\(rawValue)" }
    }

    public var kind: Kind
    public var messageID: LinkedInMessageID
    /// 0-based.
    public var sequence: Int32
    public var count: Int32
    /// The whole message's size; nil for type 0.
    public var size: Int32?

    public init(kind: Kind, messageID: LinkedInMessageID, sequence: Int32, count: Int32, size: Int32?) {
        self.kind = kind
        self.messageID = messageID
        self.sequence = sequence
        self.count = count
        self.size = size
    }

    /// Parses a header value; `truncated` unless it is 25 bytes (type 0) or 29
    /// (types 1 and 2), `unknownType` for a type byte beyond 2.
    public init(bytes: [UInt8]) throws(InteropError) {
        guard let type = bytes.first else { throw InteropError(.truncated, Self.name, "the header is empty") }
        guard let kind = Kind.all.first(where: { $0.rawValue == type }) else {
            throw InteropError(.unknownType, Self.name, "type \(type) is none of 0, 1 and 2")
        }
        let expected = kind == .legacy ? 25 : 29
        guard bytes.count == expected else {
            throw InteropError(.truncated, Self.name, "type \(type) has \(expected) bytes, this one \(bytes.count)")
        }
        self.init(
            kind: kind,
            messageID: LinkedInMessageID(mostSignificantBits: BigEndian.uint64(bytes, at: 9), leastSignificantBits: BigEndian.uint64(bytes, at: 1)),
            sequence: BigEndian.int32(bytes, at: 17), count: BigEndian.int32(bytes, at: 21),
            size: kind == .legacy ? nil : BigEndian.int32(bytes, at: 25)
        )
    }

    /// The header value (a type 0 header leaves out the size).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = [kind.rawValue]
        BigEndian.append(messageID.leastSignificantBits, width: 8, to: &bytes)
        BigEndian.append(messageID.mostSignificantBits, width: 8, to: &bytes)
        BigEndian.append(sequence, to: &bytes)
        BigEndian.append(count, to: &bytes)
        if kind != .legacy { BigEndian.append(size ?? 0, to: &bytes) }
        return bytes
    }
}
