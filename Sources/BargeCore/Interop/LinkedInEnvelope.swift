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

    /// The fields of `value`'s envelope and where its slice starts.
    /// `truncated` below 33 bytes, `unknownType` for a version other than 0,
    /// `badChecksum` when the checksum does not match the UUID.
    public static func parse(_ value: [UInt8]) throws(InteropError) -> (header: LinkedInHeader, sliceStart: Int) {
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
        let header = LinkedInHeader(
            kind: .legacyV2, messageID: id, sequence: BigEndian.int32(value, at: 21), count: BigEndian.int32(value, at: 25),
            size: BigEndian.int32(value, at: 29)
        )
        return (header, headerSize)
    }

    /// The envelope for `header`'s segment followed by `slice`.
    public static func encode(_ header: LinkedInHeader, slice: some Collection<UInt8>) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(headerSize + slice.count)
        value.append(version)
        BigEndian.append(header.messageID.checksum, to: &value)
        BigEndian.append(header.messageID.mostSignificantBits, width: 8, to: &value)
        BigEndian.append(header.messageID.leastSignificantBits, width: 8, to: &value)
        BigEndian.append(header.sequence, to: &value)
        BigEndian.append(header.count, to: &value)
        BigEndian.append(header.size ?? 0, to: &value)
        value += slice
        return value
    }
}
