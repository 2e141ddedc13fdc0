import KafkaValues

extension BargeEnvelope {
    /// The wire format version this code reads and writes.
    public static let formatVersion = "1"

    /// Reads a record's headers: `.plain` without `barge.v`, else the Barge
    /// envelope, checked against docs/wire-format.md and `limits`.
    public init(headers: [KafkaHeader], limits: BargeWireLimits = BargeWireLimits()) throws(BargeWireError) {
        var fields = BargeHeaderFields()
        var application: [KafkaHeader] = []
        for header in headers {
            if header.key.hasPrefix(BargeHeaderName.prefix) {
                try fields.add(header)
            } else {
                application.append(header)
            }
        }
        guard let version = fields.text(BargeHeaderName.version) else {
            self = .plain
            return
        }
        guard version == Self.formatVersion else {
            throw BargeWireError(.unsupportedVersion, BargeHeaderName.version, "version '\(version)' is not 1")
        }
        let id = try fields.id()
        switch try fields.required(BargeHeaderName.kind) {
        case "inline":
            self = .inline(BargeInlineHeader(
                id: id,
                size: try fields.required(BargeHeaderName.size, max: limits.maximumPayloadSize),
                sha256: try fields.required(BargeHeaderName.sha256, as: BargeDigest.init(hex:)),
                codec: try fields.required(BargeHeaderName.codec, as: BargeCodec.init(named:)),
                contentType: fields.text(BargeHeaderName.contentType),
                fileName: fields.text(BargeHeaderName.fileName),
                applicationHeaders: application
            ))
        case "chunk":
            self = .chunk(try Self.chunk(id: id, fields: fields, limits: limits, applicationHeaders: application))
        case "abort":
            self = .abort(BargeAbortHeader(id: id, reason: fields.text(BargeHeaderName.error)))
        case "reference":
            self = .reference(try Self.reference(id: id, fields: fields, limits: limits, applicationHeaders: application))
        case let other:
            throw BargeWireError(.malformedValue, BargeHeaderName.kind, "unknown kind '\(other)'")
        }
    }

    /// The message id a record's headers name, read on its own: locates a
    /// record whose other Barge headers are malformed, so that the message it
    /// claims to belong to can be failed. `nil` unless exactly one `barge.id`
    /// header holds a valid id.
    public static func messageID(in headers: [KafkaHeader]) -> BargeMessageID? {
        let values = headers.filter { $0.key == BargeHeaderName.id }.map(\.value)
        guard values.count == 1, let bytes = values[0], let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return BargeMessageID(text)
    }

    private static func chunk(
        id: BargeMessageID, fields: BargeHeaderFields, limits: BargeWireLimits, applicationHeaders: [KafkaHeader]
    ) throws(BargeWireError) -> BargeChunkHeader {
        let index: Int = try fields.required(BargeHeaderName.index, max: Int64(limits.maximumChunkCount - 1))
        let count: Int? = try fields.optional(BargeHeaderName.count, max: Int64(limits.maximumChunkCount))
        let isLast = try fields.lastFlag()
        if let count, count == 0 || index >= count {
            throw BargeWireError(.inconsistent, BargeHeaderName.index, "index \(index) is not below count \(count)")
        }
        if isLast && count.map({ index != $0 - 1 }) ?? true {
            throw BargeWireError(.inconsistent, BargeHeaderName.last, "the last chunk needs count \(index + 1), has \(count.map(String.init) ?? "none")")
        }
        let size: Int64? = try fields.optional(BargeHeaderName.size, max: limits.maximumPayloadSize)
        let sha256 = try fields.optional(BargeHeaderName.sha256, as: BargeDigest.init(hex:))
        if isLast, size == nil || sha256 == nil {
            throw BargeWireError(.missingHeader, size == nil ? BargeHeaderName.size : BargeHeaderName.sha256, "required on the last chunk")
        }
        var chunkSize: Int?
        if index == 0 {
            let required: Int = try fields.required(BargeHeaderName.chunkSize, max: Int64(limits.maximumChunkSize))
            guard required > 0 else { throw BargeWireError(.outOfRange, BargeHeaderName.chunkSize, "must be at least 1") }
            chunkSize = required
        }
        return BargeChunkHeader(
            id: id, index: index, count: count, isLast: isLast, size: size, sha256: sha256,
            codec: try fields.required(BargeHeaderName.codec, as: BargeCodec.init(named:)),
            chunkSize: chunkSize,
            contentType: index == 0 ? fields.text(BargeHeaderName.contentType) : nil,
            fileName: index == 0 ? fields.text(BargeHeaderName.fileName) : nil,
            applicationHeaders: applicationHeaders
        )
    }

