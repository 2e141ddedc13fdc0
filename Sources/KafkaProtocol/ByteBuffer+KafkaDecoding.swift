import NIOCore

/// Readers for Kafka's primitive types. Each one throws `KafkaProtocolError`
/// on short or malformed input and checks every length against the bytes that
/// remain before allocating anything.
extension ByteBuffer {
    mutating func readFixed<T: FixedWidthInteger>(_ type: T.Type, _ what: StaticString) throws -> T {
        guard let value = readInteger(endianness: .big, as: T.self) else {
            throw KafkaProtocolError.truncated("\(what)", needed: MemoryLayout<T>.size, available: readableBytes)
        }
        return value
    }

    public mutating func readKafkaBool() throws -> Bool { try readFixed(UInt8.self, "bool") != 0 }
    public mutating func readKafkaInt8() throws -> Int8 { try readFixed(Int8.self, "int8") }
    public mutating func readKafkaInt16() throws -> Int16 { try readFixed(Int16.self, "int16") }
    public mutating func readKafkaUInt16() throws -> UInt16 { try readFixed(UInt16.self, "uint16") }
    public mutating func readKafkaInt32() throws -> Int32 { try readFixed(Int32.self, "int32") }
    public mutating func readKafkaUInt32() throws -> UInt32 { try readFixed(UInt32.self, "uint32") }
    public mutating func readKafkaInt64() throws -> Int64 { try readFixed(Int64.self, "int64") }

    public mutating func readKafkaFloat64() throws -> Double {
        Double(bitPattern: try readFixed(UInt64.self, "float64"))
    }

    public mutating func readKafkaUUID() throws -> KafkaUUID {
        let high = try readFixed(UInt64.self, "uuid")
        let low = try readFixed(UInt64.self, "uuid")
        return KafkaUUID(high: high, low: low)
    }

