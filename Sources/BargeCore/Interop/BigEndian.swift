/// Big-endian integers in byte arrays, as Java's `ByteBuffer` writes them.
enum BigEndian {
    /// The `width`-byte unsigned integer at `offset`; the caller checked the length.
    static func read(_ bytes: some RandomAccessCollection<UInt8>, at offset: Int, width: Int) -> UInt64 {
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        return bytes[start..<bytes.index(start, offsetBy: width)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func int32(_ bytes: some RandomAccessCollection<UInt8>, at offset: Int) -> Int32 {
        Int32(truncatingIfNeeded: read(bytes, at: offset, width: 4))
    }

    static func uint64(_ bytes: some RandomAccessCollection<UInt8>, at offset: Int) -> UInt64 {
        read(bytes, at: offset, width: 8)
    }

    /// Appends the low `width` bytes of `value`, most significant first.
    static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    static func append(_ value: Int32, to bytes: inout [UInt8]) {
        append(UInt64(UInt32(bitPattern: value)), width: 4, to: &bytes)
    }
}
