@testable import BargeBroker
import FileIO
import Foundation
import Logging
import NIOCore
import Testing

/// The transaction coordinator's state log: records round-trip, a torn or
/// corrupt tail is cut off, a foreign file is refused, compaction keeps the
/// newest record of each id.
@Suite("Transaction state store")
struct TransactionStateStoreTests {
    let quiet = Logger(label: "barge.test", factory: { _ in SwiftLogNoOpLogHandler() })

    func metadata(_ id: String, epoch: Int16 = 0, state: TransactionState = .ongoing) -> TransactionMetadata {
        var value = TransactionMetadata(transactionalId: id, producerId: 7, producerEpoch: epoch, timeoutMs: 60_000, state: state,
                                        startTimestamp: 1_000, lastUpdateTimestamp: 2_000)
        value.partitions = [.init("orders", 0), .init("orders", 3), .init("caf\u{e9}", 1)]
        value.groups = ["pipeline", ""]
        value.pendingOffsets = ["pipeline": [.init("orders", 0): OffsetAndMetadata(offset: 42, leaderEpoch: 3, metadata: nil),
                                             .init("orders", 3): OffsetAndMetadata(offset: 9, metadata: "r\u{e9}sum\u{e9}")]]
        return value
    }

    func store(_ directory: String, compactionMinimumBytes: Int = 1 << 20) throws -> TransactionStateStore {
        try TransactionStateStore(dataDirectory: directory, compactionMinimumBytes: compactionMinimumBytes, logger: quiet, fileSystem: PosixFileSystem())
    }

    var logPath: (String) -> String { { $0 + "/__transaction_state/transactions.log" } }

    @Test("a record of every field round-trips, and bodies that are cut or of another type do not decode")
    func format() throws {
        let record = TransactionLogFormat.Record.metadata(metadata("tx"))
        let body = TransactionLogFormat.encode(record)
        #expect(TransactionLogFormat.decode(body) == record)
        #expect(TransactionLogFormat.decode(TransactionLogFormat.encode(.removed("tx"))) == .removed("tx"))
        for cut in 0..<body.readableBytes {
            #expect(TransactionLogFormat.decode(body.getSlice(at: 0, length: cut)!) == nil, "cut at \(cut)")
        }
        var longer = body
        longer.writeInteger(UInt8(0))
        #expect(TransactionLogFormat.decode(longer) == nil, "trailing bytes")
        var otherType = body
        otherType.setInteger(UInt8(9), at: 0)
        #expect(TransactionLogFormat.decode(otherType) == nil)
        var badState = TransactionLogFormat.encode(.metadata(metadata("x")))
        badState.setInteger(UInt8(200), at: 1 + 2 + 1 + 8 + 2 + 4)
        #expect(TransactionLogFormat.decode(badState) == nil, "an unknown state")
    }

    @Test("what was written is loaded again; the newest record of an id wins, and a removal forgets it")
    func reopen() throws {
        try withOffsetStoreDirectory { directory in
            let first = try store(directory)
            try first.write(.metadata(metadata("a")))
            try first.write(.metadata(metadata("b")))
            try first.write(.metadata(metadata("a", epoch: 3, state: .completeCommit)))
            try first.write(.removed("b"))
            first.close()
            #expect(throws: (any Error).self) { try first.write(.removed("a")) }
            let second = try store(directory)
            #expect(second.loaded == ["a": metadata("a", epoch: 3, state: .completeCommit)])
        }
    }

    @Test("a log cut at every byte of its last record, or with a corrupt one, keeps the records before it")
    func tornTail() throws {
        try withOffsetStoreDirectory { directory in
            let first = try store(directory)
            try first.write(.metadata(metadata("a")))
            let kept = try fileBytes(logPath(directory)).count
            try first.write(.metadata(metadata("a", epoch: 1)))
            first.close()
            let whole = try fileBytes(logPath(directory))
            for cut in kept..<whole.count {
                try writeFileBytes(Array(whole[..<cut]), logPath(directory))
                let reopened = try store(directory)
                #expect(reopened.loaded["a"]?.producerEpoch == 0, "cut at \(cut)")
                #expect(try fileBytes(logPath(directory)).count == kept)
                reopened.close()
            }
            var corrupt = whole
            corrupt[whole.count - 3] ^= 0xFF
            try writeFileBytes(corrupt, logPath(directory))
            #expect(try store(directory).loaded["a"]?.producerEpoch == 0)
        }
    }

    @Test("a file this broker did not write is refused and left alone")
    func foreignFile() throws {
        try withOffsetStoreDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/__transaction_state", withIntermediateDirectories: true)
            try writeFileBytes(Array("not a transaction log".utf8), logPath(directory))
            #expect(throws: RecordLogFile.Failure.self) { try store(directory) }
            #expect(try fileBytes(logPath(directory)) == Array("not a transaction log".utf8))
        }
    }

    @Test("compaction rewrites one record per live id once the log is four times their size")
    func compaction() throws {
        try withOffsetStoreDirectory { directory in
            let compacting = try store(directory, compactionMinimumBytes: 1)
            for epoch in 0..<50 { try compacting.write(.metadata(metadata("a", epoch: Int16(epoch)))) }
            try compacting.write(.metadata(metadata("b")))
            compacting.close()
            let size = try fileBytes(logPath(directory)).count
            let oneRecord = 8 + TransactionLogFormat.encode(.metadata(metadata("a"))).readableBytes
            #expect(size <= TransactionLogFormat.header.count + 4 * 2 * oneRecord, "\(size) bytes for two ids")
            let reopened = try store(directory)
            #expect(reopened.loaded == ["a": metadata("a", epoch: 49), "b": metadata("b")])
        }
    }
}
