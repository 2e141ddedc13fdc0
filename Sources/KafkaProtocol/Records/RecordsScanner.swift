/// Checks the records of a record batch (magic 2: the bytes after its
/// 61-byte header, decompressed if the batch is compressed) as they arrive,
/// in pieces of any size. It keeps a few words of state and never copies a
/// record, so memory does not depend on the batch's size.
///
/// What it checks is what Kafka checks when a client appends (`DefaultRecord`
/// and `LogValidator`):
/// - each record's length varint and fields (attributes, timestamp delta,
///   offset delta, key, value, header count, header keys and values) parse and
///   end exactly at the record's length;
/// - varints take at most 5 bytes (10 for the timestamp delta) and fit 32 bits;
/// - a key, value or header value length is -1 (null) or fits the record; a
///   header key length is not negative;
/// - offset deltas are 0, 1, ..., n-1 in order (the broker stores batches as
///   received, so this is what consumers compute offsets from);
/// - the batch holds exactly the records its header declares, and no bytes after them;
/// - with `requireKeys` (a compacted topic) every record has a key.
///
/// Every problem is a `RecordValidationError` of kind `.invalidRecord`,
/// naming the record (by index in the batch) where one is to blame.
public struct RecordsScanner: Sendable {
    private enum Step: Sendable, CustomStringConvertible {
        case length, attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount
        case headerKeyLength, headerValueLength

        var description: String {
            switch self {
            case .length: "length"
            case .attributes: "attributes"
            case .timestampDelta: "timestamp delta"
            case .offsetDelta: "offset delta"
            case .keyLength: "key length"
            case .valueLength: "value length"
            case .headerCount: "header count"
            case .headerKeyLength: "header key length"
            case .headerValueLength: "header value length"
            }
        }
    }

    private let declaredCount: Int
    private let requireKeys: Bool
    private var step = Step.length
    /// Bytes of a key, value or header still to pass over (already counted in `recordLeft`).
    private var skip = 0
    private var varint = PartialVarint()
    /// Bytes of the current record not yet read, counting `skip`.
    private var recordLeft = 0
    private var headersLeft = 0
    /// The index of the record being read (the number of records begun before it).
    private var index = 0

    /// A scanner for a batch whose header declares `declaredCount` records.
    public init(declaredCount: Int32, requireKeys: Bool = false) {
        self.declaredCount = Int(declaredCount)
        self.requireKeys = requireKeys
    }

    /// The number of records begun so far.
    public var recordsSeen: Int { index }

