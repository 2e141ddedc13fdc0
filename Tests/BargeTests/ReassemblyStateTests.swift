@testable import Barge
@testable import BargeCore
import RdKafka
import Testing

/// Drives the reassembly state machine directly with records, without Kafka.
@Suite("Reassembly state machine")
struct ReassemblyStateTests {
    let partition = KafkaTopicPartition(topic: "t", partition: 0)
    let start = ContinuousClock.now

    /// Records of one chunked message of `payload` cut in `chunkSize` pieces, from `offset` on.
    func chunks(_ payload: [UInt8], chunkSize: Int, id: BargeMessageID = BargeMessageID(), knownSize: Bool = true) -> [(BargeChunkHeader, [UInt8])] {
        let count = (payload.count + chunkSize - 1) / chunkSize
        return (0..<count).map { index in
            let isLast = index == count - 1
            let header = BargeChunkHeader(
                id: id, index: index, count: knownSize || isLast ? count : nil, isLast: isLast,
                size: knownSize || isLast ? Int64(payload.count) : nil, sha256: isLast ? BargeDigest.sha256(of: payload) : nil,
                codec: .none, chunkSize: index == 0 ? chunkSize : nil
            )
            return (header, Array(payload[index * chunkSize..<min(payload.count, (index + 1) * chunkSize)]))
        }
    }

    func record(_ envelope: BargeEnvelope, _ value: [UInt8], at offset: Int64) throws -> KafkaConsumerMessage {
        KafkaConsumerMessage(topicPartition: partition, offset: offset, key: nil, value: value, headers: try envelope.headers())
    }

    /// Feeds `records` and collects the outcome.
    struct Outcome {
        var delivered: [Int: BargeMessageInfo] = [:]
        var deliveredOrder: [Int] = []
        var bytes: [Int: [UInt8]] = [:]
        var sealed: Set<Int> = []
        var failures: [BargeConsumerError] = []
        var silentFailures: [BargeConsumerError] = []
        var discarded: Set<Int> = []

        mutating func apply(_ actions: [ReassemblyAction]) {
            for action in actions {
                switch action {
                case .open(let token, _): bytes[token] = []
                case .append(let token, let piece): bytes[token, default: []] += piece
                case .deliver(let token, let info, let payload):
                    delivered[token] = info
                    deliveredOrder.append(token)
                    if let payload { bytes[token] = payload }
                case .deliverReference(let token, let info, _, _), .deliverObject(let token, let info, _, _):
                    delivered[token] = info
                    deliveredOrder.append(token)
                case .seal(let token, _): sealed.insert(token)
                case .fail(_, let error, let notify, _):
                    if notify { failures.append(error) } else { silentFailures.append(error) }
                case .discard(let token, _): discarded.insert(token)
                }
            }
        }
    }

    func feed(_ state: inout ReassemblyState, _ records: [KafkaConsumerMessage], outcome: inout Outcome) {
        for record in records { outcome.apply(state.receive(record, now: start)) }
    }

    func payload(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    @Test("interleaved messages from several producers come out whole, verified, in completion order; plain records pass through")
    func interleaving() throws {
        let a = payload(2500, seed: 1), b = payload(1001, seed: 2)
        let chunksA = chunks(a, chunkSize: 1000), chunksB = chunks(b, chunkSize: 1000, knownSize: false)
        let order: [(BargeChunkHeader, [UInt8])] = [chunksA[0], chunksB[0], chunksA[1], chunksB[1], chunksA[2]]
        var records = try order.enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        records.insert(KafkaConsumerMessage(topicPartition: partition, offset: 99, key: [1], value: [7, 7], headers: [KafkaHeader(key: "h", string: "v")]), at: 2)
        for index in records.indices { records[index].offset = Int64(index) }
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.deliveredOrder.count == 3)
        let infos = outcome.deliveredOrder.map { outcome.delivered[$0]! }
        #expect(infos.map(\.kind) == [.plain, .chunked, .chunked])
        #expect(infos[1].id == chunksB[0].0.id && infos[2].id == chunksA[0].0.id)
        #expect(outcome.bytes[outcome.deliveredOrder[1]] == b)
        #expect(outcome.bytes[outcome.deliveredOrder[2]] == a)
        #expect(infos[1].size == 1001 && infos[1].sha256 == BargeDigest.sha256(of: b))
        #expect(outcome.bytes[outcome.deliveredOrder[0]] == [7, 7] && infos[0].headers.first?.key == "h")
        #expect(state.assemblingCount == 0)
    }

