/// The UUID of a LinkedIn large message, as Java's `UUID` holds it: two
/// 64-bit halves.
public struct LinkedInMessageID: Hashable, Sendable, CustomStringConvertible {
    public let mostSignificantBits: UInt64
    public let leastSignificantBits: UInt64

    public init(mostSignificantBits: UInt64, leastSignificantBits: UInt64) {
        self.mostSignificantBits = mostSignificantBits
        self.leastSignificantBits = leastSignificantBits
    }

    /// The UUID with the 32 hex digits of a Barge message id (most significant half first).
    public init(_ id: BargeMessageID) {
        let digits = Array(id.text.utf8)
        func half(_ range: Range<Int>) -> UInt64 { UInt64(String(decoding: digits[range], as: UTF8.self), radix: 16)! }
        self.init(mostSignificantBits: half(0..<16), leastSignificantBits: half(16..<32))
    }

    /// The same 128 bits as a Barge message id, so that the segments of one
    /// message reassemble under one id.
    public var bargeID: BargeMessageID {
        BargeMessageID(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())!
    }

    /// The segment checksum: `(int)(mostSignificantBits + leastSignificantBits)`,
    /// a wrapping 64-bit sum cut to its low 32 bits.
    public var checksum: Int32 {
        Int32(truncatingIfNeeded: mostSignificantBits &+ leastSignificantBits)
    }

    /// The 16 bytes most significant half first: the key LinkedIn's producer
    /// gives every segment of a split message whose key is null.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        BigEndian.append(mostSignificantBits, width: 8, to: &bytes)
        BigEndian.append(leastSignificantBits, width: 8, to: &bytes)
        return bytes
    }

    public var description: String { bargeID.text }
}
