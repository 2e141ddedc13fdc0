@testable import KafkaLog
import FileIO
import KafkaProtocol
import NIOCore
import Testing

@Suite struct TieredLogTests {
    /// A tiered log of 20 two-record batches in segments of three batches.
    private func tieredLog(_ directory: String, _ configure: (inout LogConfig) -> Void = { _ in }) throws -> PartitionLog {
        let size = try makeBatch(count: 2).header.totalSize
        let log = try openLog(directory) { config in
            config.segmentBytes = 3 * size
            config.remoteStorageEnable = true
            config.localRetentionMs = 0
            configure(&config)
        }
        for index in 0..<20 { _ = try log.append([try makeBatch(count: 2, seed: UInt8(index))], now: 1_000) }
        // Only segments forced to disk are handed out for copying.
        try log.flush()
        return log
    }

    @Test("closed segments are handed out for copying once on disk, never the active one")
    func closedSegmentsForCopy() throws {
        try withTemporaryDirectory { directory in
            let unflushed = try openLog(directory + "/unflushed") { $0.segmentBytes = 3 * (try! makeBatch(count: 2)).header.totalSize }
            for _ in 0..<20 { _ = try unflushed.append([try makeBatch(count: 2)], now: 1_000) }
            try unflushed.close()
            let reopened = try openLog(directory + "/unflushed") { $0.segmentBytes = 3 * (try! makeBatch(count: 2)).header.totalSize }
            #expect(try reopened.closedSegments(from: 0, limit: 100).map { (segment) -> Int64 in
                defer { segment.close() }
                return segment.baseOffset
            }.count == 6, "after a clean close every closed segment is on disk")
            try reopened.close()
            let log = try tieredLog(directory)
            let segments = try log.closedSegments(from: 0, limit: 100)
            defer { segments.forEach { $0.close() } }
            #expect(segments.map(\.baseOffset) == [0, 6, 12, 18, 24, 30])
            #expect(segments.map(\.endOffset) == [6, 12, 18, 24, 30, 36])
            #expect(segments.allSatisfy { $0.offsetIndex.readableBytes % 8 == 0 && $0.timeIndex.readableBytes % 12 == 0 })
            let first = segments[0]
            let bytes = try first.read(count: first.size, at: 0)
            #expect(bytes.readableBytes == first.size)
            #expect(try RecordBatch.split(bytes).count == 3)
            #expect(try log.closedSegments(from: 13, limit: 2).map { (segment) -> Int64 in
                defer { segment.close() }
                return segment.baseOffset
            } == [12, 18], "from the segment holding the offset")
            #expect(try log.closedSegments(from: 18, limit: 2).map { (segment) -> Int64 in
                defer { segment.close() }
                return segment.baseOffset
            } == [18, 24], "a segment ending at the offset is not handed out")
            try log.close()
        }
    }

    @Test("after DeleteRecords into a segment not yet copied, copying starts with that segment, so local retention cannot skip it")
    func copyAfterDeleteRecordsInsideASegment() throws {
        try withTemporaryDirectory { directory in
            let log = try tieredLog(directory)
            try log.deleteRecords(before: 8)
            #expect(log.localLogStartOffset == 8)
            let segments = try log.closedSegments(from: log.localLogStartOffset, limit: 1)
            defer { segments.forEach { $0.close() } }
            #expect(segments.map(\.baseOffset) == [6], "the segment holding the log start offset comes first")
            try log.close()
        }
    }

    @Test("local retention deletes only copied segments, and the log still starts at 0, across a reopen")
    func localRetentionKeepsTheLogStart() throws {
        try withTemporaryDirectory { directory in
            let log = try tieredLog(directory)
            #expect(try log.applyRetention(now: 10_000) == 0, "nothing is copied yet: nothing may go")
            log.markCopied(through: 12)
            #expect(try log.applyRetention(now: 10_000) == 2)
            #expect(log.logStartOffset == 0)
            #expect(log.localLogStartOffset == 12)
            #expect(throws: LogError.self) { _ = try log.read(from: 0, maxBytes: 1000, minOneBatch: true) }
            do {
                _ = try log.read(from: 11, maxBytes: 1000, minOneBatch: true)
                Issue.record("a remote offset must not be read locally")
            } catch let error as LogError {
                #expect(error.kind == .offsetMovedToTieredStorage)
            }
            #expect(try readHeaders(log, from: 12).first?.baseOffset == 12)
            try log.close()

            let reopened = try openLog(directory) { $0.remoteStorageEnable = true }
            #expect(reopened.logStartOffset == 0, "a tiered log starts in the remote tier after a reopen")
            #expect(reopened.localLogStartOffset == 12)
            try reopened.advanceStartOffset(to: 14)
            #expect(reopened.logStartOffset == 14)
            #expect(reopened.localLogStartOffset == 14)
            try reopened.close()
        }
    }

    @Test("turning remote storage off moves the log start to the first local offset")
    func disablingRemoteStorage() throws {
        try withTemporaryDirectory { directory in
            let log = try tieredLog(directory)
            log.markCopied(through: 12)
            try log.applyRetention(now: 10_000)
            var config = log.config
            config.remoteStorageEnable = false
            log.updateConfig(config)
            #expect(log.logStartOffset == 12)
            #expect(log.remoteEndOffset == nil)
            try log.close()
        }
    }

    @Test("an idle active segment rolls by segment.ms so that it can be copied")
    func rollIfIdle() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.segmentMs = 100 }
            _ = try log.append([try makeBatch()], now: 1_000)
            #expect(try log.rollIfIdle(now: 1_050) == false)
            #expect(try log.rollIfIdle(now: 1_200))
            try log.flush()
            #expect(try log.closedSegments(from: 0, limit: 5).map { (segment) -> Int64 in
                defer { segment.close() }
                return segment.endOffset
            } == [1])
            try log.close()
        }
    }

    @Test("a remote segment view reads from chunk files exactly what the local segment holds, and asks for missing chunks")
    func remoteSegmentView() throws {
        try withTemporaryDirectory { directory in
            let log = try tieredLog(directory + "/log") { $0.indexIntervalBytes = 0 }
            let segment = try #require(try log.closedSegments(from: 0, limit: 1).first)
            defer { segment.close() }
            let cache = directory + "/cache"
            try PosixFileSystem().makeDirectories(cache)
            let chunkSize = 100
            let all = Array(try segment.read(count: segment.size, at: 0).readableBytesView)
            for (index, start) in stride(from: 0, to: all.count, by: chunkSize).enumerated() {
                try overwrite("\(cache)/\(index).chunk", at: 0, with: Array(all[start..<min(start + chunkSize, all.count)]))
            }
            try overwrite("\(cache)/index", at: 0, with: Array(segment.offsetIndex.readableBytesView))
            try overwrite("\(cache)/timeindex", at: 0, with: Array(segment.timeIndex.readableBytesView))
            var present = Set(0..<((all.count + chunkSize - 1) / chunkSize))
            let makeView = {
                try RemoteSegmentView(baseOffset: 0, size: segment.size, chunkSize: chunkSize, offsetIndexPath: "\(cache)/index",
                                      timeIndexPath: "\(cache)/timeindex") { chunk in
                    present.contains(chunk) ? RemoteSegmentView.ChunkLocation.path("\(cache)/\(chunk).chunk") : nil
                }
            }
            let view = try makeView()
            for offset: Int64 in [0, 1, 2, 3, 5] {
                let remote = try readBytes(try view.read(from: offset, maxBytes: 10_000, minOneBatch: true).records)
                let local = try readBytes(try log.read(from: offset, maxBytes: segment.size, minOneBatch: true).records)
                #expect(remote == Array(local.prefix(remote.count)))
                #expect(!remote.isEmpty)
            }
            let one = try readBytes(try view.read(from: 2, maxBytes: 1, minOneBatch: true).records)
            #expect(try RecordBatch.split(ByteBuffer(bytes: one)).map(\.header.baseOffset) == [2], "the first batch anyway")
            #expect(try view.read(from: 2, maxBytes: 1, minOneBatch: false).records.byteCount == 0)
            let found = try #require(try view.offset(forTimestamp: 1_001, atOrAfter: 0))
            #expect(found.offset == 1 && found.timestamp == 1_001)
            view.close()

            // The chunks at their positions in one file, as a file-system remote tier holds a plain segment.
            try overwrite("\(cache)/object", at: 0, with: all)
            let whole = try RemoteSegmentView(baseOffset: 0, size: segment.size, chunkSize: chunkSize, offsetIndexPath: "\(cache)/index",
                                              timeIndexPath: "\(cache)/timeindex") { chunk in
                (try? PosixFileSystem().open("\(cache)/object", mode: .read)).map { .open($0, offset: chunk * chunkSize) }
            }
            let fromObject = try readBytes(try whole.read(from: 3, maxBytes: 10_000, minOneBatch: true).records)
            let local = try readBytes(try log.read(from: 3, maxBytes: segment.size, minOneBatch: true).records)
            #expect(fromObject == Array(local.prefix(fromObject.count)) && !fromObject.isEmpty)
            whole.close()

            present.remove(1)
            let partial = try makeView()
            defer { partial.close() }
            do {
                _ = try partial.read(from: 2, maxBytes: 10_000, minOneBatch: true)
                Issue.record("a missing chunk must be asked for")
            } catch let error as LogError {
                #expect(error.kind == .remoteChunkMissing)
                #expect(error.missingChunk == 1)
            }
            try log.close()
        }
    }
}
