#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// A file system in memory that can fail as a disk does, for tests.
///
/// It keeps two images: what processes see, and what is durable. `sync()` of
/// a file makes its data durable; `syncDirectory` makes the entries of a
/// directory (files and directories created, renamed or removed in it)
/// durable. `crash()` throws away everything else, as a power cut does.
///
/// Faults: a byte quota (writes beyond it land only the part that fits and
/// fail with ENOSPC), failures of the next writes or fsyncs of paths that
/// contain a pattern (EIO unless told otherwise), and torn writes (a prefix
/// of the write reaches the disk early, so that a crash leaves it there).
///
/// Paths are absolute (`/data/log`); the root exists.
public final class InMemoryFileSystem: FileSystemIO, @unchecked Sendable {
    let lock = NIOLock()
    // Everything below is guarded by `lock`.
    var state = InMemoryState()

    /// An empty file system holding at most `quota` bytes of file data (nil: no bound).
    public init(quota: Int? = nil) {
        state.quota = quota
    }

    // MARK: Faults

    /// The most bytes of file data it holds; writes beyond fail with ENOSPC. Nil: no bound.
    public var quota: Int? {
        get { lock.withLock { state.quota } }
        set { lock.withLock { state.quota = newValue } }
    }

    /// The bytes of file data held now (anonymous files included until closed).
    public var usedBytes: Int { lock.withLock { state.usedBytes() } }

    /// Fails the next `count` writes (write, truncate, copy) to paths containing
    /// `pattern` with `code`; nothing of a failed write lands.
    public func failWrites(matching pattern: String, count: Int = 1, code: CInt = EIO) {
        lock.withLock { state.faults.append(InMemoryFault(kind: .write, pattern: pattern, remaining: count, code: code)) }
    }

    /// Fails the next `count` fsyncs (of files or directories) of paths
    /// containing `pattern` with `code`; nothing becomes durable.
    public func failSyncs(matching pattern: String, count: Int = 1, code: CInt = EIO) {
        lock.withLock { state.faults.append(InMemoryFault(kind: .sync, pattern: pattern, remaining: count, code: code)) }
    }

    /// Tears the next write to a path containing `pattern`: it succeeds, and
    /// its file up to `keeping` bytes into the write reaches the disk at once
    /// (as pages written back early), so that `crash()` leaves a torn tail.
    public func tearNextWrite(matching pattern: String, keeping: Int) {
        lock.withLock { state.faults.append(InMemoryFault(kind: .tear(keeping: keeping), pattern: pattern, remaining: 1, code: 0)) }
    }

    /// Removes the faults not yet used.
    public func clearFaults() {
        lock.withLock { state.faults.removeAll() }
    }

    /// A power cut: every file goes back to its durable data and every
    /// directory to its durable entries. Handles opened before fail with EIO.
    public func crash() {
        lock.withLock { state.crash() }
    }

    /// The data of the file at `path` as processes see it, nil when there is none.
    public func contents(of path: String) -> [UInt8]? {
        lock.withLock { state.files[InMemoryState.normalize(path)]?.data }
    }

    // MARK: FileSystemIO

