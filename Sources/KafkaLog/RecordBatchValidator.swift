import KafkaCompression
import KafkaProtocol

/// What the records of a received batch are checked against before it is
/// appended, as Kafka's `LogValidator` checks a client's append.
public struct RecordValidationRules: Sendable, Equatable {
    /// The most a compressed batch may decompress to (its records are read in
    /// 64 KiB pieces, so this bounds the CPU time spent, not memory).
    public var maximumUncompressedBytes: Int
    /// Whether every record needs a key (a topic with `cleanup.policy` compact).
    public var requireKeys: Bool

    public init(maximumUncompressedBytes: Int, requireKeys: Bool = false) {
        self.maximumUncompressedBytes = maximumUncompressedBytes
        self.requireKeys = requireKeys
    }
}

/// Checks the records inside received batches: a batch's body (the bytes
/// after its 61-byte header) is fed in pieces; a compressed one is
/// decompressed as it comes (at most `maximumUncompressedBytes` of output)
/// and what comes out is checked by `RecordsScanner`. Header rules that need
/// no records are checked first: an idempotent producer's batch (producer id
/// set) needs a sequence number.
///
/// Errors are `LogError`s: `corruptMessage` for a compressed body that is not
/// its codec's stream, `invalidRecord` for records that break the format or a
/// rule (with the record's index when one is to blame), `messageTooLarge` for
/// a batch that decompresses to more than allowed.
public enum RecordBatchValidator {
    /// Checks the records of batches held in memory (their CRC already checked).
    public static func validate(_ batches: [RecordBatch], rules: RecordValidationRules) throws(LogError) {
        for batch in batches {
            var check = try BatchRecordsCheck(header: batch.header, rules: rules)
            try batch.bytes.withUnsafeReadableBytes { (bytes) throws(LogError) in
                try check.feed(UnsafeRawBufferPointer(rebasing: bytes[RecordBatchHeader.size...]))
            }
            try check.finish()
        }
    }
}

/// The check of one batch's records, fed its body in pieces.
struct BatchRecordsCheck {
    private let codec: RecordCompression
    private let maximumUncompressedBytes: Int
    private var scanner: RecordsScanner
    private let decompressor: (any RecordsDecompressor)?
    private var uncompressedBytes = 0

    init(header: RecordBatchHeader, rules: RecordValidationRules) throws(LogError) {
        if header.producerId >= 0 && header.baseSequence < 0 {
            throw LogError(.invalidRecord, "a record batch of producer \(header.producerId) has sequence number \(header.baseSequence); an idempotent producer's batches need one")
        }
        codec = header.attributes.compression
        maximumUncompressedBytes = rules.maximumUncompressedBytes
        scanner = RecordsScanner(declaredCount: header.recordCount, requireKeys: rules.requireKeys)
        do {
            decompressor = try RecordsDecompression.decompressor(for: codec)
        } catch {
            throw Self.logError(error)
        }
    }

    /// Checks the next piece of the body.
    mutating func feed(_ piece: UnsafeRawBufferPointer) throws(LogError) {
        do {
            guard let decompressor else { return try scanner.feed(piece) }
            try decompressor.feed(piece) { (records) throws(RecordValidationError) in try scan(records) }
        } catch {
            throw Self.logError(error)
        }
    }

    /// Checks that the body ended where its records (and compressed stream) do.
    mutating func finish() throws(LogError) {
        do {
            if let decompressor {
                try decompressor.finish { (records) throws(RecordValidationError) in try scan(records) }
            }
            try scanner.finish()
        } catch {
            throw Self.logError(error)
        }
    }

    private mutating func scan(_ records: UnsafeRawBufferPointer) throws(RecordValidationError) {
        uncompressedBytes += records.count
        guard uncompressedBytes <= maximumUncompressedBytes else {
            throw RecordValidationError(.tooLarge, "the \(codec) record batch decompresses to more than \(maximumUncompressedBytes) bytes, the most this broker accepts (message.max.uncompressed.bytes); send smaller batches")
        }
        try scanner.feed(records)
    }

    private static func logError(_ error: RecordValidationError) -> LogError {
        let kind: LogError.Kind = switch error.kind {
        case .corruptBatch: .corruptMessage
        case .tooLarge: .messageTooLarge
        default: .invalidRecord
        }
        return LogError(kind, error.message, recordIndex: error.recordIndex)
    }
}
