/// The live committed offsets, in memory: what replaying the offsets log
/// yields. A plain value that knows how large the log would be if it held
/// only these offsets (`compactedSize`), kept up to date change by change.
struct OffsetTable: Hashable, Sendable {
    typealias TopicPartition = CommittedOffsetStore.TopicPartition

    /// Each group's committed offsets; a group without offsets is absent.
    private(set) var groups: [String: [TopicPartition: CommittedOffset]] = [:]
    /// The size of a compacted offsets file holding exactly these offsets
    /// (header, and one commit record per group).
    private(set) var compactedSize = OffsetLogFormat.headerSize

    /// Applies one record of the log.
    mutating func apply(_ record: OffsetLogRecord) {
        switch record {
        case .commit(let group, let offsets):
            for (partition, offset) in offsets { set(group, partition, offset) }
        case .deleteOffsets(let group, let partitions):
            for partition in partitions { remove(group, partition) }
        case .deleteGroup(let group):
            for partition in Array(groups[group, default: [:]].keys) { remove(group, partition) }
        case .removeTopic(let topic):
            for (group, offsets) in groups {
                for partition in offsets.keys where partition.topic == topic { remove(group, partition) }
            }
        }
    }

    /// The records of a compacted log: one commit per group, in group order.
    var compactedRecords: [OffsetLogRecord] {
        groups.sorted { $0.key < $1.key }.map { .commit(group: $0.key, offsets: $0.value) }
    }

    private mutating func set(_ group: String, _ partition: TopicPartition, _ offset: CommittedOffset) {
        if groups[group] == nil { compactedSize += OffsetLogFormat.commitRecordOverhead(group: group) }
        if let old = groups[group, default: [:]].updateValue(offset, forKey: partition) {
            compactedSize -= OffsetLogFormat.entrySize(partition, old)
        }
        compactedSize += OffsetLogFormat.entrySize(partition, offset)
    }

    private mutating func remove(_ group: String, _ partition: TopicPartition) {
        guard let old = groups[group]?.removeValue(forKey: partition) else { return }
        compactedSize -= OffsetLogFormat.entrySize(partition, old)
        if groups[group]?.isEmpty == true {
            groups[group] = nil
            compactedSize -= OffsetLogFormat.commitRecordOverhead(group: group)
        }
    }
}