    public func open(_ path: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            let node: InMemoryNode
            if let existing = state.files[path] {
                if mode.creates && mode.isExclusive { throw FileIOError(operation: "open", path: path, code: EEXIST) }
                node = existing
                if mode.truncates {
                    try state.checkFault(.write, path, operation: "open")
                    node.data.removeAll()
                }
            } else if state.directories.contains(path) {
                if mode.isWritable { throw FileIOError(operation: "open", path: path, code: EISDIR) }
                throw FileIOError(operation: "open (a directory)", path: path, code: EISDIR)
            } else {
                guard mode.creates else { throw FileIOError(operation: "open", path: path, code: ENOENT) }
                guard state.directories.contains(InMemoryState.parent(of: path)) else {
                    throw FileIOError(operation: "open", path: path, code: ENOENT)
                }
                node = InMemoryNode()
                state.files[path] = node
            }
            return InMemoryFileHandle(fileSystem: self, node: node, path: path, generation: state.generation, isWritable: mode.isWritable)
        }
    }

    public func openAnonymous(in directory: String) throws(FileIOError) -> any FileHandleIO {
        try locked { (state) throws(FileIOError) in
            let directory = InMemoryState.normalize(directory)
            guard state.directories.contains(directory) else { throw FileIOError(operation: "create an anonymous file in", path: directory, code: ENOENT) }
            let node = InMemoryNode()
            state.anonymous[ObjectIdentifier(node)] = node
            return InMemoryFileHandle(fileSystem: self, node: node, path: directory + "/(anonymous)",
                                      generation: state.generation, isWritable: true, ownsAnonymousNode: true)
        }
    }

    public func openDirectory(_ path: String) throws(FileIOError) -> any DirectoryHandleIO {
        let path = InMemoryState.normalize(path)
        guard isDirectory(path) else {
            throw FileIOError(operation: "open the directory", path: path, code: exists(path) ? ENOTDIR : ENOENT)
        }
        return InMemoryDirectoryHandle(fileSystem: self, path: path)
    }

    public func canonicalPath(_ path: String) throws(FileIOError) -> String {
        let path = InMemoryState.normalize(path)
        guard exists(path) else { throw FileIOError(operation: "resolve", path: path, code: ENOENT) }
        return path
    }

    public func exists(_ path: String) -> Bool {
        let path = InMemoryState.normalize(path)
        return lock.withLock { state.files[path] != nil || state.directories.contains(path) }
    }

    public func isDirectory(_ path: String) -> Bool {
        let path = InMemoryState.normalize(path)
        return lock.withLock { state.directories.contains(path) }
    }

    public func entryKind(_ path: String) -> FileEntryKind? {
        let path = InMemoryState.normalize(path)
        return lock.withLock {
            if state.directories.contains(path) { return .directory }
            return state.files[path] == nil ? nil : .regularFile
        }
    }

    public func makeDirectory(_ path: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            guard !state.directories.contains(path), state.files[path] == nil else { throw FileIOError(operation: "mkdir", path: path, code: EEXIST) }
            guard state.directories.contains(InMemoryState.parent(of: path)) else { throw FileIOError(operation: "mkdir", path: path, code: ENOENT) }
            try state.checkFault(.write, path, operation: "mkdir")
            state.directories.insert(path)
        }
    }

    public func list(_ path: String) throws(FileIOError) -> [String] {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            guard state.directories.contains(path) else { throw FileIOError(operation: "opendir", path: path, code: ENOENT) }
            return state.children(of: path).map { String($0.dropFirst(path == "/" ? 1 : path.count + 1)) }
        }
    }

    public func remove(_ path: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            if state.directories.contains(path) { throw FileIOError(operation: "unlink", path: path, code: EISDIR) }
            guard state.files.removeValue(forKey: path) != nil else { throw FileIOError(operation: "unlink", path: path, code: ENOENT) }
        }
    }

    public func removeDirectory(_ path: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            guard state.directories.contains(path) else { throw FileIOError(operation: "rmdir", path: path, code: ENOENT) }
            guard state.children(of: path).isEmpty else { throw FileIOError(operation: "rmdir", path: path, code: ENOTEMPTY) }
            state.directories.remove(path)
        }
    }

    public func rename(_ from: String, to: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in try state.rename(InMemoryState.normalize(from), to: InMemoryState.normalize(to)) }
    }

    public func renameWithoutReplacing(_ from: String, to: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let (from, to) = (InMemoryState.normalize(from), InMemoryState.normalize(to))
            guard state.files[to] == nil, !state.directories.contains(to) else {
                throw FileIOError.alreadyExisting(operation: "rename to \(to)", path: from)
            }
            try state.rename(from, to: to)
        }
    }

    /// Names `node` (the file of an open handle, opened at `from`) `to` as well, as `link(2)` does.
    func link(_ node: InMemoryNode, from: String, to: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let to = InMemoryState.normalize(to)
            guard state.files.values.contains(where: { $0 === node }) else { throw FileIOError(operation: "link to \(to)", path: from, code: ENOENT) }
            guard state.files[to] == nil, !state.directories.contains(to) else { throw FileIOError.alreadyExisting(operation: "link to \(to)", path: from) }
            guard state.directories.contains(InMemoryState.parent(of: to)) else { throw FileIOError(operation: "link to \(to)", path: from, code: ENOENT) }
            try state.checkFault(.write, to, operation: "link")
            state.files[to] = node
        }
    }

    public func syncDirectory(_ path: String) throws(FileIOError) {
        try locked { (state) throws(FileIOError) in
            let path = InMemoryState.normalize(path)
            guard state.directories.contains(path) else { throw FileIOError(operation: "open", path: path, code: ENOENT) }
            try state.checkFault(.sync, path, operation: "fsync")
            state.makeEntriesDurable(in: path)
        }
    }

    /// Runs `body` on the state under the lock.
    func locked<Result>(_ body: (inout InMemoryState) throws(FileIOError) -> Result) throws(FileIOError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
