@testable import BargeBroker
import Foundation
import Testing

@Suite("Committed offset store: operations")
struct CommittedOffsetStoreTests {
    @Test("commit then fetch returns offsets, leader epochs and metadata byte for byte")
    func roundTrip() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            let unicode = "héllo ✓ 日本語 🎉\u{0}\n"
            try store.commit(
                group: "g",
                offsets: [
                    TP("t", 0): OffsetAndMetadata(offset: 42, leaderEpoch: 7, metadata: unicode),
                    TP("t", 1): OffsetAndMetadata(offset: 0, leaderEpoch: -1, metadata: ""),
                    TP("ü", 2): OffsetAndMetadata(offset: Int64.max, leaderEpoch: Int32.max, metadata: nil),
                ],
                now: 1_000)
            let all = store.fetch(group: "g")
            #expect(all.count == 3)
            #expect(all[TP("t", 0)] == CommittedOffset(offset: 42, leaderEpoch: 7, metadata: unicode, commitTimestamp: 1_000))
            #expect(Array(all[TP("t", 0)]!.metadata!.utf8) == Array(unicode.utf8))
            #expect(all[TP("t", 1)]?.metadata == "")
            #expect(all[TP("t", 1)]?.leaderEpoch == -1)
            #expect(all[TP("ü", 2)]?.metadata == nil)
            #expect(all[TP("ü", 2)]?.offset == Int64.max)

            let some = store.fetch(group: "g", partitions: [TP("t", 1), TP("t", 9), TP("other", 0)])
            #expect(some == [TP("t", 1): all[TP("t", 1)]!])
            #expect(store.fetch(group: "unknown").isEmpty)
            #expect(store.groups == ["g"])

