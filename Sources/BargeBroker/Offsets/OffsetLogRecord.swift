import KafkaProtocol
import NIOCore

/// One change to the committed offsets, as one record of the offsets log.
///
/// A record is the unit of atomicity: it is written whole and checksummed,
/// so after a crash it is either replayed entirely or dropped entirely.
enum OffsetLogRecord: Hashable, Sendable {
    typealias TopicPartition = CommittedOffsetStore.TopicPartition

    /// Offsets committed by `group` (a whole OffsetCommit batch, or a group's live set after compaction).
    case commit(group: String, offsets: [TopicPartition: CommittedOffset])
    /// Tombstones: these offsets of `group` are gone (OffsetDelete, expiry).
    case deleteOffsets(group: String, partitions: [TopicPartition])
    /// Tombstone: every offset of `group` is gone (DeleteGroups).
    case deleteGroup(String)
    /// Tombstone: the offsets of `topic` are gone from every group (the topic was deleted).
    case removeTopic(String)
}

/// The bytes of `<data-dir>/__consumer_offsets/offsets.log`; see `CommittedOffsetStore`.
enum OffsetLogFormat {
    /// "BRGOFS" and format version 1 (big-endian UInt16).
    static let header: [UInt8] = Array("BRGOFS".utf8) + [0, 1]
    static var headerSize: Int { header.count }
    /// Body length (UInt32) and CRC-32C of the body (UInt32).
    static let frameOverhead = 8
    /// The longest group id or topic name a record holds (a UInt16 length).
    static let maximumNameBytes = Int(UInt16.max)

    private enum RecordType: UInt8 {
        case commit = 1, deleteOffsets = 2, deleteGroup = 3, removeTopic = 4
    }

    // MARK: Sizes (of the compacted file, kept up to date by `OffsetTable`)

    /// The bytes of a commit record of `group` with no offsets: frame, type, group, count.
    static func commitRecordOverhead(group: String) -> Int {
        frameOverhead + 1 + 2 + group.utf8.count + 4
    }

    /// The bytes one offset adds to a commit record.
    static func entrySize(_ partition: CommittedOffsetStore.TopicPartition, _ offset: CommittedOffset) -> Int {
        2 + partition.topic.utf8.count + 4 + 8 + 4 + 4 + (offset.metadata?.utf8.count ?? 0) + 8
    }

    // MARK: Encoding

