@testable import BargeBroker
import Foundation
import Testing

@Suite("Committed offset store: recovery and compaction")
struct CommittedOffsetStoreRecoveryTests {
    /// Two commits; returns the file size after the first, the state after it, and the final size.
    private func writeTwoCommits(_ directory: String) throws -> (firstEnd: Int, first: [String: [TP: CommittedOffset]], end: Int) {
        let store = try CommittedOffsetStore.open(directory)
        try store.commit(
            group: "g",
            offsets: [TP("t", 0): .init(offset: 10, leaderEpoch: 1, metadata: "première"), TP("t", 1): .init(offset: 11, metadata: nil)],
            now: 100)
        try store.commit(group: "h", offsets: [TP("t", 0): .init(offset: 12)], now: 100)
        let first = store.everything
        let firstEnd = store.sizes.file
        // The last record: a batch that changes one partition and adds another, in two groups' worth of bytes.
        try store.commit(
            group: "g",
            offsets: [TP("t", 0): .init(offset: 20, leaderEpoch: 2, metadata: "seconde"), TP("t", 2): .init(offset: 22, metadata: "")],
            now: 200)
        let end = store.sizes.file
        store.close()
        #expect(try fileBytes(offsetsFile(directory)).count == end)
        return (firstEnd, first, end)
    }

    @Test("a log cut at every byte of its last record keeps all earlier commits and drops the torn one")
    func tornTail() throws {
        try withOffsetStoreDirectory { directory in
            let (firstEnd, first, end) = try writeTwoCommits(directory)
            let path = offsetsFile(directory)
            let whole = try fileBytes(path)
            #expect(end - firstEnd > 50)
            for cut in firstEnd..<end {
                try writeFileBytes(Array(whole[..<cut]), path)
                let capture = LogCapture()
                let store = try CommittedOffsetStore.open(directory, logger: capture.logger)
                #expect(store.everything == first, "cut at \(cut)")
                #expect(try fileBytes(path).count == firstEnd, "the torn tail is cut off (cut at \(cut))")
                #expect(capture.warnings.count == (cut == firstEnd ? 0 : 1), "cut at \(cut)")
                // The store appends after the cut, and that commit survives a reopen.
                try store.commit(group: "h", offsets: [TP("t", 9): .init(offset: Int64(cut))], now: 300)
                store.close()
                let again = try CommittedOffsetStore.open(directory)
                #expect(again.fetch(group: "h")[TP("t", 9)]?.offset == Int64(cut))
                #expect(again.fetch(group: "g") == first["g"])
                again.close()
            }
            // The whole file keeps the last commit.
            try writeFileBytes(whole, path)
            let store = try CommittedOffsetStore.open(directory)
            #expect(store.fetch(group: "g")[TP("t", 0)]?.offset == 20)
            #expect(store.fetch(group: "g")[TP("t", 2)]?.metadata == "")
        }
    }

    @Test("a flipped byte anywhere in the last record is detected and that record dropped")
    func flippedByte() throws {
        try withOffsetStoreDirectory { directory in
            let (firstEnd, first, end) = try writeTwoCommits(directory)
            let path = offsetsFile(directory)
            let whole = try fileBytes(path)
            for position in firstEnd..<end {
                var bytes = whole
                bytes[position] ^= 0x20
                try writeFileBytes(bytes, path)
                let capture = LogCapture()
                let store = try CommittedOffsetStore.open(directory, logger: capture.logger)
                #expect(store.everything == first, "flipped byte \(position)")
                #expect(capture.warnings.count == 1, "flipped byte \(position)")
                #expect(try fileBytes(path).count == firstEnd, "flipped byte \(position)")
                store.close()
            }
        }
    }

    @Test("a file with a foreign header is refused and left alone")
    func foreignHeader() throws {
        try withOffsetStoreDirectory { directory in
            _ = try writeTwoCommits(directory)
            let path = offsetsFile(directory)
            var bytes = try fileBytes(path)
            bytes[0] = UInt8(ascii: "X")
            try writeFileBytes(bytes, path)
            let error = #expect(throws: OffsetStoreError.self) { try CommittedOffsetStore.open(directory) }
            #expect(error?.kind == .corrupt)
            #expect(try fileBytes(path) == bytes)
        }
    }

    @Test("compaction keeps exactly the live offsets, bounds the file, and survives reopen")
    func compaction() throws {
        try withOffsetStoreDirectory { directory in
            let store = try CommittedOffsetStore.open(directory, compactionMinimumBytes: 1_024)
            var largest = 0
            for round in 0..<500 {
                try store.commit(
                    group: "g\(round % 4)",
                    offsets: [TP("t", Int32(round % 3)): .init(offset: Int64(round), leaderEpoch: Int32(round % 5), metadata: "m\(round)")],
                    now: Int64(round))
                largest = max(largest, store.sizes.file)
            }
            try store.commit(group: "gone", offsets: [TP("t", 0): .init(offset: 1)], now: 0)
            try store.commit(group: "g0", offsets: [TP("deleted", 0): .init(offset: 1)], now: 0)
            try store.deleteGroup("gone")
            try store.removeTopic("deleted")
            try store.deleteOffsets(group: "g1", partitions: [TP("t", 1)])

            // Automatic compaction held the file near four times the live size.
            let live = store.sizes.compacted
            #expect(largest <= 4 * live + 200, "largest \(largest), live \(live)")
            #expect(try fileBytes(offsetsFile(directory)).count == store.sizes.file)

            let before = store.everything
            #expect(before.keys.sorted() == ["g0", "g1", "g2", "g3"])
            #expect(before.values.map(\.count).reduce(0, +) == 11)
            #expect(before["g3"]?[TP("t", 2)] == CommittedOffset(offset: 491, leaderEpoch: 1, metadata: "m491", commitTimestamp: 491))
            try store.compact()
            // After compaction the file is exactly the live set: its size matches the accounting.
            #expect(store.sizes.file == store.sizes.compacted)
            #expect(try fileBytes(offsetsFile(directory)).count == store.sizes.compacted)
            #expect(store.everything == before)
            #expect(!FileManager.default.fileExists(atPath: offsetsFile(directory) + ".tmp"))
            // Changes after compaction go to the new file.
            try store.commit(group: "g9", offsets: [TP("t", 0): .init(offset: 9)], now: 9)
            let after = store.everything
            store.close()
            let reopened = try CommittedOffsetStore.open(directory)
            #expect(reopened.everything == after)
            #expect(reopened.fetch(group: "gone").isEmpty)
            #expect(reopened.fetch(group: "g0")[TP("deleted", 0)] == nil)
        }
    }

    @Test("a leftover temporary file of an interrupted compaction is ignored and removed")
    func interruptedCompaction() throws {
        try withOffsetStoreDirectory { directory in
            let (_, _, _) = try writeTwoCommits(directory)
            let expected = try CommittedOffsetStore.open(directory).everything
            let temporary = offsetsFile(directory) + ".tmp"
            try writeFileBytes(Array("BRGOFS".utf8) + [0, 1, 0, 0], temporary)
            let store = try CommittedOffsetStore.open(directory)
            #expect(store.everything == expected)
            #expect(!FileManager.default.fileExists(atPath: temporary))
        }
    }
}
