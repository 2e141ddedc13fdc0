import FileIO
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The on-disk cache of the remote tier (`rsm.config.fetch.chunk.cache.*`):
/// plain chunks of segments and their index files, as files that fetch
/// responses send with zero copy. Bounded by bytes, least recently used
/// evicted first; a file evicted while a response still sends it stays
/// readable through the response's own descriptor. Emptied at start.
///
/// Each entry is loaded once however many readers want it at the same time;
/// the load runs in a task of its own, so a reader that stops waiting (a
/// fetch past `remote.fetch.max.wait.ms`) does not stop it: the next read finds it.
final class RemoteChunkCache: Sendable {
    let directory: String
    private let capacity: Int64
    private let fileSystem: any FileSystemIO
    private let io: BlockingIOPool
    private let metrics: TieringMetrics
    private let logger: Logger

    private struct Entry {
        var files: [String]
        var bytes: Int64
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes: Int64 = 0
        var clock: UInt64 = 0
        var loading: [String: Task<Void, any Error>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Opens the cache in `directory`, removing what an earlier run left there (blocking).
    init(directory: String, capacity: Int64, fileSystem: any FileSystemIO, io: BlockingIOPool, metrics: TieringMetrics, logger: Logger) throws {
        self.directory = directory
        self.capacity = capacity
        self.fileSystem = fileSystem
        self.io = io
        self.metrics = metrics
        self.logger = logger
        if fileSystem.exists(directory) { try fileSystem.removeTree(directory) }
        try fileSystem.makeDirectories(directory)
    }

    /// The path of file `name` of entry `key` when the entry is cached (it
    /// then counts as used); nil otherwise. Callable from any thread.
    func pathIfPresent(_ name: String, of key: String) -> String? {
        let present = state.withLockedValue { state -> Bool in
            guard state.entries[key] != nil else { return false }
            state.clock += 1
            state.entries[key]?.lastUse = state.clock
            return true
        }
        present ? metrics.cacheHits.increment() : metrics.cacheMisses.increment()
        return present ? path(name) : nil
    }

    /// Whether entry `key` is cached or being loaded.
    func isPresentOrLoading(_ key: String) -> Bool {
        state.withLockedValue { $0.entries[key] != nil || $0.loading[key] != nil }
    }

    /// One file of an entry: its name and its bytes, in the pieces they came in.
    typealias File = (name: String, pieces: [ByteBuffer])

    /// Makes sure entry `key` is cached: `load` gives its files' names and
    /// bytes, written here (off the concurrency pool), then older entries are
    /// evicted to stay within the capacity.
    func ensure(_ key: String, load: @escaping @Sendable () async throws -> [File]) async throws {
        let task = state.withLockedValue { state -> Task<Void, any Error>? in
            if state.entries[key] != nil { return nil }
            if let running = state.loading[key] { return running }
            let task = Task { try await self.loadEntry(key, load) }
            state.loading[key] = task
            return task
        }
        try await task?.value
    }

    /// Starts loading entry `key` unless it is cached or loading; does not wait (prefetch).
    func prefetch(_ key: String, load: @escaping @Sendable () async throws -> [File]) {
        guard !isPresentOrLoading(key) else { return }
        Task {
            do { try await self.ensure(key, load: load) } catch {
                self.logger.debug("prefetch from the remote tier failed", metadata: ["entry": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func loadEntry(_ key: String, _ load: @Sendable () async throws -> [File]) async throws {
        defer { _ = state.withLockedValue { $0.loading.removeValue(forKey: key) } }
        let files = try await load()
        let (fileSystem, directory) = (self.fileSystem, self.directory)
        try await io.run {
            // A cache needs no fsync: it is emptied at every start.
            for file in files {
                let path = "\(directory)/\(file.name)"
                let handle = try fileSystem.open(path + ".tmp", mode: .replace)
                do {
                    // Piece by piece, as they came from the store: never joined in memory.
                    var offset = 0
                    for piece in file.pieces {
                        try piece.withUnsafeReadableBytes { bytes in
                            Result { () throws(FileIOError) in try handle.write([bytes], at: offset) }
                        }.get()
                        offset += piece.readableBytes
                    }
                    handle.close()
                } catch {
                    handle.close()
                    throw error
                }
                try fileSystem.rename(path + ".tmp", to: path)
            }
        }
        let evicted = state.withLockedValue { state -> [String] in
            state.clock += 1
            let bytes = files.reduce(Int64(0)) { total, file in file.pieces.reduce(total) { $0 + Int64($1.readableBytes) } }
            state.entries[key] = Entry(files: files.map(\.name), bytes: bytes, lastUse: state.clock)
            state.bytes += bytes
            var evicted: [String] = []
            while state.bytes > capacity, state.entries.count > 1,
                  let oldest = state.entries.filter({ $0.key != key }).min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries.removeValue(forKey: oldest.key)
                state.bytes -= oldest.value.bytes
                evicted += oldest.value.files
            }
            return evicted
        }
        if !evicted.isEmpty {
            try await io.run { for name in evicted { try fileSystem.removeIfPresent("\(directory)/\(name)") } }
        }
    }

    /// The path of a cache file.
    func path(_ name: String) -> String { "\(directory)/\(name)" }
}
