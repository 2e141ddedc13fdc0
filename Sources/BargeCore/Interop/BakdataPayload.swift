import KafkaValues

/// A key or value written by bakdata's kafka-large-message-serde: the payload
/// itself (inline) or a reference to the object holding it (backed), in one of
/// its two protocols. See docs/interop.md.
public struct BakdataPayload: Hashable, Sendable {
    /// Where the payload is.
    public enum Content: Hashable, Sendable {
        /// The payload, in the record.
        case inline([UInt8])
        /// The payload is the object at this reference, compressed as ``BakdataPayload/compression`` says.
        case backed(InteropObjectReference)
    }

    /// Which of bakdata's protocols carries the flag (its "payload protocols").
    public enum Mode: Hashable, Sendable {
        /// The first byte of the bytes: 0 inline, 1 backed (bakdata's default).
        case byteFlag
        /// A header per side (`__large.message.backed.key` / `.value`), the bytes untouched.
        case headers
    }

    public var content: Content
    /// How a backed payload's object is compressed (always `none` for inline ones).
    public var compression: BakdataCompression
    public var mode: Mode

    /// A payload; `compression` must be `none` for inline content.
    public init(content: Content, compression: BakdataCompression = .none, mode: Mode) {
        self.content = content
        self.compression = compression
        self.mode = mode
    }

    /// Reads `bytes`, the record's key or value (`side`), as bakdata's reader
    /// does: header mode when the side's flag header (or the 2.2.x shared
    /// one) is present, else byte-flag mode. Null bytes give nil (bakdata
    /// passes them through). Throws `truncated` for empty byte-flag bytes or
    /// an empty flag header, `unknownFlag` for a flag other than 0 and 1,
    /// `unknownCompression`, and the errors of ``InteropObjectReference/init(uri:field:)``.
    public static func decode(_ bytes: [UInt8]?, headers: [KafkaHeader], side: BakdataSide = .value) throws(InteropError) -> BakdataPayload? {
        guard let bytes else { return nil }
        let flagHeader = headers.last { $0.key == BakdataHeaderName.flag(side) } ?? headers.last { $0.key == BakdataHeaderName.legacyFlag }
        let isBacked: Bool
        let body: ArraySlice<UInt8>
        let mode: Mode
        if let flagHeader {
            isBacked = try flag(flagHeader.value?.first, field: flagHeader.key)
            body = bytes[...]
            mode = .headers
        } else {
            isBacked = try flag(bytes.first, field: "value")
            body = bytes.dropFirst()
            mode = .byteFlag
        }
        guard isBacked else { return BakdataPayload(content: .inline(Array(body)), mode: mode) }
        guard let uri = String(validating: body, as: UTF8.self) else {
            throw InteropError(.malformedReference, "value", "the backed payload's URI is not UTF-8")
        }
        let reference = try InteropObjectReference(uri: uri, field: "value")
        return BakdataPayload(content: .backed(reference), compression: try compression(in: headers), mode: mode)
    }

    /// The compression a record's headers give: the last
    /// `__large.message.backed.compression`, else the last one with two dots, else none.
    static func compression(in headers: [KafkaHeader]) throws(InteropError) -> BakdataCompression {
        guard let header = headers.last(where: { $0.key == BakdataHeaderName.compression })
            ?? headers.last(where: { $0.key == BakdataHeaderName.legacyCompression }) else { return .none }
        guard let id = header.value?.first else {
            throw InteropError(.truncated, header.key, "the compression header is empty; it must hold one id byte")
        }
        return try BakdataCompression(id: id)
    }

    private static func flag(_ byte: UInt8?, field: String) throws(InteropError) -> Bool {
        switch byte {
        case 0: return false
        case 1: return true
        case nil: throw InteropError(.truncated, field, "no flag byte: bakdata's flag is one byte, 0 inline or 1 backed")
        case let other?: throw InteropError(.unknownFlag, field, "flag byte \(other) is neither 0 (inline) nor 1 (backed)")
        }
    }
}
