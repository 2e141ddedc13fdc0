import KafkaValues

/// What a record that is not Barge's holds in one of the foreign formats a
/// consumer reads.
public enum InteropRecord: Hashable, Sendable {
    /// A bakdata payload carried in the record.
    case inline([UInt8])
    /// A payload in an object (bakdata backed, irori checked in).
    case object(InteropObject)
    /// One segment of a LinkedIn message.
    case segment(LinkedInSegment)

    /// Reads a record's value and headers in the first of `formats` it is
    /// written in, tried in this order: irori (its header), bakdata in header
    /// mode (its flag header), LinkedIn (its `_lm` header, or a value with a
    /// valid segment envelope), bakdata in byte-flag mode (any other non-null
    /// value: bakdata has no marker then). Nil: the record is in none of them
    /// (a plain record). Throws for a record that is in one but broken.
    public static func decode(value: [UInt8]?, headers: [KafkaHeader], formats: Set<InteropFormat>) throws(InteropError) -> (InteropFormat, InteropRecord)? {
        if formats.contains(.irori), let claimCheck = try IroriClaimCheck.decode(headers: headers) {
            return (.irori, .object(InteropObject(format: .irori, reference: claimCheck.reference, compression: .none, size: claimCheck.payloadSize)))
        }
        let bakdataHeaders = headers.contains { $0.key == BakdataHeaderName.valueFlag || $0.key == BakdataHeaderName.legacyFlag }
        if formats.contains(.bakdata), bakdataHeaders, let payload = try BakdataPayload.decode(value, headers: headers) {
            return (.bakdata, bakdata(payload))
        }
        if formats.contains(.linkedIn), let segment = try LinkedInSegment.decode(value: value, headers: headers) {
            return (.linkedIn, .segment(segment))
        }
        if formats.contains(.bakdata), let payload = try BakdataPayload.decode(value, headers: headers) {
            return (.bakdata, bakdata(payload))
        }
        return nil
    }

    /// `headers` without the ones `format` uses for itself: what the
    /// application's headers were.
    public static func applicationHeaders(_ headers: [KafkaHeader], of format: InteropFormat) -> [KafkaHeader] {
        let own: Set<String> = switch format {
        case .irori: [IroriClaimCheck.referenceHeader, IroriClaimCheck.payloadSizeHeader]
        case .linkedIn: [LinkedInHeader.name]
        default: [BakdataHeaderName.valueFlag, BakdataHeaderName.legacyFlag, BakdataHeaderName.compression, BakdataHeaderName.legacyCompression]
        }
        return headers.filter { !own.contains($0.key) }
    }

    private static func bakdata(_ payload: BakdataPayload) -> InteropRecord {
        switch payload.content {
        case .inline(let bytes): .inline(bytes)
        case .backed(let reference): .object(InteropObject(format: .bakdata, reference: reference, compression: payload.compression, size: nil))
        }
    }
}

/// A foreign record's payload kept in an object: where, how it is
/// compressed, and its size when the record says.
public struct InteropObject: Hashable, Sendable {
    public var format: InteropFormat
    public var reference: InteropObjectReference
    public var compression: BakdataCompression
    /// The payload's size (after decompression), when known.
    public var size: Int64?

    public init(format: InteropFormat, reference: InteropObjectReference, compression: BakdataCompression, size: Int64?) {
        self.format = format
        self.reference = reference
        self.compression = compression
        self.size = size
    }
}
