import KafkaProtocol

/// A record batch that arrived into a spool file instead of memory (large
/// produce requests are streamed to disk): its header and where it is.
///
/// The spool's descriptor belongs to the caller, who keeps it open until the
/// append that takes these batches returns.
public struct SpooledRecordBatch: Sendable {
    public let header: RecordBatchHeader
    let file: PosixFile
    let position: Int

    /// Splits bytes `start..<end` of an open spool file into record batches and
    /// checks each as `RecordBatch.split` does (size, magic, records, codec and
    /// CRC-32C), reading 1 MiB at a time. Throws `corruptMessage` naming the
    /// first problem, or `storage` when reading fails.
    public static func split(descriptor: CInt, name: String, from start: Int, to end: Int) throws(LogError) -> [SpooledRecordBatch] {
        let file = PosixFile(path: name, descriptor: descriptor)
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
            let crc = try file.checksum(from: position + RecordBatchHeader.crcCoverageStart, to: position + header.totalSize, chunk: chunk)
            guard crc == header.crc else {
                throw LogError(.corruptMessage, "record batch CRC is \(header.crc) but its bytes sum to \(crc)")
            }
            batches.append(SpooledRecordBatch(header: header, file: file, position: position))
            position += header.totalSize
        }
        return batches
    }
}
