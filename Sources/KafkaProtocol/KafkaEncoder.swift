import NIOCore

/// Writes Kafka's primitive types into a byte buffer.
///
/// Besides bytes, an encoded message may refer to file regions (record batches
/// served from log segments with zero copy): they are kept aside with the
/// buffer position where they belong, and the network layer interleaves them.
public struct KafkaEncoder: Sendable {
    /// A file region spliced into the output at `offset` bytes of `buffer`.
    public struct Splice: Sendable {
        public var offset: Int
        public var region: FileRegion
    }

    /// The encoded bytes, without the file regions.
    public var buffer: ByteBuffer
    /// File regions to insert, in increasing `offset` order.
    public private(set) var splices: [Splice] = []

    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// The size of the whole output: bytes plus file regions.
    public var totalByteCount: Int {
        buffer.readableBytes + splices.reduce(0) { $0 + $1.region.readableBytes }
    }

    public mutating func writeBool(_ value: Bool) { buffer.writeInteger(value ? 1 : 0, as: UInt8.self) }
    public mutating func writeInt8(_ value: Int8) { buffer.writeInteger(value) }
    public mutating func writeInt16(_ value: Int16) { buffer.writeInteger(value) }
    public mutating func writeUInt16(_ value: UInt16) { buffer.writeInteger(value) }
    public mutating func writeInt32(_ value: Int32) { buffer.writeInteger(value) }
    public mutating func writeUInt32(_ value: UInt32) { buffer.writeInteger(value) }
    public mutating func writeInt64(_ value: Int64) { buffer.writeInteger(value) }
    public mutating func writeFloat64(_ value: Double) { buffer.writeInteger(value.bitPattern) }

    public mutating func writeUUID(_ value: KafkaUUID) {
        buffer.writeInteger(value.high)
        buffer.writeInteger(value.low)
    }

    public mutating func writeUnsignedVarint(_ value: UInt32) { buffer.writeKafkaUnsignedVarint(UInt64(value)) }
    public mutating func writeVarint(_ value: Int32) { buffer.writeKafkaVarint(Int64(value)) }
    public mutating func writeVarlong(_ value: Int64) { buffer.writeKafkaVarint(value) }

    private mutating func writeLength(_ length: Int?, int16: Bool, compact: Bool) {
        if compact {
            writeUnsignedVarint(UInt32(length.map { $0 + 1 } ?? 0))
        } else if int16 {
            writeInt16(Int16(length ?? -1))
        } else {
            writeInt32(Int32(length ?? -1))
        }
    }

    /// Writes a string; throws when it is longer than int16 lengths allow.
    public mutating func writeString(_ value: String, compact: Bool) throws {
        try writeNullableString(value, compact: compact)
    }

    public mutating func writeNullableString(_ value: String?, compact: Bool) throws {
        guard let value else { return writeLength(nil, int16: true, compact: compact) }
        let length = value.utf8.count
        guard compact || length <= Int(Int16.max) else {
            throw KafkaProtocolError(.invalidValue, "string of \(length) bytes is longer than 32767")
        }
        writeLength(length, int16: true, compact: compact)
        buffer.writeString(value)
    }

    public mutating func writeBytes(_ value: ByteBuffer, compact: Bool) {
        writeNullableBytes(value, compact: compact)
    }

    public mutating func writeNullableBytes(_ value: ByteBuffer?, compact: Bool) {
        guard var value else { return writeLength(nil, int16: false, compact: compact) }
        writeLength(value.readableBytes, int16: false, compact: compact)
        buffer.writeBuffer(&value)
    }

    /// Writes a `records` field: its length, then its bytes and file regions.
    public mutating func writeRecords(_ value: KafkaRecords?, compact: Bool) {
        guard let value else { return writeLength(nil, int16: false, compact: compact) }
        writeLength(value.byteCount, int16: false, compact: compact)
        for part in value.parts {
            switch part {
            case .bytes(var bytes):
                buffer.writeBuffer(&bytes)
            case .file(let region):
                splices.append(Splice(offset: buffer.writerIndex - buffer.readerIndex, region: region))
            }
        }
    }

    /// Writes an array's length (nil for a null array).
    public mutating func writeArrayCount(_ count: Int?, compact: Bool) {
        writeLength(count, int16: false, compact: compact)
    }

    public mutating func writeArray<T>(_ values: [T], compact: Bool, _ element: (inout KafkaEncoder, T) throws -> Void) rethrows {
        writeArrayCount(values.count, compact: compact)
        for value in values { try element(&self, value) }
    }

    public mutating func writeNullableArray<T>(_ values: [T]?, compact: Bool, _ element: (inout KafkaEncoder, T) throws -> Void) rethrows {
        guard let values else { return writeArrayCount(nil, compact: compact) }
        try writeArray(values, compact: compact, element)
    }

    /// Writes a tagged-field section. Each field is encoded into its own buffer
    /// first so that its size can precede it; pass only fields whose value
    /// differs from the default (librdkafka before 2.2 mis-skips others).
    public mutating func writeTaggedFields(_ fields: [(tag: UInt32, encode: (inout KafkaEncoder) throws -> Void)]) throws {
        writeUnsignedVarint(UInt32(fields.count))
        for field in fields {
            var inner = KafkaEncoder(buffer: ByteBuffer())
            try field.encode(&inner)
            precondition(inner.splices.isEmpty, "a tagged field cannot hold file regions")
            writeUnsignedVarint(field.tag)
            writeUnsignedVarint(UInt32(inner.buffer.readableBytes))
            buffer.writeBuffer(&inner.buffer)
        }
    }

    /// Writes an empty tagged-field section.
    public mutating func writeEmptyTaggedFields() { writeUnsignedVarint(0) }
}

extension ByteBuffer {
    /// Writes an unsigned LEB128 varint.
    public mutating func writeKafkaUnsignedVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        writeInteger(UInt8(value))
    }

    /// Writes a zigzag-encoded signed varint or varlong.
    public mutating func writeKafkaVarint(_ value: Int64) {
        writeKafkaUnsignedVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}
