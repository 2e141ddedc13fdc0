import KafkaValues

extension LinkedInSegment {
    /// How a segment is written.
    public enum Style: Hashable, Sendable {
        /// The envelope before the slice in the value, and an `_lm` header of
        /// type 1: what LinkedIn's producer writes by default, and what every
        /// LiKafkaConsumer reads (old ones use the envelope alone).
        case envelope
        /// The raw slice as the value and an `_lm` header of type 2 (LinkedIn's
        /// `li.record.header.enable`): read by LiKafkaConsumer 1.0.48 and later.
        case recordHeader
    }

    /// The record value and the `_lm` header for this segment (add the
    /// application's headers to it). Sequence, count and size must fit an
    /// int32, as LinkedIn's fields do (``LinkedInSegmenter`` makes such segments).
    public func encoded(style: Style = .envelope) -> (value: [UInt8], header: KafkaHeader) {
        let header = LinkedInHeader(
            kind: style == .envelope ? .legacyV2 : .v3, messageID: messageID, sequence: Int32(sequence), count: Int32(count),
            size: Int32(size)
        )
        let value = style == .envelope ? LinkedInEnvelope.encode(self) : slice
        return (value, KafkaHeader(key: LinkedInHeader.name, value: header.bytes))
    }

    /// The key LinkedIn's producer gives a segment: the application's, or,
    /// when it is null and the message has several segments, the message
    /// id's 16 bytes (so that all segments go to one partition).
    public func recordKey(applicationKey: [UInt8]?) -> [UInt8]? {
        applicationKey ?? (count > 1 ? messageID.bytes : nil)
    }
}
