#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileIO
@testable import KafkaLog
import KafkaProtocol
import Logging
import NIOCore
import Testing

/// A fresh directory under /tmp, removed with everything in it after `body`.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    var template = Array("/tmp/barge-log-test-XXXXXX".utf8CString)
    let path = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
    defer { removeTree(path) }
    return try body(path + "/partition")
}

private func removeTree(_ path: String) {
    if let names = try? testStorage.list(path) {
        for name in names { removeTree("\(path)/\(name)") }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// The real file system, for tests that look at a log's files.
let testStorage = LogStorage(fileSystem: PosixFileSystem())

/// A logger that drops everything, for tests that do not look at logs.
let quietLogger = Logger(label: "barge.log.test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Collects log messages so that tests can check what was said.
final class CollectingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = Lock()
    private var collected: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { collected.append((event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })) }
    }

    var warnings: [(message: String, metadata: Logger.Metadata)] {
        lock.withLock { collected.filter { $0.level == .warning }.map { ($0.message, $0.metadata) } }
    }

    var logger: Logger { Logger(label: "barge.log.test", factory: { _ in self }) }
}

/// Builds one uncompressed record batch with `count` records whose values are
/// `valueSize` bytes of a pattern, timestamps `timestamp, timestamp + 1, ...`.
func makeBatch(
    count: Int = 1, valueSize: Int = 10, timestamp: Int64 = 1_000, seed: UInt8 = 0,
    producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1, isTransactional: Bool = false
) throws -> RecordBatch {
    var builder = RecordBatchBuilder()
    builder.isTransactional = isTransactional
    builder.producerId = producerId
    builder.producerEpoch = producerEpoch
    builder.baseSequence = baseSequence
    for index in 0..<count {
        let value = ByteBuffer(bytes: (0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &+ index &+ Int(seed)) })
        builder.append(key: ByteBuffer(string: "key-\(index)"), value: value, timestamp: timestamp + Int64(index))
    }
    return try #require(try RecordBatch.split(builder.build()).first)
}

/// The bytes the log should store for `batch` at `offset`: the received bytes
/// with the base offset and partition leader epoch rewritten.
func storedBytes(_ batch: RecordBatch, at offset: Int64) -> [UInt8] {
    var bytes = batch.bytes
    bytes.setInteger(offset, at: bytes.readerIndex)
    bytes.setInteger(PartitionLog.leaderEpoch, at: bytes.readerIndex + 12)
    return Array(bytes.readableBytesView)
}

/// Reads every file region of `records` with pread, closing each handle;
/// parts in memory (from a log on `InMemoryFileSystem`) only when `allowingMemory`.
func readBytes(_ records: KafkaRecords, allowingMemory: Bool = false) throws -> [UInt8] {
    var bytes: [UInt8] = []
    for part in records.parts {
        if case .bytes(let buffer) = part, allowingMemory {
            bytes += Array(buffer.readableBytesView)
            continue
        }
        guard case .file(let region) = part else {
            Issue.record("expected only file regions")
            continue
        }
        defer { try? region.fileHandle.close() }
        var chunk = [UInt8](repeating: 0, count: region.readableBytes)
        let read = try region.fileHandle.withUnsafeFileDescriptor { descriptor in
            chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(region.readerIndex)) }
        }
        #expect(read == region.readableBytes)
        bytes += chunk
    }
    return bytes
}

/// Reads from `offset` and splits the result into batch headers (CRC checked).
func readHeaders(_ log: PartitionLog, from offset: Int64, maxBytes: Int = .max, minOneBatch: Bool = true) throws -> [RecordBatchHeader] {
    let bytes = try readBytes(try log.read(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch).records)
    return try RecordBatch.split(ByteBuffer(bytes: bytes)).map(\.header)
}

/// The names in a directory, sorted.
func fileNames(_ directory: String) throws -> [String] {
    try testStorage.list(directory).sorted()
}

/// The size of a file.
func fileSize(_ path: String) throws -> Int {
    let file = try testStorage.open(path)
    defer { file.close() }
    return try file.size()
}

/// Cuts a file to `size` bytes.
func truncateFile(_ path: String, to size: Int) throws {
    let file = try testStorage.open(path)
    defer { file.close() }
    try file.truncate(to: size)
}

/// Overwrites bytes of a file, creating it if needed.
func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
    let file = try testStorage.open(path)
    defer { file.close() }
    try bytes.withUnsafeBytes { try file.write([$0], at: offset) }
}

/// The path of segment `baseOffset`'s file with `suffix`.
func segmentPath(_ directory: String, _ baseOffset: Int64, _ suffix: String) -> String {
    "\(directory)/\(LogFileNames.segment(baseOffset))\(suffix)"
}

/// Opens a log with a config changed by `configure`.
func openLog(
    _ directory: String, logger: Logger = quietLogger, fileSystem: any FileSystemIO = PosixFileSystem(),
    _ configure: (inout LogConfig) -> Void = { _ in }
) throws -> PartitionLog {
    var config = LogConfig()
    configure(&config)
    return try PartitionLog.open(directory: directory, config: config, logger: logger, fileSystem: fileSystem)
}

/// `withTemporaryDirectory` for async bodies.
func withTemporaryDirectoryAsync<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    var template = Array("/tmp/barge-log-test-XXXXXX".utf8CString)
    let path = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
    defer { removeTree(path) }
    return try await body(path + "/partition")
}
