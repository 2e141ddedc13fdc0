@testable import BargeBroker
import Foundation
import Logging

typealias TP = CommittedOffsetStore.TopicPartition

/// A fresh folder under the system's temporary folder, removed afterwards.
func withOffsetStoreDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("barge-offsets-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Log messages kept in memory, to check what the store warns about.
final class OffsetStoreLogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String)] = []

    var logger: Logger {
        Logger(label: "offsets-test") { _ in Handler(capture: self) }
    }

    var warnings: [String] {
        lock.withLock { entries.filter { $0.level == .warning }.map(\.message) }
    }

    fileprivate func record(_ level: Logger.Level, _ message: String) {
        lock.withLock { entries.append((level, message)) }
    }

    private struct Handler: LogHandler {
        let capture: OffsetStoreLogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.record(event.level, event.message.description)
        }
    }
}

extension CommittedOffsetStore {
    /// Opens the store of `directory` with a logger that drops everything.
    static func open(
        _ directory: String, compactionMinimumBytes: Int = 1 << 20, logger: Logger? = nil
    ) throws -> CommittedOffsetStore {
        try CommittedOffsetStore(
            dataDirectory: directory, compactionMinimumBytes: compactionMinimumBytes,
            logger: logger ?? Logger(label: "offsets-test") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Every group's offsets.
    var everything: [String: [TopicPartition: CommittedOffset]] {
        Dictionary(uniqueKeysWithValues: groups.map { ($0, fetch(group: $0)) })
    }
}

/// The offsets file of a data directory.
func offsetsFile(_ directory: String) -> String {
    directory + "/__consumer_offsets/offsets.log"
}

func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFileBytes(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
