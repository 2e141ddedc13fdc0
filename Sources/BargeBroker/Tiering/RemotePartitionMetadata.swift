import FileIO
import Foundation
import NIOConcurrencyHelpers

/// The remote tier's segments of one partition, the source of truth for
/// what is there: kept in memory and in `remote-log-segments.json` in the
/// partition's directory (replaced atomically and forced to disk on every
/// change), as Kafka keeps them in its `__remote_log_metadata` topic.
final class RemotePartitionMetadata: Sendable {
    static let fileName = "remote-log-segments.json"

    private struct Stored: Codable {
        var version = 1
        var segments: [RemoteSegmentMetadata]
    }

    let keys: RemoteObjectKeys
    private let path: String
    private let fileSystem: any FileSystemIO
    private let state: NIOLockedValueBox<[RemoteSegmentMetadata]>

    /// Loads the metadata in `directory` (none yet: no segment).
    init(directory: String, keys: RemoteObjectKeys, fileSystem: any FileSystemIO) throws {
        self.path = "\(directory)/\(Self.fileName)"
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

    /// Bytes stored remotely for the readable segments.
    var storedBytes: Int64 { readableSegments.reduce(0) { $0 + Int64($1.layout?.logStoredSize ?? 0) } }

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
