import FileIO
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The transaction coordinator's state, kept durably in
/// `<data-dir>/__transaction_state/transactions.log` (`TransactionLogFormat`
/// in a `RecordLogFile`): each change of a transactional id's metadata is
/// one record, fsync'd before the coordinator acts on it, so that a
/// decision (commit or abort) survives kill -9 and power loss.
///
/// When the file is more than four times the size of the live records and
/// at least `compactionMinimumBytes`, it is rewritten with one record per id.
///
/// Every method blocks on file I/O: call them on the broker's `BlockingIOPool`.
final class TransactionStateStore: Sendable {
    static let fileName = "transactions.log"
    static let compactionRatio = 4

    let directory: String
    let compactionMinimumBytes: Int
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    private struct State: @unchecked Sendable {
        let file: RecordLogFile
        /// The newest record body of each live id, for compaction.
        var live: [String: ByteBuffer]
        var liveBytes: Int
    }

    /// The metadata found when the store opened, by transactional id.
    let loaded: [String: TransactionMetadata]

    /// Opens (creating it if needed) the store under `<dataDirectory>/__transaction_state` and replays it (blocking).
    init(dataDirectory: String, compactionMinimumBytes: Int = 1 << 20, logger: Logger, fileSystem: any FileSystemIO) throws {
        directory = dataDirectory + "/__transaction_state"
        self.compactionMinimumBytes = compactionMinimumBytes
        self.logger = logger
        let (file, contents) = try RecordLogFile.open(directory: directory, name: Self.fileName,
                                                      header: TransactionLogFormat.header, fileSystem: fileSystem)
        if let cut = contents.cutTail {
            logger.warning("the transaction state log had a torn or corrupt tail; it was cut off", metadata: ["path": "\(file.path)", "problem": "\(cut)"])
        }
        var metadata: [String: TransactionMetadata] = [:]
        var live: [String: ByteBuffer] = [:]
        for body in contents.bodies {
            guard let record = TransactionLogFormat.decode(body) else {
                file.close()
                throw RecordLogFile.Failure(description: "\(file.path) holds a record with a correct checksum that cannot be read: written by a newer Barge?")
            }
            switch record {
            case .metadata(let value):
                metadata[value.transactionalId] = value
                live[value.transactionalId] = body
            case .removed(let id):
                metadata[id] = nil
                live[id] = nil
            }
        }
        loaded = metadata
        state = NIOLockedValueBox(State(file: file, live: live, liveBytes: live.values.reduce(0) { $0 + $1.readableBytes + 8 }))
        logger.info("loaded transaction state", metadata: ["transactional-ids": "\(metadata.count)", "log-bytes": "\(file.size)"])
    }

    /// Writes `record` durably (blocking), then compacts when due.
    func write(_ record: TransactionLogFormat.Record) throws {
        let body = TransactionLogFormat.encode(record)
        try state.withLockedValue { state in
            try state.file.append([body])
            state.liveBytes -= state.live[record.transactionalId].map { $0.readableBytes + 8 } ?? 0
            if case .metadata = record {
                state.live[record.transactionalId] = body
                state.liveBytes += body.readableBytes + 8
            } else {
                state.live[record.transactionalId] = nil
            }
            guard state.file.size >= compactionMinimumBytes, state.file.size > Self.compactionRatio * state.liveBytes else { return }
            do {
                try state.file.replace(with: state.live.keys.sorted().map { state.live[$0]! })
            } catch {
                logger.error("compacting the transaction state log failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Closes the file; later writes throw.
    func close() {
        state.withLockedValue { $0.file.close() }
    }
}
