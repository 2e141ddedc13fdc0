import KafkaProtocol
import NIOCore

/// The producer state table as of an offset, in `<offset>.snapshot`, written
/// when a segment is closed and when the log is closed, so that opening a log
/// replays only the batches after the newest snapshot.
///
/// Layout (big-endian): magic "BPS2", CRC-32C of the rest, producer count
/// int32, then per producer: id int64, epoch int16, last append time int64,
/// the first offset of its transaction in progress int64 (-1: none), batch
/// count int8 (0 to 5), and per batch: first and last sequence int32, first
/// and last offset int64, timestamp int64. Version 1 ("BPS1", written before
/// transactions) has no transaction offset; it is still read.
enum ProducerStateSnapshot {
    private static let magic: UInt32 = 0x4250_5332
    private static let version1Magic: UInt32 = 0x4250_5331
    private static let producerSize = 8 + 2 + 8 + 1

    /// The snapshot offsets present in `directory`, newest first.
    static func offsets(in names: [String]) -> [Int64] {
        names.compactMap { LogFileNames.offset(in: $0, suffix: LogFileNames.snapshotSuffix) }.sorted(by: >)
    }

    static func path(_ offset: Int64, in directory: String) -> String {
        "\(directory)/\(LogFileNames.segment(offset))\(LogFileNames.snapshotSuffix)"
    }

    /// Writes the table as of `offset` atomically and durably, then removes all
    /// but the newest `keep` snapshots.
    static func write(_ table: ProducerStateTable, asOf offset: Int64, directory: String, storage: LogStorage, keep: Int = 2) throws(LogError) {
        var body = ByteBuffer()
        body.writeInteger(Int32(table.producers.count))
        for (id, producer) in table.producers.sorted(by: { $0.key < $1.key }) {
            body.writeInteger(id)
            body.writeInteger(producer.epoch)
            body.writeInteger(producer.lastAppendTime)
            body.writeInteger(producer.currentTxnFirstOffset ?? -1)
            body.writeInteger(Int8(producer.batches.count))
            for batch in producer.batches {
                body.writeInteger(batch.firstSequence)
                body.writeInteger(batch.lastSequence)
                body.writeInteger(batch.firstOffset)
                body.writeInteger(batch.lastOffset)
                body.writeInteger(batch.timestamp)
            }
        }
        var file = ByteBuffer()
        file.writeInteger(magic)
        file.writeInteger(CRC32C.checksum(body.readableBytesView))
        file.writeBuffer(&body)
        try storage.writeAtomically(file, to: path(offset, in: directory))
        for old in offsets(in: try storage.list(directory)).dropFirst(keep) {
            try storage.remove(path(old, in: directory))
        }
    }

    /// Reads the snapshot at `offset`; nil when it is missing, damaged or not one.
    static func read(_ offset: Int64, directory: String, storage: LogStorage) throws(LogError) -> ProducerStateTable? {
        guard var file = try storage.readWholeFile(path(offset, in: directory), limit: 1 << 30),
              let fileMagic = file.readInteger(as: UInt32.self), fileMagic == magic || fileMagic == version1Magic,
              let crc = file.readInteger(as: UInt32.self),
              CRC32C.checksum(file.readableBytesView) == crc,
              let count = file.readInteger(as: Int32.self), count >= 0,
              Int(count) <= file.readableBytes / producerSize
        else { return nil }
        var producers: [Int64: ProducerStateTable.Producer] = [:]
        for _ in 0..<count {
            guard let id = file.readInteger(as: Int64.self),
                  let epoch = file.readInteger(as: Int16.self),
                  let lastAppendTime = file.readInteger(as: Int64.self),
                  let txnFirstOffset = fileMagic == magic ? file.readInteger(as: Int64.self) : -1,
                  let batchCount = file.readInteger(as: Int8.self),
                  (0...ProducerStateTable.batchesPerProducer).contains(Int(batchCount))
            else { return nil }
            var batches: [ProducerStateTable.Batch] = []
            for _ in 0..<batchCount {
                guard let firstSequence = file.readInteger(as: Int32.self),
                      let lastSequence = file.readInteger(as: Int32.self),
                      let firstOffset = file.readInteger(as: Int64.self),
                      let lastOffset = file.readInteger(as: Int64.self),
                      let timestamp = file.readInteger(as: Int64.self)
                else { return nil }
                batches.append(.init(firstSequence: firstSequence, lastSequence: lastSequence,
                                     firstOffset: firstOffset, lastOffset: lastOffset, timestamp: timestamp))
            }
            producers[id] = .init(epoch: epoch, batches: batches, lastAppendTime: lastAppendTime,
                                  currentTxnFirstOffset: txnFirstOffset >= 0 ? txnFirstOffset : nil)
        }
        return file.readableBytes == 0 ? ProducerStateTable(producers: producers) : nil
    }
}
