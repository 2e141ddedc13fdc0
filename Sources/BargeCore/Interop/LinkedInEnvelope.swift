/// The segment envelope LinkedIn's `DefaultSegmentSerializer` puts before a
/// segment's bytes in the record value (all but `li.record.header.enable`
/// producers): version (0), checksum `(int)(uuidMSB + uuidLSB)`, UUID most
/// and least significant 8 bytes, sequence, count, message size (int32 each,
/// big-endian): 33 bytes, then the slice.
public enum LinkedInEnvelope {
    /// Bytes before the slice.
    public static let headerSize = 33
    /// The only version there is.
    public static let version: UInt8 = 0

    /// The segment `value` holds, its fields not yet checked against each
    /// other (``LinkedInSegment/validated()``). `truncated` below 33 bytes,
    /// `unknownType` for a version other than 0, `badChecksum` when the
    /// checksum does not match the UUID.
    public static func parse(_ value: [UInt8]) throws(InteropError) -> LinkedInSegment {
        guard value.count >= headerSize else {
            throw InteropError(.truncated, "value", "a segment envelope has \(headerSize) bytes before the slice, the value only \(value.count)")
        }
        guard value[0] == version else {
            throw InteropError(.unknownType, "value", "segment version \(value[0]) is not 0")
        }
        let id = LinkedInMessageID(mostSignificantBits: BigEndian.uint64(value, at: 5), leastSignificantBits: BigEndian.uint64(value, at: 13))
        let checksum = BigEndian.int32(value, at: 1)
        guard checksum == id.checksum else {
            throw InteropError(.badChecksum, "value", "segment checksum \(checksum) is not \(id.checksum), (int)(MSB + LSB) of message \(id)")
        }
        return LinkedInSegment(
            messageID: id, sequence: Int(BigEndian.int32(value, at: 21)), count: Int(BigEndian.int32(value, at: 25)),
            size: Int(BigEndian.int32(value, at: 29)), slice: Array(value[headerSize...])
        )
    }

    /// The envelope of `segment` followed by its slice. Its sequence, count
    /// and size must fit an int32, as LinkedIn's fields do.
    public static func encode(_ segment: LinkedInSegment) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(headerSize + segment.slice.count)
        value.append(version)
        BigEndian.append(segment.messageID.checksum, to: &value)
        BigEndian.append(segment.messageID.mostSignificantBits, width: 8, to: &value)
        BigEndian.append(segment.messageID.leastSignificantBits, width: 8, to: &value)
        BigEndian.append(Int32(segment.sequence), to: &value)
        BigEndian.append(Int32(segment.count), to: &value)
        BigEndian.append(Int32(segment.size), to: &value)
        value += segment.slice
        return value
    }
}
