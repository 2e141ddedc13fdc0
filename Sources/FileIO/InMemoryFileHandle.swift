#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file of `InMemoryFileSystem`. Its file stays readable after it is
/// removed or renamed; after a crash of the file system it fails with EIO.
final class InMemoryFileHandle: FileHandleIO, @unchecked Sendable {
    let fileSystem: InMemoryFileSystem
    let node: InMemoryNode
    let path: String
    let generation: Int
    let isWritable: Bool
    /// Whether closing this handle frees an anonymous file's space.
    let ownsAnonymousNode: Bool

    init(fileSystem: InMemoryFileSystem, node: InMemoryNode, path: String, generation: Int, isWritable: Bool, ownsAnonymousNode: Bool = false) {
        self.ownsAnonymousNode = ownsAnonymousNode
        self.fileSystem = fileSystem
        self.node = node
        self.path = path
        self.generation = generation
        self.isWritable = isWritable
    }

    func size() throws(FileIOError) -> Int {
        try access("fstat") { (_) throws(FileIOError) in node.data.count }
    }

    func modificationTime() throws(FileIOError) -> Int64 {
        try access("fstat") { (_) throws(FileIOError) in node.modificationTime }
    }

    func isRegularFile() throws(FileIOError) -> Bool {
        try access("fstat") { (_) throws(FileIOError) in true }
    }

    func status() throws(FileIOError) -> FileStatus {
        try access("fstat") { (_) throws(FileIOError) in
            FileStatus(kind: .regularFile, size: Int64(node.data.count), modificationTime: Double(node.modificationTime) / 1000)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileIOError) -> Int {
        try access("pread") { (_) throws(FileIOError) -> Int in
            guard offset < node.data.count else { return 0 }
            let count = min(buffer.count, node.data.count - offset)
            node.data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            return count
        }
    }

    func write(_ pieces: [UnsafeRawBufferPointer], at offset: Int) throws(FileIOError) {
        try access("pwritev", writing: true) { (state) throws(FileIOError) in
            try state.checkFault(.write, path, operation: "pwritev")
            var bytes: [UInt8] = []
            for piece in pieces { bytes.append(contentsOf: piece) }
            let growth = max(0, offset + bytes.count - node.data.count)
            var landing = bytes.count
            var failure: FileIOError?
            if let quota = state.quota, growth > quota - state.usedBytes() {
                let room = max(0, quota - state.usedBytes())
                landing = max(0, min(bytes.count, node.data.count + room - offset))
                failure = FileIOError(operation: "pwritev", path: path, code: ENOSPC)
            }
            place(bytes[..<landing], at: offset)
            if let keeping = state.tornPrefix(path) {
                node.durableData = Array(node.data[..<min(node.data.count, offset + keeping)])
            }
            if let failure { throw failure }
        }
    }

    func truncate(to size: Int) throws(FileIOError) {
        try access("ftruncate", writing: true) { (state) throws(FileIOError) in
            try state.checkFault(.write, path, operation: "ftruncate")
            if size > node.data.count, let quota = state.quota, size - node.data.count > quota - state.usedBytes() {
                throw FileIOError(operation: "ftruncate", path: path, code: ENOSPC)
            }
            if size < node.data.count {
                node.data.removeLast(node.data.count - size)
            } else {
                node.data.append(contentsOf: repeatElement(0, count: size - node.data.count))
            }
            node.modificationTime = InMemoryNode.now()
        }
    }

    func sync() throws(FileIOError) {
        try access("fsync") { (state) throws(FileIOError) in
            try state.checkFault(.sync, path, operation: "fsync")
            node.durableData = node.data
        }
    }

    func copy(_ count: Int, from source: any FileHandleIO, at sourceOffset: Int, to offset: Int) throws(FileIOError) {
        try copyThroughMemory(count, from: source, at: sourceOffset, to: offset)
    }

    func duplicate() throws(FileIOError) -> any FileHandleIO {
        try access("dup") { (_) throws(FileIOError) in
            InMemoryFileHandle(fileSystem: fileSystem, node: node, path: path, generation: generation, isWritable: isWritable)
        }
    }

    func tryLock() throws(FileIOError) -> Bool {
        try access("flock") { (_) throws(FileIOError) -> Bool in
            if let holder = node.lockHolder, holder != ObjectIdentifier(self) { return false }
            node.lockHolder = ObjectIdentifier(self)
            return true
        }
    }

    func duplicateDescriptor() throws(FileIOError) -> CInt? { nil }

    func close() {
        fileSystem.lock.withLock {
            if node.lockHolder == ObjectIdentifier(self) { node.lockHolder = nil }
            if ownsAnonymousNode { fileSystem.state.anonymous[ObjectIdentifier(node)] = nil }
        }
    }

    /// Writes `bytes` at `offset`, filling a gap with zeros.
    private func place(_ bytes: ArraySlice<UInt8>, at offset: Int) {
        if offset > node.data.count { node.data.append(contentsOf: repeatElement(0, count: offset - node.data.count)) }
        let overlap = min(bytes.count, node.data.count - offset)
        node.data.replaceSubrange(offset..<(offset + overlap), with: bytes.prefix(overlap))
        node.data.append(contentsOf: bytes.dropFirst(overlap))
        node.modificationTime = InMemoryNode.now()
    }

    /// Runs `body` under the file system's lock once the handle is known to be usable.
    private func access<Result>(
        _ operation: String, writing: Bool = false, _ body: (inout InMemoryState) throws(FileIOError) -> Result
    ) throws(FileIOError) -> Result {
        try fileSystem.locked { (state) throws(FileIOError) -> Result in
            guard state.generation == generation else { throw FileIOError(operation: operation, path: path, code: EIO) }
            if writing && !isWritable { throw FileIOError(operation: operation, path: path, code: EBADF) }
            return try body(&state)
        }
    }
}
