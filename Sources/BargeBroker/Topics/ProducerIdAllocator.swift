import FileIO
import Foundation
import NIOConcurrencyHelpers

/// Hands out producer ids that are never reused, even across restarts: ids
/// are reserved in blocks, and the end of the reserved block is stored in
/// `<data-dir>/producer-ids` before any id of it is given out.
final class ProducerIdAllocator: Sendable {
    private struct State {
        var next: Int64
        var reservedEnd: Int64
    }

    private static let blockSize: Int64 = 1_000
    private let path: String
    private let durable: DurableFile
    private let state: NIOLockedValueBox<State>

    /// Loads the reservation (blocking).
    init(dataDirectory: String, fileSystem: any FileSystemIO) throws {
        path = dataDirectory + "/producer-ids"
        durable = DurableFile(fileSystem: fileSystem)
        let stored = try fileSystem.readWholeFile(path, limit: 64).flatMap {
            Int64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        } ?? 0
        state = NIOLockedValueBox(State(next: stored, reservedEnd: stored))
    }

    /// The next unused producer id (blocking when a new block must be reserved).
    func allocate() throws -> Int64 {
        try state.withLockedValue { state in
            if state.next >= state.reservedEnd {
                let end = state.reservedEnd + Self.blockSize
                try durable.write(Array(String(end).utf8), to: path)
                state.reservedEnd = end
            }
            defer { state.next += 1 }
            return state.next
        }
    }
}
