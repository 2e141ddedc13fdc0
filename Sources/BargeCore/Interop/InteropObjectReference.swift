/// An object a foreign record points at: an S3 bucket and key, as bakdata's
/// `s3://bucket/key` URIs (and irori references from an S3 back end) name them.
public struct InteropObjectReference: Hashable, Sendable, CustomStringConvertible {
    /// The bucket: the URI's host.
    public let bucket: String
    /// The object's key: the URI's path without its leading `/`, percent-decoded
    /// (as `java.net.URI.getPath()` gives it).
    public let key: String

    /// A reference to `key` in `bucket`; both must be non-empty.
    public init(bucket: String, key: String) throws(InteropError) {
        guard !bucket.isEmpty, !key.isEmpty else {
            throw InteropError(.malformedReference, "reference", "a reference needs a bucket and a key (bucket '\(bucket)', key '\(key)')")
        }
        self.bucket = bucket
        self.key = key
    }

    /// Parses `uri` (found in `field`): `s3://bucket/key` is read; bakdata's
    /// other stores (`abs://container/key` for Azure Blob Storage,
    /// `gs://bucket/key` for Google Cloud Storage) and any other scheme
    /// throw `unsupportedStore`; text that is no URI throws `malformedReference`.
    public init(uri: String, field: String) throws(InteropError) {
        guard let separator = uri.range(of: "://") else {
            throw InteropError(.malformedReference, field, "'\(uri.prefix(200))' is not a URI (no scheme://)")
        }
        let scheme = uri[..<separator.lowerBound].lowercased()
        guard scheme == "s3" else {
            throw InteropError(.unsupportedStore, field, "'\(uri.prefix(200))' is in \(Self.storeName(scheme: scheme)), which Barge cannot read; only s3:// objects are read")
        }
        let rest = uri[separator.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else {
            throw InteropError(.malformedReference, field, "'\(uri.prefix(200))' names a bucket but no key")
        }
        let path = rest[rest.index(after: slash)...]
        guard let key = Self.percentDecoded(path) else {
            throw InteropError(.malformedReference, field, "the key of '\(uri.prefix(200))' has a broken %-escape")
        }
        try self.init(bucket: String(rest[..<slash]), key: key)
    }

    /// The reference as an `s3://` URI: how a Barge store's location matches it,
    /// and what bakdata's writer puts on the wire (the key as it is, unescaped).
    public var uri: String { "s3://\(bucket)/\(key)" }

    public var description: String { uri }

    private static func storeName(scheme: String) -> String {
        switch scheme {
        case "abs": "Azure Blob Storage (abs://)"
        case "gs": "Google Cloud Storage (gs://)"
        default: "a store of scheme '\(scheme)'"
        }
    }

    /// `text` with every `%XY` replaced by its byte; nil if an escape is
    /// broken or the bytes are not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 65...70: digit - 55
        case 97...102: digit - 87
        default: nil
        }
    }
}
