import NIOCore

/// A transaction marker: the one record of a control batch that the
/// transaction coordinator writes to every partition of a transaction when
/// it ends, as Kafka does.
///
/// Key (`ControlRecordType`, version 0): version int16, type int16 (0 abort,
/// 1 commit). Value (`EndTxnMarker`, version 0): version int16, coordinator
/// epoch int32. The batch has the control and transactional attributes, the
/// producer's id and epoch, and sequence -1.
public struct ControlRecord: Sendable, Equatable {
    /// How the transaction ended.
    public enum Kind: Int16, Sendable {
        case abort = 0
        case commit = 1
    }

    public var kind: Kind
    /// The coordinator epoch that wrote the marker (Barge's single coordinator: 0).
    public var coordinatorEpoch: Int32

    public init(kind: Kind, coordinatorEpoch: Int32 = 0) {
        self.kind = kind
        self.coordinatorEpoch = coordinatorEpoch
    }

    /// The bytes of a whole control batch at `baseOffset` 0 holding this marker.
    public func batch(producerId: Int64, producerEpoch: Int16, timestamp: Int64) -> ByteBuffer {
        var key = ByteBuffer()
        key.writeInteger(Int16(0))
        key.writeInteger(kind.rawValue)
        var value = ByteBuffer()
        value.writeInteger(Int16(0))
        value.writeInteger(coordinatorEpoch)
        var builder = RecordBatchBuilder()
        builder.producerId = producerId
        builder.producerEpoch = producerEpoch
        builder.isTransactional = true
        builder.isControl = true
        builder.append(key: key, value: value, timestamp: timestamp)
        return builder.build()
    }

    /// Reads the marker of a control batch's only record; nil when the key is
    /// not a version 0 transaction marker (a control type this log does not know).
    public init?(key: ByteBuffer?, value: ByteBuffer?) {
        guard var key, key.readableBytes >= 4,
              let version = key.readInteger(as: Int16.self), version == 0,
              let type = key.readInteger(as: Int16.self), let kind = Kind(rawValue: type)
        else { return nil }
        var epoch: Int32 = -1
        if var value, value.readableBytes >= 6, value.readInteger(as: Int16.self) != nil {
            epoch = value.readInteger(as: Int32.self) ?? -1
        }
        self.init(kind: kind, coordinatorEpoch: epoch)
    }
}
