import NIOCore

/// The records of `<data-dir>/__transaction_state/transactions.log`, the
/// transaction coordinator's durable state (see `TransactionStateStore`).
///
/// The file is a `RecordLogFile` with the header "BRGTXN" and version
/// (UInt16, 1). A record body is a type byte, then:
///
/// ```
/// 1 metadata   transactional id, producer id Int64, epoch Int16, timeout ms Int32,
///              state UInt8, start Int64, last update Int64,
///              partitions UInt32 × (topic, partition Int32),
///              groups UInt32 × group,
///              pending offsets: groups UInt32 × (group, UInt32 × (topic, partition Int32,
///                offset Int64, leader epoch Int32, metadata length Int32 (-1: null) and UTF-8))
/// 2 removed    transactional id (expired: transactional.id.expiration.ms)
/// ```
///
/// Strings are a UInt16 length and UTF-8; integers big-endian. The newest
/// record of an id wins.
enum TransactionLogFormat {
    static let header: [UInt8] = Array("BRGTXN".utf8) + [0, 1]

    /// One change of the state.
    enum Record: Equatable {
        case metadata(TransactionMetadata)
        case removed(String)

        var transactionalId: String {
            switch self {
            case .metadata(let metadata): metadata.transactionalId
            case .removed(let id): id
            }
        }
    }

    static func encode(_ record: Record) -> ByteBuffer {
        var body = ByteBuffer()
        switch record {
        case .removed(let id):
            body.writeInteger(UInt8(2))
            writeString(id, to: &body)
        case .metadata(let metadata):
            body.writeInteger(UInt8(1))
            writeString(metadata.transactionalId, to: &body)
            body.writeInteger(metadata.producerId)
            body.writeInteger(metadata.producerEpoch)
            body.writeInteger(metadata.timeoutMs)
            body.writeInteger(metadata.state.rawValue)
            body.writeInteger(metadata.startTimestamp)
            body.writeInteger(metadata.lastUpdateTimestamp)
            body.writeInteger(UInt32(metadata.partitions.count))
            for partition in metadata.partitions.sorted() {
                writeString(partition.topic, to: &body)
                body.writeInteger(partition.partition)
            }
            body.writeInteger(UInt32(metadata.groups.count))
            for group in metadata.groups.sorted() { writeString(group, to: &body) }
            body.writeInteger(UInt32(metadata.pendingOffsets.count))
            for (group, offsets) in metadata.pendingOffsets.sorted(by: { $0.key < $1.key }) {
                writeString(group, to: &body)
                body.writeInteger(UInt32(offsets.count))
                for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                    writeString(partition.topic, to: &body)
                    body.writeInteger(partition.partition)
                    body.writeInteger(offset.offset)
                    body.writeInteger(offset.leaderEpoch)
                    if let metadata = offset.metadata {
                        body.writeInteger(Int32(metadata.utf8.count))
                        body.writeString(metadata)
                    } else {
                        body.writeInteger(Int32(-1))
                    }
                }
            }
        }
        return body
    }

    /// The record of a body; nil when it cannot be read (another format).
    static func decode(_ body: ByteBuffer) -> Record? {
        var body = body
        guard let type = body.readInteger(as: UInt8.self), let id = readString(&body) else { return nil }
        if type == 2 { return body.readableBytes == 0 ? .removed(id) : nil }
        guard type == 1,
              let producerId = body.readInteger(as: Int64.self),
              let epoch = body.readInteger(as: Int16.self),
              let timeout = body.readInteger(as: Int32.self),
              let rawState = body.readInteger(as: UInt8.self), let state = TransactionState(rawValue: rawState),
              let start = body.readInteger(as: Int64.self),
              let update = body.readInteger(as: Int64.self),
              let partitionCount = body.readInteger(as: UInt32.self)
        else { return nil }
        var metadata = TransactionMetadata(transactionalId: id, producerId: producerId, producerEpoch: epoch, timeoutMs: timeout,
                                           state: state, startTimestamp: start, lastUpdateTimestamp: update)
        for _ in 0..<partitionCount {
            guard let topic = readString(&body), let partition = body.readInteger(as: Int32.self) else { return nil }
            metadata.partitions.insert(.init(topic, partition))
        }
        guard let groupCount = body.readInteger(as: UInt32.self) else { return nil }
        for _ in 0..<groupCount {
            guard let group = readString(&body) else { return nil }
            metadata.groups.insert(group)
        }
        guard let pendingCount = body.readInteger(as: UInt32.self) else { return nil }
        for _ in 0..<pendingCount {
            guard let group = readString(&body), let count = body.readInteger(as: UInt32.self) else { return nil }
            var offsets: [TransactionMetadata.TopicPartition: OffsetAndMetadata] = [:]
            for _ in 0..<count {
                guard let topic = readString(&body), let partition = body.readInteger(as: Int32.self),
                      let offset = body.readInteger(as: Int64.self), let leaderEpoch = body.readInteger(as: Int32.self),
                      let length = body.readInteger(as: Int32.self), length >= -1
                else { return nil }
                var text: String?
                if length >= 0 {
                    guard let read = body.readString(length: Int(length)) else { return nil }
                    text = read
                }
                offsets[.init(topic, partition)] = OffsetAndMetadata(offset: offset, leaderEpoch: leaderEpoch, metadata: text)
            }
            metadata.pendingOffsets[group] = offsets
        }
        return body.readableBytes == 0 ? .metadata(metadata) : nil
    }

    private static func writeString(_ string: String, to body: inout ByteBuffer) {
        body.writeInteger(UInt16(string.utf8.count))
        body.writeString(string)
    }

    private static func readString(_ body: inout ByteBuffer) -> String? {
        guard let length = body.readInteger(as: UInt16.self) else { return nil }
        return body.readString(length: Int(length))
    }
}
