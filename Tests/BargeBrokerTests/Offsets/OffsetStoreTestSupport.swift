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