    /// Reads an unsigned LEB128 varint of at most 5 bytes (32 bits).
    public mutating func readKafkaUnsignedVarint() throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else {
                throw KafkaProtocolError.truncated("unsigned varint", needed: 1, available: 0)
            }
            if shift == 28 && byte > 0x0F {
                throw KafkaProtocolError(.invalidValue, "unsigned varint is longer than 32 bits")
            }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes (64 bits).
    public mutating func readKafkaUnsignedVarlong() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else {
                throw KafkaProtocolError.truncated("unsigned varlong", needed: 1, available: 0)
            }
            if shift == 63 && byte > 0x01 {
                throw KafkaProtocolError(.invalidValue, "varlong is longer than 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a zigzag-encoded signed varint (32 bits).
    public mutating func readKafkaVarint() throws -> Int32 {
        let raw = try readKafkaUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a zigzag-encoded signed varlong (64 bits).
    public mutating func readKafkaVarlong() throws -> Int64 {
        let raw = try readKafkaUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a length for a non-compact field: -1 means null (when allowed).
    mutating func readLength(_ what: StaticString, int16: Bool, compact: Bool) throws -> Int? {
        let length: Int
        if compact {
            length = Int(try readKafkaUnsignedVarint()) - 1
        } else if int16 {
            length = Int(try readKafkaInt16())
        } else {
            length = Int(try readKafkaInt32())
        }
        if length == -1 { return nil }
        guard length >= 0 else {
            throw KafkaProtocolError(.invalidLength, "\(what) has negative length \(length)")
        }
        guard length <= readableBytes else {
            throw KafkaProtocolError.invalidLength("\(what)", length, available: readableBytes)
        }
        return length
    }

    mutating func readUTF8(_ length: Int, _ what: StaticString) throws -> String {
        let view = readableBytesView.prefix(length)
        guard let string = String(validating: view, as: UTF8.self) else {
            throw KafkaProtocolError(.invalidValue, "\(what) is not valid UTF-8")
        }
        moveReaderIndex(forwardBy: length)
        return string
    }

    /// Reads a `string` (int16 length) or, when `compact`, a compact string.
    public mutating func readKafkaString(compact: Bool) throws -> String {
        guard let length = try readLength("string", int16: true, compact: compact) else {
            throw KafkaProtocolError(.invalidValue, "non-nullable string is null")
        }
        return try readUTF8(length, "string")
    }

    /// Reads a nullable `string` or compact nullable string.
    public mutating func readKafkaNullableString(compact: Bool) throws -> String? {
        guard let length = try readLength("nullable string", int16: true, compact: compact) else { return nil }
        return try readUTF8(length, "nullable string")
    }

    /// Reads `bytes` as a slice that shares storage with this buffer (no copy).
    public mutating func readKafkaBytes(compact: Bool) throws -> ByteBuffer {
        guard let length = try readLength("bytes", int16: false, compact: compact) else {
            throw KafkaProtocolError(.invalidValue, "non-nullable bytes is null")
        }
        return readSlice(length: length)!
    }

    /// Reads nullable `bytes` as a slice that shares storage with this buffer.
    public mutating func readKafkaNullableBytes(compact: Bool) throws -> ByteBuffer? {
        guard let length = try readLength("nullable bytes", int16: false, compact: compact) else { return nil }
        return readSlice(length: length)!
    }

    /// Reads a `records` field: nullable bytes that are kept raw.
    public mutating func readKafkaRecords(compact: Bool) throws -> KafkaRecords? {
        try readKafkaNullableBytes(compact: compact).map(KafkaRecords.init(bytes:))
    }

    /// Reads an array length; nil for a null array. Each element takes at least
    /// one byte, so a count above the bytes left is rejected before allocating.
    public mutating func readKafkaArrayCount(compact: Bool) throws -> Int? {
        let count: Int
        if compact {
            count = Int(try readKafkaUnsignedVarint()) - 1
        } else {
            count = Int(try readKafkaInt32())
        }
        if count == -1 { return nil }
        guard count >= 0 else {
            throw KafkaProtocolError(.invalidLength, "array has negative length \(count)")
        }
        guard count <= readableBytes else {
            throw KafkaProtocolError.invalidLength("array", count, available: readableBytes)
        }
        return count
    }

    /// Reads an array whose elements are read by `element`.
    public mutating func readKafkaArray<T>(
        compact: Bool, _ element: (inout ByteBuffer) throws -> T
    ) throws -> [T] {
        guard let count = try readKafkaArrayCount(compact: compact) else {
            throw KafkaProtocolError(.invalidValue, "non-nullable array is null")
        }
        return try readElements(count, element)
    }

    /// Reads a nullable array whose elements are read by `element`.
    public mutating func readKafkaNullableArray<T>(
        compact: Bool, _ element: (inout ByteBuffer) throws -> T
    ) throws -> [T]? {
        guard let count = try readKafkaArrayCount(compact: compact) else { return nil }
        return try readElements(count, element)
    }

    private mutating func readElements<T>(_ count: Int, _ element: (inout ByteBuffer) throws -> T) throws -> [T] {
        var result: [T] = []
        // `count` is only known to be at most the bytes left, not the elements'
        // size: reserve a little, let the array grow with what really decodes.
        result.reserveCapacity(Swift.min(count, 1_024))
        for _ in 0..<count { result.append(try element(&self)) }
        return result
    }

    /// Reads a tagged-field section, handing each known tag's data to `field`
    /// as its own slice; unknown tags are skipped.
    public mutating func readKafkaTaggedFields(_ field: (UInt32, inout ByteBuffer) throws -> Void) throws {
        let count = try readKafkaUnsignedVarint()
        guard count <= readableBytes else {
            throw KafkaProtocolError.invalidLength("tagged fields", Int(count), available: readableBytes)
        }
        var previousTag: UInt32?
        for _ in 0..<count {
            let tag = try readKafkaUnsignedVarint()
            if let previousTag, tag <= previousTag {
                throw KafkaProtocolError(.invalidValue, "tagged field \(tag) is out of order or repeated")
            }
            previousTag = tag
            let size = Int(try readKafkaUnsignedVarint())
            guard size <= readableBytes else {
                throw KafkaProtocolError.invalidLength("tagged field \(tag)", size, available: readableBytes)
            }
            var data = readSlice(length: size)!
            try field(tag, &data)
        }
    }
}