    @Test("a duplicated chunk (producer retry) is dropped; a repeated whole message after completion too")
    func duplicates() throws {
        let data = payload(3000)
        let parts = chunks(data, chunkSize: 1000)
        let order = [parts[0], parts[1], parts[1], parts[0], parts[2], parts[2], parts[1]]
        let records = try order.enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.delivered.count == 1)
        #expect(outcome.bytes[outcome.deliveredOrder[0]] == data)
    }

    @Test("a gap in chunk indexes fails the message with missingChunk; its later chunks are ignored")
    func missingChunk() throws {
        let parts = chunks(payload(4000), chunkSize: 1000)
        let records = try [parts[0], parts[2], parts[3]].enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.failures.map(\.kind) == [.missingChunk])
        #expect(outcome.failures.first?.id == parts[0].0.id)
        #expect(outcome.failures.first?.firstOffset == 0)
    }

    @Test("a reader that starts mid-message reports it once and skips the rest cleanly")
    func startedMidMessage() throws {
        let parts = chunks(payload(4000), chunkSize: 1000)
        let whole = payload(500, seed: 9)
        var records = try parts[2...].enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        records += try chunks(whole, chunkSize: 1000).map { try record(.chunk($0.0), $0.1, at: 2) }
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.startedMidMessage])
        #expect(outcome.delivered.count == 1)
        #expect(outcome.bytes[outcome.deliveredOrder[0]] == whole)
    }

    @Test("an abort record fails the message with the producer's reason")
    func abort() throws {
        let parts = chunks(payload(3000), chunkSize: 1000)
        let records = [
            try record(.chunk(parts[0].0), parts[0].1, at: 0),
            try record(.abort(BargeAbortHeader(id: parts[0].0.id, reason: "disk full")), [], at: 1),
            try record(.chunk(parts[1].0), parts[1].1, at: 2),
        ]
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.aborted])
        #expect(outcome.failures.first?.message.contains("disk full") == true)
        #expect(outcome.delivered.isEmpty)
    }

    @Test("a message whose chunks stop coming expires by offset gap and by idle time, with a typed event")
    func expiry() throws {
        let parts = chunks(payload(3000), chunkSize: 1000)
        var settings = ReassemblyState.Settings()
        settings.expireAfterRecords = 10
        settings.expireAfterIdle = .seconds(60)
        var state = ReassemblyState(settings: settings)
        var outcome = Outcome()
        feed(&state, [try record(.chunk(parts[0].0), parts[0].1, at: 0)], outcome: &outcome)
        let plain = (1...11).map { KafkaConsumerMessage(topicPartition: partition, offset: Int64($0), key: nil, value: [1]) }
        feed(&state, plain, outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.expired])

        let other = chunks(payload(3000, seed: 3), chunkSize: 1000)
        feed(&state, [try record(.chunk(other[0].0), other[0].1, at: 20)], outcome: &outcome)
        outcome.apply(state.expireIdle(now: start + .seconds(59)))
        #expect(outcome.failures.count == 1)
        outcome.apply(state.expireIdle(now: start + .seconds(61)))
        #expect(outcome.failures.map(\.kind) == [.expired, .expired])
        #expect(state.assemblingCount == 0)
    }

    @Test("chunks whose headers lie about the payload fail the message as corrupt, never allocating what they claim", arguments: [
        "digest", "count", "size", "longChunk", "shortChunk",
    ])
    func lyingChunks(lie: String) throws {
        let data = payload(2500)
        var parts = chunks(data, chunkSize: 1000)
        switch lie {
        case "digest": parts[2].0.sha256 = BargeDigest.sha256(of: [1])
        case "count": parts[1].0.count = 4
        case "size": parts[2].0.size = 1 << 40
        case "longChunk": parts[1].1 += [0]
        default: parts[1].1.removeLast()
        }
        let records = try parts.enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, records, outcome: &outcome)
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.failures.map(\.kind) == [.corrupt])
    }

    @Test("records claiming huge sizes are refused before anything is allocated for them")
    func hugeClaims() throws {
        var settings = ReassemblyState.Settings()
        settings.limits.maximumChunkSize = 1 << 20
        var state = ReassemblyState(settings: settings)
        var outcome = Outcome()
        let digest = BargeDigest.sha256(of: [])
        let inline = BargeEnvelope.inline(BargeInlineHeader(id: BargeMessageID(), size: 1 << 40, sha256: digest, codec: .gzip))
        let chunk = BargeEnvelope.chunk(BargeChunkHeader(id: BargeMessageID(), index: 0, count: 1 << 24, isLast: false, size: 1 << 50, sha256: nil, codec: .zstd, chunkSize: 1 << 30))
        feed(&state, [try record(inline, [1, 2, 3], at: 0), try record(chunk, [1, 2, 3], at: 1)], outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.corrupt, .malformedRecord])
        #expect(outcome.failures.first?.message.contains("limit") == true)
        #expect(outcome.delivered.isEmpty && state.assemblingCount == 0)
    }

    @Test("a record with malformed Barge headers is a typed malformedRecord event")
    func malformedRecord() {
        let record = KafkaConsumerMessage(topicPartition: partition, offset: 0, key: nil, value: [1], headers: [
            KafkaHeader(key: "barge.v", string: "1"), KafkaHeader(key: "barge.kind", string: "chunk"),
            KafkaHeader(key: "barge.id", string: "0123456789abcdef0123456789abcdef"), KafkaHeader(key: "barge.index", string: "-1"),
        ])
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, [record], outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.malformedRecord])
    }

    /// Headers of a chunk of message `id` at `index`, broken by `field` = `value`.
    func brokenChunk(id: BargeMessageID, at offset: Int64, field: String, value: String) -> KafkaConsumerMessage {
        var headers = [
            KafkaHeader(key: "barge.v", string: "1"), KafkaHeader(key: "barge.kind", string: "chunk"),
            KafkaHeader(key: "barge.id", string: id.text), KafkaHeader(key: "barge.index", string: "1"),
            KafkaHeader(key: "barge.codec", string: "none"),
        ]
        headers.removeAll { $0.key == field }
        headers.append(KafkaHeader(key: field, string: value))
        return KafkaConsumerMessage(topicPartition: partition, offset: offset, key: nil, value: [1, 2], headers: headers)
    }

    @Test("a malformed chunk after good ones fails its open message at once, with its id; later messages are not held up", arguments: [
        ("barge.index", "01"), ("barge.index", "9223372036854775808"), ("barge.index", "99999999"), ("barge.count", "0"),
        ("barge.codec", "brotli"), ("barge.last", "yes"),
    ])
    func malformedChunkFailsItsMessage(field: String, value: String) throws {
        for delivery in [BargeDelivery.whenComplete, .progressive] {
            let id = BargeMessageID()
            let parts = chunks(payload(3000), chunkSize: 1000, id: id)
            var state = ReassemblyState(settings: .init(delivery: delivery))
            var outcome = Outcome()
            feed(&state, [try record(.chunk(parts[0].0), parts[0].1, at: 0), brokenChunk(id: id, at: 1, field: field, value: value)], outcome: &outcome)
            let failures = outcome.failures + outcome.silentFailures
            #expect(failures.map(\.kind) == [.malformedRecord], "\(field)=\(value) \(delivery)")
            #expect(failures.first?.id == id && failures.first?.firstOffset == 0 && failures.first?.lastOffset == 1)
            #expect(state.assemblingCount == 0)
            // The rest of the message is ignored; the next message comes through and commits pass everything.
            let next = payload(5)
            let inline = BargeEnvelope.inline(BargeInlineHeader(id: BargeMessageID(), size: 5, sha256: BargeDigest.sha256(of: next), codec: .none))
            feed(&state, [try record(.chunk(parts[2].0), parts[2].1, at: 2), try record(inline, next, at: 3)], outcome: &outcome)
            #expect(outcome.delivered.values.contains { $0.offset == 3 })
            #expect(outcome.failures.count + outcome.silentFailures.count == 1)
            for token in 0...10 { state.acknowledge(token) }
            #expect(state.commitOffsets().first?.offset == 4)
        }
    }

    @Test("a malformed record that names no open message is reported with the id it names, if valid")
    func malformedRecordKeepsItsID() {
        let id = BargeMessageID()
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, [brokenChunk(id: id, at: 4, field: "barge.index", value: "x")], outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.malformedRecord])
        #expect(outcome.failures.first?.id == id)
    }

    @Test("a held item (the consumer stopped at it) never lets commits pass, even once acknowledged")
    func heldItem() throws {
        let record = KafkaConsumerMessage(topicPartition: partition, offset: 3, key: nil, value: [1], headers: [KafkaHeader(key: "barge.v", string: "7")])
        var state = ReassemblyState(settings: .init())
        var failed: Int?
        for action in state.receive(record, now: start) {
            if case .fail(let token, _, _, let blamed) = action {
                failed = token
                #expect(blamed?.offset == 3)
            }
        }
        let token = try #require(failed)
        state.hold(token)
        state.acknowledge(token)
        #expect(state.commitOffsets().first?.offset == 3)
    }

    @Test("progressive delivery hands the message over at its first chunk and seals it at the last")
    func progressive() throws {
        let data = payload(2500)
        let records = try chunks(data, chunkSize: 1000).enumerated().map { try record(.chunk($0.element.0), $0.element.1, at: Int64($0.offset)) }
        var state = ReassemblyState(settings: .init(delivery: .progressive))
        var outcome = Outcome()
        feed(&state, [records[0]], outcome: &outcome)
        #expect(outcome.delivered.count == 1 && outcome.sealed.isEmpty)
        feed(&state, Array(records[1...]), outcome: &outcome)
        #expect(outcome.delivered.count == 1 && outcome.sealed.count == 1)
        #expect(outcome.bytes.values.first == data)
    }

    @Test("commits stop at the first chunk of a message in progress and name what above it was handled; after a restart nothing handled comes again")
    func safeOffsetsAndRestart() throws {
        // offsets: 0 A0, 1 B0, 2 plain, 3 B1(last), 4 A1, 5 C0, 6 A2(last)
        let a = chunks(payload(2500, seed: 1), chunkSize: 1000)
        let b = chunks(payload(1500, seed: 2), chunkSize: 1000)
        let c = chunks(payload(1500, seed: 3), chunkSize: 1000)
        let records = [
            try record(.chunk(a[0].0), a[0].1, at: 0), try record(.chunk(b[0].0), b[0].1, at: 1),
            KafkaConsumerMessage(topicPartition: partition, offset: 2, key: nil, value: [5]),
            try record(.chunk(b[1].0), b[1].1, at: 3), try record(.chunk(a[1].0), a[1].1, at: 4),
            try record(.chunk(c[0].0), c[0].1, at: 5), try record(.chunk(a[2].0), a[2].1, at: 6),
        ]
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, Array(records[0...4]), outcome: &outcome)
        // Handed out: the plain record and B; both acknowledged.
        #expect(outcome.deliveredOrder.count == 2)
        for token in outcome.deliveredOrder { state.acknowledge(token) }
        let commit = try #require(state.commitOffsets().first)
        #expect(commit.offset == 0)
        #expect(CommitMetadata(text: commit.metadata, committed: 0) == CommitMetadata(readPosition: 5, handled: [1, 2]))

        // Crash; a new reader restores from the commit and reads from offset 0 again.
        var restarted = ReassemblyState(settings: .init())
        restarted.restore(partition, committed: commit, firstOffset: 0)
        var again = Outcome()
        feed(&restarted, records, outcome: &again)
        #expect(again.failures.isEmpty)
        #expect(again.deliveredOrder.map { again.delivered[$0]!.id } == [a[0].0.id])
        #expect(again.bytes[again.deliveredOrder[0]] == payload(2500, seed: 1))
        for token in again.deliveredOrder { restarted.acknowledge(token) }
        let next = try #require(restarted.commitOffsets().first)
        #expect(next.offset == 5)
        #expect(CommitMetadata(text: next.metadata, committed: 5) == CommitMetadata(readPosition: 7, handled: []))
    }

    @Test("after a restart that does not resume at the committed offset, chunks of an unfinished message are reported, not dropped")
    func restartElsewhere() throws {
        // Committed at 5 (message N in progress from 5), read up to 12; reading restarts at 6.
        let n = chunks(payload(3000, seed: 4), chunkSize: 1000)
        let commit = KafkaPartitionOffset(partition, offset: 5, metadata: CommitMetadata(readPosition: 12, handled: []).text(committed: 5))
        var state = ReassemblyState(settings: .init())
        state.restore(partition, committed: commit, firstOffset: 6)
        var outcome = Outcome()
        feed(&state, [try record(.chunk(n[1].0), n[1].1, at: 6), try record(.chunk(n[2].0), n[2].1, at: 7)], outcome: &outcome)
        #expect(outcome.failures.map(\.kind) == [.startedMidMessage])
    }

    @Test("a message handed out but not acknowledged holds the commit back")
    func unacknowledged() throws {
        let data = payload(10)
        let inline = BargeEnvelope.inline(BargeInlineHeader(id: BargeMessageID(), size: 10, sha256: BargeDigest.sha256(of: data), codec: .none))
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, [try record(inline, data, at: 7)], outcome: &outcome)
        #expect(outcome.bytes.values.first == data)
        #expect(state.commitOffsets().first?.offset == 7)
        state.acknowledge(outcome.deliveredOrder[0])
        #expect(state.commitOffsets().first?.offset == 8)
    }

    @Test("revoking a partition discards its messages in progress")
    func revoke() throws {
        let parts = chunks(payload(3000), chunkSize: 1000)
        var state = ReassemblyState(settings: .init())
        var outcome = Outcome()
        feed(&state, [try record(.chunk(parts[0].0), parts[0].1, at: 0)], outcome: &outcome)
        outcome.apply(state.drop([partition]))
        #expect(outcome.discarded.count == 1)
        #expect(state.assemblingCount == 0)
        #expect(state.needsRestore(partition))
    }

    @Test("commit metadata round-trips and rejects text that is not Barge's")
    func metadata() {
        let metadata = CommitMetadata(readPosition: 142, handled: [117, 103])
        let text = metadata.text(committed: 100)
        #expect(text == "barge:1:42:3,17")
        #expect(CommitMetadata(text: text, committed: 100) == CommitMetadata(readPosition: 142, handled: [103, 117]))
        for bad in [nil, "", "other", "barge:1:x:1", "barge:1:5:9", "barge:1:-1:", "barge:1:5:1:2", "barge:2:5:1"] {
            #expect(CommitMetadata(text: bad, committed: 0) == nil)
        }
        #expect(CommitMetadata(readPosition: 100_000, handled: Array(0..<2000)).text(committed: 0) == nil)
    }
}
