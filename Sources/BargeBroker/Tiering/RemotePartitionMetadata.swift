import FileIO
import Foundation
import NIOConcurrencyHelpers

/// The remote tier's segments of one partition, the source of truth for
/// what is there: kept in memory and in
/// `<data-dir>/__remote_log_metadata/<topic id>-<partition>.json` (replaced
/// atomically and forced to disk on every change), as Kafka keeps them in
/// its `__remote_log_metadata` topic. Outside the partition's directory, so
/// that deleting a topic never races with an update, and the remote tier's
/// objects of a deleted topic can still be found and removed.
final class RemotePartitionMetadata: Sendable {
    /// The directory of every partition's file, below the data directory.
    static let directoryName = "__remote_log_metadata"

    private struct Stored: Codable {
        var version = 1
        var segments: [RemoteSegmentMetadata]
    }

    let keys: RemoteObjectKeys
    private let path: String
    private let fileSystem: any FileSystemIO
    private let state: NIOLockedValueBox<[RemoteSegmentMetadata]>

    /// Loads the metadata of `keys`' partition from `directory` (none yet: no segment).
    init(directory: String, keys: RemoteObjectKeys, fileSystem: any FileSystemIO) throws {
        self.path = Self.path(in: directory, topicId: keys.topicId, partition: keys.partition)
        self.keys = keys
        self.fileSystem = fileSystem
        var segments: [RemoteSegmentMetadata] = []
        if let bytes = try fileSystem.readWholeFile(path, limit: 1 << 30) {
            do {
                segments = try JSONDecoder().decode(Stored.self, from: Data(bytes)).segments
            } catch {
                throw RemoteTierError("the remote tier's metadata \(path) does not parse: \(error)")
            }
        }
        self.state = NIOLockedValueBox(segments.sorted { $0.baseOffset < $1.baseOffset })
    }

    /// The file of a partition's metadata.
    static func path(in directory: String, topicId: String, partition: Int32) -> String {
        "\(directory)/\(topicId)-\(partition).json"
    }

    /// Removes the file (the partition's topic is gone and so are its objects).
    func removeFile() throws {
        try fileSystem.removeIfPresent(path)
    }

    /// Every segment, oldest first.
    var segments: [RemoteSegmentMetadata] { state.withLockedValue { $0 } }

    /// The readable segments, oldest first.
    var readableSegments: [RemoteSegmentMetadata] { segments.filter(\.isReadable) }

    /// The offset after the last readable segment, nil when there is none.
    var copiedEndOffset: Int64? { readableSegments.last?.endOffset }

    /// The readable segment holding `offset`.
    func segment(containing offset: Int64) -> RemoteSegmentMetadata? {
        readableSegments.first { $0.baseOffset <= offset && offset < $0.endOffset }
    }

    /// Bytes of the readable segments.
    var readableBytes: Int64 { readableSegments.reduce(0) { $0 + Int64($1.size) } }

    /// Applies `change` to the segments and persists them before returning (blocking).
    func update(_ change: (inout [RemoteSegmentMetadata]) -> Void) throws {
        try state.withLockedValue { segments in
            var changed = segments
            change(&changed)
            changed.sort { $0.baseOffset < $1.baseOffset }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try fileSystem.writeAtomically(Array(try encoder.encode(Stored(segments: changed))), to: path)
            segments = changed
        }
    }
}

/// A failure of the remote tier that is not the object store's own.
struct RemoteTierError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