    /// Appends `record`, framed (length, CRC-32C, body), to `buffer`.
    /// Offsets are written sorted by topic and partition, so the bytes are deterministic.
    static func write(_ record: OffsetLogRecord, to buffer: inout ByteBuffer) throws(OffsetStoreError) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(UInt32(0))
        let bodyStart = buffer.writerIndex
        switch record {
        case .commit(let group, let offsets):
            buffer.writeInteger(RecordType.commit.rawValue)
            try writeName(group, "group id", to: &buffer)
            buffer.writeInteger(UInt32(offsets.count))
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                try writeName(partition.topic, "topic name", to: &buffer)
                buffer.writeInteger(partition.partition)
                buffer.writeInteger(offset.offset)
                buffer.writeInteger(offset.leaderEpoch)
                if let metadata = offset.metadata {
                    buffer.writeInteger(Int32(metadata.utf8.count))
                    buffer.writeString(metadata)
                } else {
                    buffer.writeInteger(Int32(-1))
                }
                buffer.writeInteger(offset.commitTimestamp)
            }
        case .deleteOffsets(let group, let partitions):
            buffer.writeInteger(RecordType.deleteOffsets.rawValue)
            try writeName(group, "group id", to: &buffer)
            buffer.writeInteger(UInt32(partitions.count))
            for partition in partitions.sorted() {
                try writeName(partition.topic, "topic name", to: &buffer)
                buffer.writeInteger(partition.partition)
            }
        case .deleteGroup(let group):
            buffer.writeInteger(RecordType.deleteGroup.rawValue)
            try writeName(group, "group id", to: &buffer)
        case .removeTopic(let topic):
            buffer.writeInteger(RecordType.removeTopic.rawValue)
            try writeName(topic, "topic name", to: &buffer)
        }
        let bodyLength = buffer.writerIndex - bodyStart
        var crc = CRC32C()
        buffer.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[(bodyStart - buffer.readerIndex)...])) }
        buffer.setInteger(UInt32(bodyLength), at: lengthIndex)
        buffer.setInteger(crc.value, at: lengthIndex + 4)
    }

    private static func writeName(_ name: String, _ what: String, to buffer: inout ByteBuffer) throws(OffsetStoreError) {
        let count = name.utf8.count
        guard count <= maximumNameBytes else {
            throw OffsetStoreError(.nameTooLong, "\(what) of \(count) bytes is longer than \(maximumNameBytes) bytes")
        }
        buffer.writeInteger(UInt16(count))
        buffer.writeString(name)
    }

    // MARK: Decoding

    /// What `scan` found: the records of the intact prefix, where it ends, and why it ended early.
    struct Scan {
        var records: [OffsetLogRecord] = []
        /// The file offset just after the last intact record.
        var validEnd: Int
        /// Why the scan stopped before the end of the file (a torn or corrupt record); nil when it read everything.
        var problem: String?
    }

    /// Reads the records of a whole file (`bytes`, header included) up to the
    /// first torn or corrupt one. Throws when the header is not this format's,
    /// or a record with a correct checksum cannot be read (a newer format?):
    /// those files are not truncated.
    static func scan(_ bytes: ByteBuffer, path: String) throws(OffsetStoreError) -> Scan {
        var buffer = bytes
        guard let header = buffer.readBytes(length: headerSize), header == Self.header else {
            throw OffsetStoreError(.corrupt, "\(path) does not start with the offsets file header \(Self.header)")
        }
        var scan = Scan(validEnd: headerSize)
        while buffer.readableBytes > 0 {
            let start = bytes.readableBytes - buffer.readableBytes
            guard buffer.readableBytes >= frameOverhead else {
                scan.problem = "torn record header of \(buffer.readableBytes) bytes at byte \(start)"
                return scan
            }
            let length = Int(buffer.readInteger(as: UInt32.self)!)
            let expected = buffer.readInteger(as: UInt32.self)!
            // Cap before reading: the length may be garbage.
            guard length <= buffer.readableBytes else {
                scan.problem = "torn record at byte \(start): \(length) bytes announced, \(buffer.readableBytes) present"
                return scan
            }
            var body = buffer.readSlice(length: length)!
            var crc = CRC32C()
            body.withUnsafeReadableBytes { crc.update($0) }
            guard crc.value == expected else {
                scan.problem = "corrupt record at byte \(start): CRC-32C \(crc.value) instead of \(expected)"
                return scan
            }
            guard let record = readBody(&body), body.readableBytes == 0 else {
                throw OffsetStoreError(
                    .corrupt, "\(path) has a record at byte \(start) with a correct checksum that cannot be read")
            }
            scan.records.append(record)
            scan.validEnd = start + frameOverhead + length
        }
        return scan
    }

    private static func readBody(_ body: inout ByteBuffer) -> OffsetLogRecord? {
        guard let rawType = body.readInteger(as: UInt8.self), let type = RecordType(rawValue: rawType) else { return nil }
        switch type {
        case .commit:
            guard let group = readName(&body), let count = body.readInteger(as: UInt32.self) else { return nil }
            var offsets: [CommittedOffsetStore.TopicPartition: CommittedOffset] = [:]
            for _ in 0..<count {
                guard let topic = readName(&body),
                    let partition = body.readInteger(as: Int32.self),
                    let offset = body.readInteger(as: Int64.self),
                    let leaderEpoch = body.readInteger(as: Int32.self),
                    let metadataLength = body.readInteger(as: Int32.self)
                else { return nil }
                var metadata: String?
                if metadataLength >= 0 {
                    guard let string = readUTF8(&body, Int(metadataLength)) else { return nil }
                    metadata = string
                } else if metadataLength != -1 {
                    return nil
                }
                guard let timestamp = body.readInteger(as: Int64.self) else { return nil }
                offsets[.init(topic, partition)] = CommittedOffset(
                    offset: offset, leaderEpoch: leaderEpoch, metadata: metadata, commitTimestamp: timestamp)
            }
            return .commit(group: group, offsets: offsets)
        case .deleteOffsets:
            guard let group = readName(&body), let count = body.readInteger(as: UInt32.self) else { return nil }
            var partitions: [CommittedOffsetStore.TopicPartition] = []
            for _ in 0..<count {
                guard let topic = readName(&body), let partition = body.readInteger(as: Int32.self) else { return nil }
                partitions.append(.init(topic, partition))
            }
            return .deleteOffsets(group: group, partitions: partitions)
        case .deleteGroup:
            return readName(&body).map { .deleteGroup($0) }
        case .removeTopic:
            return readName(&body).map { .removeTopic($0) }
        }
    }

    private static func readName(_ body: inout ByteBuffer) -> String? {
        guard let length = body.readInteger(as: UInt16.self) else { return nil }
        return readUTF8(&body, Int(length))
    }

    private static func readUTF8(_ body: inout ByteBuffer, _ length: Int) -> String? {
        guard length <= body.readableBytes else { return nil }
        let view = body.readableBytesView.prefix(length)
        guard let string = String(validating: view, as: UTF8.self) else { return nil }
        body.moveReaderIndex(forwardBy: length)
        return string
    }
}
