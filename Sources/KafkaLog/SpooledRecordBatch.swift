import FileIO
import KafkaProtocol

/// A record batch that arrived into a spool file instead of memory (large
/// produce requests are streamed to disk): its header and where it is.
///
/// The spool file belongs to the caller, who keeps it open until the
/// append that takes these batches returns.
public struct SpooledRecordBatch: Sendable {
    public let header: RecordBatchHeader
    let file: LogFile
    let position: Int

    /// Splits bytes `start..<end` of an open spool file into record batches and
    /// checks each as `RecordBatch.split` does (size, magic, records, codec and
    /// CRC-32C) and as `RecordBatchValidator` does (the records inside, against
    /// `rules`), in one pass that reads 1 MiB at a time. Throws `corruptMessage`
    /// naming the first problem of a batch that does not parse (a bad CRC
    /// first of all), the validator's errors for its records, or `storage`
    /// when reading fails.
    public static func split(
        spool: any FileHandleIO, from start: Int, to end: Int, rules: RecordValidationRules
    ) throws(LogError) -> [SpooledRecordBatch] {
        let file = LogFile(handle: spool)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var batches: [SpooledRecordBatch] = []
        var position = start
        while position < end {
            let bytes = try file.read(count: min(RecordBatchHeader.size, end - position), at: position)
            guard let header = RecordBatchHeader(from: bytes, at: bytes.readerIndex) else {
                throw LogError(.corruptMessage, "record batch at byte \(position - start) is truncated: \(end - position) bytes left, a header needs \(RecordBatchHeader.size)")
            }
            do {
                try header.check(bytesLeft: end - position)
            } catch {
                throw LogError(.corruptMessage, "\(error)")
            }
            var crc = CRC32C()
            bytes.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...])) }
            try check(body: position + RecordBatchHeader.size, to: position + header.totalSize, of: header,
                      in: file, through: chunk, crc: crc, rules: rules)
            batches.append(SpooledRecordBatch(header: header, file: file, position: position))
            position += header.totalSize
        }
        return batches
    }

    /// Reads a batch's body once, for its CRC and its records. A problem with
    /// the records is reported only if the CRC is right: a bad CRC says the
    /// bytes are not what the client sent.
    private static func check(
        body start: Int, to end: Int, of header: RecordBatchHeader, in file: LogFile,
        through chunk: UnsafeMutableRawBufferPointer, crc initial: CRC32C, rules: RecordValidationRules
    ) throws(LogError) {
        var crc = initial
        var problem: LogError?
        var records: BatchRecordsCheck?
        do {
            records = try BatchRecordsCheck(header: header, rules: rules)
        } catch {
            problem = error
        }
        var position = start
        while position < end {
            let count = min(chunk.count, end - position)
            let read = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<count]), at: position)
            guard read == count else { throw LogError(.storage, "\(file.path) ended at \(position + read) while reading to \(end)") }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[..<count])
            crc.update(piece)
            if problem == nil {
                do { try records?.feed(piece) } catch { problem = error }
            }
            position += count
        }
        guard crc.value == header.crc else {
            throw LogError(.corruptMessage, "record batch CRC is \(header.crc) but its bytes sum to \(crc.value)")
        }
        if problem == nil {
            do { try records?.finish() } catch { problem = error }
        }
        if let problem { throw problem }
    }
}
