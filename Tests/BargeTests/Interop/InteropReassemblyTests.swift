@testable import Barge
@testable import BargeCore
import Testing

/// Foreign records through the reassembly state machine, without Kafka.
@Suite("Interop in the reassembly state machine")
struct InteropReassemblyTests {
    let partition = KafkaTopicPartition(topic: "t", partition: 0)
    let start = ContinuousClock.now

    func state(_ formats: Set<InteropFormat> = [.linkedIn, .bakdata, .irori]) -> ReassemblyState {
        ReassemblyState(settings: .init(interop: formats))
    }

    /// The records of `segments`, from `offset` on, with an application header.
    func records(_ segments: [LinkedInSegment], style: LinkedInSegment.Style = .envelope, from offset: Int64 = 0) -> [KafkaConsumerMessage] {
        segments.enumerated().map { index, segment in
            let (value, header) = segment.encoded(style: style)
            return KafkaConsumerMessage(
                topicPartition: partition, offset: offset + Int64(index), key: segment.recordKey(applicationKey: nil), value: value,
                headers: [KafkaHeader(key: "app", string: "1"), header]
            )
        }
    }

    func feed(_ state: inout ReassemblyState, _ records: [KafkaConsumerMessage]) -> ReassemblyStateTests.Outcome {
        var outcome = ReassemblyStateTests.Outcome()
        for record in records { outcome.apply(state.receive(record, now: start)) }
        return outcome
    }

    func payload(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ Int(seed)) }
    }

    @Test("two interleaved LinkedIn messages come out whole, as chunked messages read in LinkedIn's format, with the application's headers")
    func interleaved() {
        let first = payload(1000, seed: 1), second = payload(700, seed: 2)
        let a = records(linkedInSegments(first, id: LinkedInMessageID(BargeMessageID()), segmentSize: 256))
        let b = records(linkedInSegments(second, id: LinkedInMessageID(BargeMessageID()), segmentSize: 256), style: .recordHeader)
        var interleavedRecords: [KafkaConsumerMessage] = []
        for index in 0..<max(a.count, b.count) {
            if index < a.count { interleavedRecords.append(a[index]) }
            if index < b.count { interleavedRecords.append(b[index]) }
        }
        for (offset, index) in interleavedRecords.indices.enumerated() { interleavedRecords[index].offset = Int64(offset) }
        var machine = state()
        let outcome = feed(&machine, interleavedRecords)
        #expect(outcome.failures.isEmpty)
        let payloads = outcome.deliveredOrder.map { outcome.bytes[$0] ?? [] }
        #expect(Set(payloads) == [first, second])
        #expect(outcome.sealed.count == 2)
        for info in outcome.delivered.values {
            #expect(info.kind == .chunked && info.interop == .linkedIn)
            #expect(info.headers == [KafkaHeader(key: "app", string: "1")])
            #expect(info.sha256 == nil && [1000, 700].contains(info.size))
        }
        #expect(machine.assemblingCount == 0)
    }

    @Test("a duplicate LinkedIn segment is ignored; a missing one fails the message with missingChunk")
    func duplicatesAndGaps() {
        let data = payload(900, seed: 3)
        var segments = records(linkedInSegments(data, id: LinkedInMessageID(BargeMessageID()), segmentSize: 300))
        segments.insert(segments[1], at: 2)
        for index in segments.indices { segments[index].offset = Int64(index) }
        var machine = state()
        let outcome = feed(&machine, segments)
        #expect(outcome.failures.isEmpty && outcome.deliveredOrder.count == 1)
        #expect(outcome.bytes[outcome.deliveredOrder[0]] == data)

        var gap = records(linkedInSegments(data, id: LinkedInMessageID(BargeMessageID()), segmentSize: 300))
        gap.remove(at: 1)
        var other = state()
        let failed = feed(&other, gap)
        #expect(failed.failures.map(\.kind) == [.missingChunk])
        #expect(failed.deliveredOrder.isEmpty)
    }

    @Test("a LinkedIn segment that disagrees with the first on the message size fails the message as corrupt")
    func sizeConflict() {
        let id = LinkedInMessageID(BargeMessageID())
        var segments = linkedInSegments(payload(600, seed: 4), id: id, segmentSize: 300)
        segments[1].size = 650
        var machine = state()
        let outcome = feed(&machine, records(segments))
        #expect(outcome.failures.map(\.kind) == [.corrupt])
        #expect(outcome.deliveredOrder.isEmpty)
    }

    @Test("without the option, LinkedIn's and bakdata's records are plain records")
    func optionOff() {
        let segments = records(linkedInSegments(payload(600, seed: 5), id: LinkedInMessageID(BargeMessageID()), segmentSize: 300))
        var machine = state([])
        let outcome = feed(&machine, segments)
        #expect(outcome.deliveredOrder.count == 2)
        #expect(outcome.delivered.values.allSatisfy { $0.kind == .plain && $0.interop == nil })
    }

    @Test("bakdata: an inline payload is delivered as it is; a backed one asks for its object; broken ones are typed failure events")
    func bakdata() throws {
        let uri = "s3://bucket/topic/values/1"
        let inputs: [KafkaConsumerMessage] = [
            KafkaConsumerMessage(topicPartition: partition, offset: 0, key: [1], value: [0] + Array("foo".utf8), headers: []),
            KafkaConsumerMessage(
                topicPartition: partition, offset: 1, key: nil, value: Array(uri.utf8),
                headers: [KafkaHeader(key: BakdataHeaderName.valueFlag, value: [1]), KafkaHeader(key: BakdataHeaderName.compression, value: [1])]
            ),
            KafkaConsumerMessage(topicPartition: partition, offset: 2, key: nil, value: [9, 9], headers: []),
            KafkaConsumerMessage(topicPartition: partition, offset: 3, key: nil, value: [1] + Array("gs://b/k".utf8), headers: []),
        ]
        var machine = state([.bakdata])
        var outcome = ReassemblyStateTests.Outcome()
        var objects: [InteropObject] = []
        for record in inputs {
            let actions = machine.receive(record, now: start)
            for case .deliverObject(_, _, let object, _) in actions { objects.append(object) }
            outcome.apply(actions)
        }
        let infos = outcome.deliveredOrder.map { outcome.delivered[$0]! }
        #expect(infos.map(\.kind) == [.inline, .claimCheck])
        #expect(infos.allSatisfy { $0.interop == .bakdata })
        #expect(outcome.bytes[outcome.deliveredOrder[0]] == Array("foo".utf8))
        #expect(infos[1].objectURL == uri && infos[1].headers.isEmpty)
        #expect(objects == [InteropObject(format: .bakdata, reference: try InteropObjectReference(uri: uri, field: "value"), compression: .gzip, size: nil)])
        #expect(outcome.failures.map(\.kind) == [.malformedRecord, .unsupportedStore])
        #expect(outcome.failures.map(\.firstOffset) == [2, 3])
    }
}
