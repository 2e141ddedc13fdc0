import KafkaValues

extension ReassemblyState {
    /// Actions for a record without Barge headers that is in one of the
    /// foreign formats the settings name (see ``InteropRecord``), or nil if
    /// it is in none (a plain record). LinkedIn segments go through the same
    /// reassembly as Barge's chunks (order, duplicates, expiry, memory);
    /// bakdata's inline payloads are delivered as they are; references
    /// (bakdata backed, irori) become ``ReassemblyAction/deliverObject(token:info:object:record:)``.
    mutating func foreign(
        _ record: KafkaConsumerMessage, seenBefore: Bool, handledBefore: Bool, now: ContinuousClock.Instant, in state: inout PartitionState
    ) -> [ReassemblyAction]? {
        let partition = record.topicPartition
        let decoded: (format: InteropFormat, record: InteropRecord)?
        do {
            decoded = try InteropRecord.decode(value: record.value, headers: record.headers, formats: settings.interop)
        } catch {
            guard !handledBefore else { return [] }
            let kind: BargeConsumerError.Kind = error.kind == .unsupportedStore ? .unsupportedStore : .malformedRecord
            let failure = BargeConsumerError(kind, "\(error)", topicPartition: partition, firstOffset: record.offset, lastOffset: record.offset)
            return [failureEvent(failure, record: record)]
        }
        guard let (format, content) = decoded else { return nil }
        let headers = InteropRecord.applicationHeaders(record.headers, of: format)
        switch content {
        case .inline(let payload):
            guard !handledBefore else { return [] }
            let info = BargeMessageInfo(
                kind: .inline, topicPartition: partition, offset: record.offset, key: record.key, headers: headers,
                timestamp: record.timestamp, size: Int64(payload.count), interop: format
            )
            return [.deliver(token: newItem(partition, record.offset, finished: true), info: info, payload: payload)]
        case .object(let object):
            guard !handledBefore else { return [] }
            let info = BargeMessageInfo(
                kind: .claimCheck, topicPartition: partition, offset: record.offset, key: record.key, headers: headers,
                timestamp: record.timestamp, size: object.size, objectURL: object.reference.uri, interop: format
            )
            // Handled only once its payload was read (or dropped unread), as Barge's claim checks.
            return [.deliverObject(token: newItem(partition, record.offset, finished: false), info: info, object: object, record: record)]
        case .segment(let segment):
            let header = BargeChunkHeader(
                id: segment.messageID.bargeID, index: segment.sequence, count: segment.count, isLast: segment.sequence == segment.count - 1,
                size: Int64(segment.size), sha256: nil, codec: .none, chunkSize: segment.sequence == 0 ? segment.slice.count : nil,
                applicationHeaders: headers
            )
            return chunk(
                header, record: record, seenBefore: seenBefore, handledBefore: handledBefore, now: now, in: &state,
                foreign: (format, segment.slice)
            )
        }
    }
}
