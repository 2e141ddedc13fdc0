import KafkaValues

/// A record checked in by irori's claim-check interceptors: its value is
/// empty (null before 0.6.0) and header `message-claim-check` holds the URL
/// of the blob with the payload; streaming producers also give the payload's
/// size in `message-claim-check-payload-size`. See docs/interop.md.
public struct IroriClaimCheck: Hashable, Sendable {
    /// The header holding the blob's URL (UTF-8).
    public static let referenceHeader = "message-claim-check"
    /// The header holding the payload's size (int64, big-endian), streaming mode only.
    public static let payloadSizeHeader = "message-claim-check-payload-size"

    /// The blob's URL as written.
    public var url: String
    /// The object the URL names, in a store Barge reads.
    public var reference: InteropObjectReference
    /// The payload's size, when the producer gave it.
    public var payloadSize: Int64?

    /// The claim check in `headers` (the first `message-claim-check`, as
    /// irori reads it), or nil if there is none. irori's own back ends are
    /// Azure Blob Storage only: their `https://<account>.blob.core.windows.net/...`
    /// URLs (and any other http(s) URL) throw `unsupportedStore`; an
    /// `s3://bucket/key` URL, as a custom back end may write, is read.
    /// A size header that is not 8 bytes throws `truncated`, a negative one `inconsistent`.
    public static func decode(headers: [KafkaHeader]) throws(InteropError) -> IroriClaimCheck? {
        guard let header = headers.first(where: { $0.key == referenceHeader }) else { return nil }
        guard let bytes = header.value, let url = String(validating: bytes, as: UTF8.self), !url.isEmpty else {
            throw InteropError(.malformedReference, referenceHeader, "the claim check's URL is null, empty or not UTF-8")
        }
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
            throw InteropError(.unsupportedStore, referenceHeader, "'\(url.prefix(200))' is an Azure Blob Storage URL (irori's only back end), which Barge cannot read; only s3:// objects are read")
        }
        let reference = try InteropObjectReference(uri: url, field: referenceHeader)
        return IroriClaimCheck(url: url, reference: reference, payloadSize: try payloadSize(in: headers))
    }

    private static func payloadSize(in headers: [KafkaHeader]) throws(InteropError) -> Int64? {
        guard let header = headers.first(where: { $0.key == payloadSizeHeader }) else { return nil }
        guard let bytes = header.value, bytes.count == 8 else {
            throw InteropError(.truncated, payloadSizeHeader, "the payload size is \(header.value?.count ?? 0) bytes, not an 8-byte long")
        }
        let size = Int64(bitPattern: BigEndian.uint64(bytes, at: 0))
        guard size >= 0 else { throw InteropError(.inconsistent, payloadSizeHeader, "payload size \(size) is negative") }
        return size
    }
}
