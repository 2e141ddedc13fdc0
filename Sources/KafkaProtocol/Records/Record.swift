import NIOCore

/// One record of an uncompressed batch: key, value and headers are slices of
/// the batch's bytes.
public struct Record: Sendable, Equatable {
    /// A record header: a string key and an optional value.
    public struct Header: Sendable, Equatable {
        public var key: String
        public var value: ByteBuffer?
        public init(key: String, value: ByteBuffer?) {
            self.key = key
            self.value = value
        }
    }

    public var offset: Int64
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [Header]

    public init(offset: Int64, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [Header]) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Reads one record (length-prefixed) from the body of a batch.
    init(from buffer: inout ByteBuffer, batch: RecordBatchHeader) throws {
        let length = Int(try buffer.readKafkaVarint())
        guard length >= 0, length <= buffer.readableBytes else {
            throw KafkaProtocolError(.corruptRecordBatch, "record length \(length) does not fit the \(buffer.readableBytes) bytes left")
        }
        var body = buffer.readSlice(length: length)!
        _ = try body.readKafkaInt8()
        let timestampDelta = try body.readKafkaVarlong()
        let offsetDelta = try body.readKafkaVarint()
        key = try Self.readVarintBytes(&body, "record key")
        value = try Self.readVarintBytes(&body, "record value")
        let headerCount = Int(try body.readKafkaVarint())
        guard headerCount >= 0, headerCount <= body.readableBytes else {
            throw KafkaProtocolError(.corruptRecordBatch, "record has \(headerCount) headers in \(body.readableBytes) bytes")
        }
        headers = []
        for _ in 0..<headerCount {
            guard var keyBytes = try Self.readVarintBytes(&body, "header key") else {
                throw KafkaProtocolError(.corruptRecordBatch, "record header key is null")
            }
            guard let key = keyBytes.readString(length: keyBytes.readableBytes) else {
                throw KafkaProtocolError(.corruptRecordBatch, "record header key is not UTF-8")
            }
            headers.append(Header(key: key, value: try Self.readVarintBytes(&body, "header value")))
        }
        guard body.readableBytes == 0 else {
            throw KafkaProtocolError(.corruptRecordBatch, "record has \(body.readableBytes) unread bytes")
        }
        offset = batch.baseOffset &+ Int64(offsetDelta)
        timestamp = batch.attributes.isLogAppendTime ? batch.maxTimestamp : batch.baseTimestamp &+ timestampDelta
    }

    private static func readVarintBytes(_ buffer: inout ByteBuffer, _ what: String) throws -> ByteBuffer? {
        let length = Int(try buffer.readKafkaVarint())
        if length < 0 { return nil }
        guard length <= buffer.readableBytes else {
            throw KafkaProtocolError(.corruptRecordBatch, "\(what) length \(length) does not fit the \(buffer.readableBytes) bytes left")
        }
        return buffer.readSlice(length: length)!
    }
}