    private static func reference(
        id: BargeMessageID, fields: BargeHeaderFields, limits: BargeWireLimits, applicationHeaders: [KafkaHeader]
    ) throws(BargeWireError) -> BargeReferenceHeader {
        let objectURL = try fields.required(BargeHeaderName.reference)
        guard objectURL.utf8.count <= BargeReferenceHeader.maximumURLLength, objectURL.contains("://") else {
            throw BargeWireError(.malformedValue, BargeHeaderName.reference, "'\(objectURL.prefix(80))' is not an object URL of at most \(BargeReferenceHeader.maximumURLLength) bytes")
        }
        let codec = try fields.required(BargeHeaderName.codec, as: BargeCodec.init(named:))
        guard codec == .none else {
            throw BargeWireError(.malformedValue, BargeHeaderName.codec, "a reference's object is stored uncompressed in version 1, not '\(codec.name)'")
        }
        let size: Int64 = try fields.required(BargeHeaderName.size, max: limits.maximumPayloadSize)
        let storedSize: Int64 = try fields.required(BargeHeaderName.storedSize, max: limits.maximumPayloadSize * 2)
        let encryption = try fields.encryptionParameters()
        let expectedStoredSize = encryption.map { BargeSegmentEncryptor.encryptedSize(plaintextSize: size, segmentSize: $0.segmentSize) } ?? size
        guard storedSize == expectedStoredSize else {
            throw BargeWireError(.inconsistent, BargeHeaderName.storedSize, "\(storedSize) does not match a payload of \(size) bytes (expected \(expectedStoredSize))")
        }
        return BargeReferenceHeader(
            id: id, objectURL: objectURL, size: size,
            sha256: try fields.required(BargeHeaderName.sha256, as: BargeDigest.init(hex:)),
            codec: codec, storedSize: storedSize, encryption: encryption,
            contentType: fields.text(BargeHeaderName.contentType), fileName: fields.text(BargeHeaderName.fileName),
            applicationHeaders: applicationHeaders
        )
    }

    /// The record headers for this envelope: Barge's, then the application's.
    /// Throws `reservedHeaderName` if an application header uses the `barge.` prefix.
    public func headers() throws(BargeWireError) -> [KafkaHeader] {
        var headers = BargeHeaderWriter()
        switch self {
        case .plain:
            return []
        case .inline(let inline):
            headers.common(kind: "inline", id: inline.id)
            headers.add(BargeHeaderName.size, inline.size)
            headers.add(BargeHeaderName.sha256, inline.sha256.hex)
            headers.add(BargeHeaderName.codec, inline.codec.name)
            headers.add(BargeHeaderName.contentType, inline.contentType)
            headers.add(BargeHeaderName.fileName, inline.fileName)
            return try headers.finish(applicationHeaders: inline.applicationHeaders)
        case .chunk(let chunk):
            headers.common(kind: "chunk", id: chunk.id)
            headers.add(BargeHeaderName.index, chunk.index)
            headers.add(BargeHeaderName.count, chunk.count)
            if chunk.isLast { headers.add(BargeHeaderName.last, "1") }
            headers.add(BargeHeaderName.size, chunk.size)
            headers.add(BargeHeaderName.sha256, chunk.sha256?.hex)
            headers.add(BargeHeaderName.codec, chunk.codec.name)
            headers.add(BargeHeaderName.chunkSize, chunk.chunkSize)
            headers.add(BargeHeaderName.contentType, chunk.contentType)
            headers.add(BargeHeaderName.fileName, chunk.fileName)
            return try headers.finish(applicationHeaders: chunk.applicationHeaders)
        case .reference(let reference):
            headers.common(kind: "reference", id: reference.id)
            headers.add(BargeHeaderName.reference, reference.objectURL)
            headers.add(BargeHeaderName.size, reference.size)
            headers.add(BargeHeaderName.sha256, reference.sha256.hex)
            headers.add(BargeHeaderName.codec, reference.codec.name)
            headers.add(BargeHeaderName.storedSize, reference.storedSize)
            for (name, value) in reference.encryption?.headerFields ?? [] { headers.add(name, value) }
            headers.add(BargeHeaderName.contentType, reference.contentType)
            headers.add(BargeHeaderName.fileName, reference.fileName)
            return try headers.finish(applicationHeaders: reference.applicationHeaders)
        case .abort(let abort):
            headers.common(kind: "abort", id: abort.id)
            headers.add(BargeHeaderName.error, abort.reason)
            return try headers.finish(applicationHeaders: [])
        }
    }
}