            // A later commit replaces only the partitions it names.
            try store.commit(group: "g", offsets: [TP("t", 0): OffsetAndMetadata(offset: 50, metadata: nil)], now: 2_000)
            #expect(store.fetch(group: "g")[TP("t", 0)] == CommittedOffset(offset: 50, leaderEpoch: -1, metadata: nil, commitTimestamp: 2_000))
            #expect(store.fetch(group: "g")[TP("t", 1)]?.commitTimestamp == 1_000)
        }
    }

    @Test("reopening after close keeps every group's offsets")
    func reopen() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            for round in 0..<5 {
                for group in ["a", "b", "c"] {
                    try store.commit(
                        group: group,
                        offsets: [
                            TP("t", Int32(round % 2)): OffsetAndMetadata(offset: Int64(round), leaderEpoch: Int32(round), metadata: "\(group)\(round)")
                        ],
                        now: Int64(round))
                }
            }
            let before = store.everything
            store.close()
            #expect(throws: OffsetStoreError.self) { try store.commit(group: "a", offsets: [TP("t", 0): .init(offset: 1)], now: 0) }

            let reopened = try CommittedOffsetStore.open(directory)
            #expect(reopened.everything == before)
            #expect(reopened.groups == ["a", "b", "c"])
            #expect(reopened.fetch(group: "a")[TP("t", 0)] == CommittedOffset(offset: 4, leaderEpoch: 4, metadata: "a4", commitTimestamp: 4))
            #expect(reopened.fetch(group: "a")[TP("t", 1)] == CommittedOffset(offset: 3, leaderEpoch: 3, metadata: "a3", commitTimestamp: 3))
        }
    }

    @Test("deleteGroup, deleteOffsets and removeTopic take effect and persist across reopen")
    func deletes() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            let offsets: [TP: OffsetAndMetadata] = [
                TP("keep", 0): .init(offset: 1), TP("keep", 1): .init(offset: 2),
                TP("doomed", 0): .init(offset: 3), TP("doomed", 1): .init(offset: 4),
            ]
            for group in ["g1", "g2", "g3"] { try store.commit(group: group, offsets: offsets, now: 10) }
            try store.commit(group: "only-doomed", offsets: [TP("doomed", 0): .init(offset: 5)], now: 10)

            #expect(try store.deleteGroup("g2"))
            #expect(try !store.deleteGroup("g2"))
            #expect(try store.deleteOffsets(group: "g1", partitions: [TP("keep", 1), TP("absent", 0)]) == [TP("keep", 1)])
            #expect(try store.removeTopic("doomed") == ["g1", "g3", "only-doomed"])
            #expect(try store.removeTopic("doomed").isEmpty)

            let expected: [String: [TP: CommittedOffset]] = [
                "g1": [TP("keep", 0): CommittedOffset(offset: 1, leaderEpoch: -1, metadata: "", commitTimestamp: 10)],
                "g3": [
                    TP("keep", 0): CommittedOffset(offset: 1, leaderEpoch: -1, metadata: "", commitTimestamp: 10),
                    TP("keep", 1): CommittedOffset(offset: 2, leaderEpoch: -1, metadata: "", commitTimestamp: 10),
                ],
            ]
            #expect(store.everything == expected)
            #expect(store.groups == ["g1", "g3"])
            store.close()
            #expect(try CommittedOffsetStore.open(directory).everything == expected)
        }
    }

    @Test("expiry removes only offsets of empty groups, and only once the retention has passed")
    func expiry() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            let retention: Int64 = 1_000
            try store.commit(group: "empty", offsets: [TP("t", 0): .init(offset: 1)], now: 0)
            try store.commit(group: "empty", offsets: [TP("t", 1): .init(offset: 2)], now: 1)
            try store.commit(group: "empty", offsets: [TP("t", 2): .init(offset: 3)], now: 500)
            try store.commit(group: "busy", offsets: [TP("t", 0): .init(offset: 4)], now: 0)
            try store.commit(group: "empty-later", offsets: [TP("t", 0): .init(offset: 5)], now: 0)

            // At 1000: exactly the retention for the offset committed at 0, one ms short for the one at 1.
            let expired = try store.expire(olderThan: retention, now: 1_000) { $0 != "busy" }
            #expect(expired == ["empty": [TP("t", 0)], "empty-later": [TP("t", 0)]])
            #expect(Set(store.fetch(group: "empty").keys) == [TP("t", 1), TP("t", 2)])
            #expect(store.fetch(group: "busy").count == 1)
            #expect(store.groups == ["busy", "empty"])

            // A group that became empty recently keeps old offsets (KIP-211).
            try store.commit(group: "left", offsets: [TP("t", 0): .init(offset: 6)], now: 0)
            let none = try store.expire(olderThan: retention, now: 1_400) { $0 == "left" ? 900 : nil }
            #expect(none.isEmpty)
            #expect(store.fetch(group: "left").count == 1)
            #expect(try store.expire(olderThan: retention, now: 1_900) { $0 == "left" ? 900 : nil } == ["left": [TP("t", 0)]])

            store.close()
            let reopened = try CommittedOffsetStore.open(directory)
            #expect(reopened.groups == ["busy", "empty"])
            #expect(Set(reopened.fetch(group: "empty").keys) == [TP("t", 1), TP("t", 2)])
            // Later everything of the empty group goes, the busy group's offset stays.
            #expect(try reopened.expire(olderThan: retention, now: 100_000) { $0 != "busy" } == ["empty": [TP("t", 1), TP("t", 2)]])
            #expect(reopened.groups == ["busy"])
        }
    }

    @Test("metadata longer than offset.metadata.max.bytes is refused and nothing of the batch is stored")
    func oversizedMetadata() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            let sizeBefore = try fileBytes(offsetsFile(directory)).count
            // 2049 two-byte characters: 4098 bytes, though only 2049 characters.
            let tooLong = String(repeating: "é", count: 2049)
            let error = #expect(throws: OffsetStoreError.self) {
                try store.commit(
                    group: "g",
                    offsets: [TP("t", 0): .init(offset: 1, metadata: "fine"), TP("t", 1): .init(offset: 2, metadata: tooLong)],
                    now: 0)
            }
            #expect(error?.kind == .metadataTooLarge)
            #expect(error?.kafkaErrorCode == 12)
            #expect(error?.message.contains("4098") == true)
            #expect(store.groups.isEmpty)
            #expect(try fileBytes(offsetsFile(directory)).count == sizeBefore)

            let longest = String(repeating: "x", count: 4096)
            try store.commit(group: "g", offsets: [TP("t", 0): .init(offset: 1, metadata: longest)], now: 0)
            #expect(store.fetch(group: "g")[TP("t", 0)]?.metadata == longest)
            store.close()
            #expect(try CommittedOffsetStore.open(directory).fetch(group: "g")[TP("t", 0)]?.metadata == longest)
        }
    }

    @Test("a group id too long for the format is refused and nothing is stored")
    func nameTooLong() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory)
            let error = #expect(throws: OffsetStoreError.self) {
                try store.commit(group: String(repeating: "g", count: 70_000), offsets: [TP("t", 0): .init(offset: 1)], now: 0)
            }
            #expect(error?.kind == .nameTooLong)
            #expect(store.groups.isEmpty)
            try store.commit(group: "g", offsets: [TP("t", 0): .init(offset: 1)], now: 0)
            store.close()
            #expect(try CommittedOffsetStore.open(directory).groups == ["g"])
        }
    }

    @Test("concurrent commits from several threads are all kept")
    func concurrentCommits() throws {
        try withOffsetStoreDirectory { directory in
            // Compaction on: it runs in the middle of the commits.
            let store = try CommittedOffsetStore.open(directory, compactionMinimumBytes: 2_048)
            let threads = 8
            let commits = 40
            let failures = NSLock()
            nonisolated(unsafe) var errors: [any Error] = []
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for index in 0..<commits {
                    do {
                        try store.commit(
                            group: "g\(thread % 3)",
                            offsets: [
                                TP("t", Int32(thread)): .init(offset: Int64(index), metadata: "\(thread)/\(index)"),
                                TP("u\(thread)", Int32(index)): .init(offset: Int64(index)),
                            ],
                            now: Int64(index))
                    } catch {
                        failures.withLock { errors.append(error) }
                    }
                }
            }
            #expect(errors.isEmpty)
            func check(_ store: CommittedOffsetStore) {
                for thread in 0..<threads {
                    let offsets = store.fetch(group: "g\(thread % 3)")
                    #expect(offsets[TP("t", Int32(thread))]?.offset == Int64(commits - 1))
                    #expect(offsets[TP("t", Int32(thread))]?.metadata == "\(thread)/\(commits - 1)")
                    for index in 0..<commits {
                        #expect(offsets[TP("u\(thread)", Int32(index))]?.offset == Int64(index))
                    }
                }
                #expect(store.everything.values.map(\.count).reduce(0, +) == threads * (commits + 1))
            }
            check(store)
            store.close()
            check(try CommittedOffsetStore.open(directory))
        }
    }
}