    /// Checks the next piece of the records.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(RecordValidationError) {
        var position = 0
        let count = bytes.count
        while position < count {
            if skip > 0 {
                let step = Swift.min(skip, count - position)
                skip -= step
                position += step
                continue
            }
            if case .length = step, varint.isEmpty, index < declaredCount,
               let taken = wholeRecord(in: bytes, at: position) {
                position += taken
                continue
            }
            let byte = bytes[position]
            position += 1
            if case .length = step {
                try readLength(byte)
                continue
            }
            guard recordLeft > 0 else {
                throw invalid("record \(index) ends inside its \(step)")
            }
            recordLeft -= 1
            try readField(byte)
        }
    }

    /// Checks that the records ended where they should: after a whole record,
    /// with as many records as the header declares.
    public func finish() throws(RecordValidationError) {
        guard skip == 0, case .length = step, varint.isEmpty else {
            let current = skip > 0 && step == .length ? index - 1 : index
            throw invalid("the batch ends inside record \(current)", record: current)
        }
        guard index == declaredCount else {
            throw RecordValidationError(.invalidRecord, "the batch header declares \(declaredCount) records but the batch holds \(index)")
        }
    }

    /// The fast path: checks a record that lies whole in `bytes` at `start`
    /// in one go and returns its size. Returns nil, having changed nothing,
    /// when the record is not all there or breaks any rule: the byte-by-byte
    /// path then reads it and names the problem.
    private mutating func wholeRecord(in bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
        var cursor = start
        guard let length = Self.varint(bytes, &cursor, end: bytes.count, maximumBytes: 5).flatMap(Self.int32), length >= 0 else {
            return nil
        }
        let end = cursor + Int(length)
        guard end <= bytes.count, cursor < end else { return nil }
        cursor += 1  // attributes
        guard Self.varint(bytes, &cursor, end: end, maximumBytes: 10) != nil,
              let delta = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32), Int(delta) == index,
              let key = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32),
              key >= 0 || (key == -1 && !requireKeys), Self.skip(key, &cursor, end: end),
              let value = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32), Self.skip(value, &cursor, end: end),
              let headers = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32),
              headers >= 0, Int(headers) * 2 <= end - cursor else { return nil }
        for _ in 0..<headers {
            guard let key = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32), key >= 0,
                  Self.skip(key, &cursor, end: end),
                  let value = Self.varint(bytes, &cursor, end: end, maximumBytes: 5).flatMap(Self.int32),
                  Self.skip(value, &cursor, end: end) else { return nil }
        }
        guard cursor == end else { return nil }
        index += 1
        return end - start
    }

    /// An unsigned varint of at most `maximumBytes` bytes before `end`; nil if it does not end there or is too long.
    private static func varint(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int, end: Int, maximumBytes: Int) -> UInt64? {
        var raw: UInt64 = 0
        var count = 0
        while cursor < end && count < maximumBytes {
            let byte = bytes[cursor]
            if count == 9 && byte > 1 { return nil }
            raw |= UInt64(byte & 0x7F) << (7 * count)
            cursor += 1
            count += 1
            if byte & 0x80 == 0 { return raw }
        }
        return nil
    }

    /// A 32-bit zigzag value; nil beyond 32 bits.
    private static func int32(_ raw: UInt64) -> Int32? {
        guard raw <= UInt64(UInt32.max) else { return nil }
        let bits = UInt32(raw)
        return Int32(bitPattern: (bits >> 1) ^ (0 &- (bits & 1)))
    }

    /// Passes over `length` bytes (-1: null) if they fit before `end`.
    private static func skip(_ length: Int32, _ cursor: inout Int, end: Int) -> Bool {
        if length == -1 { return true }
        guard length >= 0, Int(length) <= end - cursor else { return false }
        cursor += Int(length)
        return true
    }

    private mutating func readLength(_ byte: UInt8) throws(RecordValidationError) {
        if varint.isEmpty && index == declaredCount {
            throw RecordValidationError(.invalidRecord, "the batch has bytes after the last of the \(declaredCount) records its header declares")
        }
        guard let length = try int32(byte) else { return }
        guard length >= 0 else { throw invalid("record \(index) has length \(length)") }
        recordLeft = Int(length)
        step = .attributes
    }

    private mutating func readField(_ byte: UInt8) throws(RecordValidationError) {
        switch step {
        case .length:
            preconditionFailure("lengths are read by readLength")
        case .attributes:
            step = .timestampDelta
        case .timestampDelta:
            if try complete(byte, maximumBytes: 10) != nil {
                step = .offsetDelta
            }
        case .offsetDelta:
            guard let delta = try int32(byte) else { return }
            guard Int(delta) == index else {
                throw invalid("record \(index) has offset delta \(delta); the records of a batch must have offset deltas 0, 1, 2, ... in order")
            }
            step = .keyLength
        case .keyLength:
            guard let length = try int32(byte) else { return }
            if length == -1 && requireKeys {
                throw invalid("record \(index) has no key, which a compacted topic requires")
            }
            try startSkipping(length, nullable: true, "key")
            step = .valueLength
        case .valueLength:
            guard let length = try int32(byte) else { return }
            try startSkipping(length, nullable: true, "value")
            step = .headerCount
        case .headerCount:
            guard let count = try int32(byte) else { return }
            // Each header takes at least two bytes (its two lengths).
            guard count >= 0, Int(count) * 2 <= recordLeft else {
                throw invalid("record \(index) declares \(count) headers in the \(recordLeft) bytes left of it")
            }
            headersLeft = Int(count)
            try endOfFieldsOrHeaders()
        case .headerKeyLength:
            guard let length = try int32(byte) else { return }
            try startSkipping(length, nullable: false, "header key")
            step = .headerValueLength
        case .headerValueLength:
            guard let length = try int32(byte) else { return }
            try startSkipping(length, nullable: true, "header value")
            headersLeft -= 1
            try endOfFieldsOrHeaders()
        }
    }

    /// After the header count or a header: the next header, or the end of the record.
    private mutating func endOfFieldsOrHeaders() throws(RecordValidationError) {
        if headersLeft > 0 {
            step = .headerKeyLength
            return
        }
        guard recordLeft == 0 else {
            throw invalid("record \(index) has \(recordLeft) bytes after its last header")
        }
        index += 1
        step = .length
    }

    /// Passes over a key, value or header of `length` bytes (-1: null, where allowed).
    private mutating func startSkipping(_ length: Int32, nullable: Bool, _ what: String) throws(RecordValidationError) {
        if length == -1 && nullable { return }
        guard length >= 0 else { throw invalid("record \(index) has \(what) length \(length)") }
        guard Int(length) <= recordLeft else {
            throw invalid("record \(index) has \(what) length \(length), more than the \(recordLeft) bytes left of it")
        }
        recordLeft -= Int(length)
        skip = Int(length)
    }

    /// Adds a byte to a 32-bit zigzag varint; its value once complete.
    private mutating func int32(_ byte: UInt8) throws(RecordValidationError) -> Int32? {
        guard let raw = try complete(byte, maximumBytes: 5) else { return nil }
        guard let value = Self.int32(raw) else {
            throw invalid("record \(index) has a \(step) varint that does not fit 32 bits")
        }
        return value
    }

    /// Adds a byte to the varint being read; its unsigned value once complete.
    private mutating func complete(_ byte: UInt8, maximumBytes: Int) throws(RecordValidationError) -> UInt64? {
        switch varint.add(byte, maximumBytes: maximumBytes) {
        case .incomplete:
            return nil
        case .complete(let raw):
            varint = PartialVarint()
            return raw
        case .tooLong:
            throw invalid("record \(index) has a \(step) varint longer than \(maximumBytes) bytes")
        }
    }

    private func invalid(_ message: String, record: Int? = nil) -> RecordValidationError {
        RecordValidationError(.invalidRecord, message, recordIndex: record ?? index)
    }

    /// The bytes of a varint read so far.
    private struct PartialVarint: Sendable {
        enum Progress {
            case incomplete
            case complete(UInt64)
            /// More than `maximumBytes` bytes, or bits beyond 64.
            case tooLong
        }

        private var raw: UInt64 = 0
        private var count = 0

        var isEmpty: Bool { count == 0 }

        /// Adds a byte (`maximumBytes` is at most 10).
        mutating func add(_ byte: UInt8, maximumBytes: Int) -> Progress {
            if count == 9 && byte > 1 { return .tooLong }
            raw |= UInt64(byte & 0x7F) << (7 * count)
            count += 1
            if byte & 0x80 == 0 { return .complete(raw) }
            return count < maximumBytes ? .incomplete : .tooLong
        }
    }
}