/// The Barge headers of one record, by name, read as untrusted text.
package struct BargeHeaderFields {
    private var values: [String: String] = [:]

    package mutating func add(_ header: KafkaHeader) throws(BargeWireError) {
        guard let value = header.value else {
            throw BargeWireError(.malformedValue, header.key, "null value")
        }
        guard values[header.key] == nil else {
            throw BargeWireError(.duplicateHeader, header.key, "appears more than once")
        }
        guard let text = String(validating: value, as: UTF8.self) else {
            throw BargeWireError(.malformedValue, header.key, "not UTF-8")
        }
        values[header.key] = text
    }

    package func text(_ name: String) -> String? { values[name] }

    package func required(_ name: String) throws(BargeWireError) -> String {
        guard let text = values[name] else { throw BargeWireError(.missingHeader, name, "required") }
        return text
    }

    package func required<Value>(_ name: String, as parse: (String) -> Value?) throws(BargeWireError) -> Value {
        let text = try required(name)
        guard let value = parse(text) else { throw BargeWireError(.malformedValue, name, "'\(text.prefix(80))' does not parse") }
        return value
    }

    package func optional<Value>(_ name: String, as parse: (String) -> Value?) throws(BargeWireError) -> Value? {
        guard values[name] != nil else { return nil }
        return try required(name, as: parse)
    }

    package func required<Number: FixedWidthInteger>(_ name: String, max: Int64) throws(BargeWireError) -> Number {
        let text = try required(name)
        return try Self.number(text, name: name, max: max)
    }

    package func optional<Number: FixedWidthInteger>(_ name: String, max: Int64) throws(BargeWireError) -> Number? {
        guard let text = values[name] else { return nil }
        return try Self.number(text, name: name, max: max)
    }

    /// The encryption parameters, when the record has encryption headers.
    package func encryptionParameters() throws(BargeWireError) -> BargeEncryptionParameters? {
        do {
            return try BargeEncryptionParameters(headerFields: values.map { (name: $0.key, value: $0.value) })
        } catch {
            throw BargeWireError(.malformedValue, BargeHeaderName.encryption, error.message)
        }
    }

    package func id() throws(BargeWireError) -> BargeMessageID {
        try required(BargeHeaderName.id, as: BargeMessageID.init)
    }

    package func lastFlag() throws(BargeWireError) -> Bool {
        guard let text = values[BargeHeaderName.last] else { return false }
        guard text == "1" else { throw BargeWireError(.malformedValue, BargeHeaderName.last, "'\(text.prefix(80))' is not 1") }
        return true
    }

    /// A decimal number without sign or leading zeros, at most `max`.
    private static func number<Number: FixedWidthInteger>(_ text: String, name: String, max: Int64) throws(BargeWireError) -> Number {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ (48...57).contains($0) }), digits.count == 1 || digits[0] != 48 else {
            throw BargeWireError(.malformedValue, name, "'\(text.prefix(80))' is not a decimal number")
        }
        guard let value = Int64(text), value <= max else {
            throw BargeWireError(.outOfRange, name, "\(text) is above the limit \(max)")
        }
        return Number(value)
    }
}

/// Builds a record's headers in the documented order.
package struct BargeHeaderWriter {
    private var headers: [KafkaHeader] = []

    package mutating func common(kind: String, id: BargeMessageID) {
        add(BargeHeaderName.version, BargeEnvelope.formatVersion)
        add(BargeHeaderName.kind, kind)
        add(BargeHeaderName.id, id.text)
    }

    package mutating func add(_ name: String, _ value: String?) {
        if let value { headers.append(KafkaHeader(key: name, string: value)) }
    }

    package mutating func add<Number: BinaryInteger>(_ name: String, _ value: Number?) {
        add(name, value.map { String($0) })
    }

    package func finish(applicationHeaders: [KafkaHeader]) throws(BargeWireError) -> [KafkaHeader] {
        try BargeHeaderName.checkApplicationHeaders(applicationHeaders)
        return headers + applicationHeaders
    }
}
