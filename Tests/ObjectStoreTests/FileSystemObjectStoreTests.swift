import FileIO
import Foundation
import NIOCore
@testable import ObjectStore
import Testing

@Suite("FileSystemObjectStore")
struct FileSystemObjectStoreTests {
    @Test("keeps the ObjectStore promises", arguments: ObjectStoreConformance.Check.allCases)
    func conformance(_ check: ObjectStoreConformance.Check) async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path + "/store", listPageSize: 7)
        try await ObjectStoreConformance(store: store, keyPrefix: "prefix/", listPageSize: 7).run(check)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).isEmpty, "emptied directories are removed")
    }

    @Test("lists correctly one object a page, across nested directories")
    func onePerPage() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path, listPageSize: 1)
        let conformance = ObjectStoreConformance(store: store, listPageSize: 1)
        try await conformance.run(.listByPrefix)
        try await conformance.run(.listAcrossPages)
    }

    @Test("a root that is not absolute is a configuration error")
    func relativeRoot() async {
        await expectStoreError(.configuration) { try FileSystemObjectStore(root: "relative/objects") }
        await expectStoreError(.configuration) { try FileSystemObjectStore(root: "") }
    }

    @Test("a root that is a file is a configuration error")
    func fileRoot() async throws {
        let directory = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory.path + "/file", contents: Data())
        await expectStoreError(.configuration) { try FileSystemObjectStore(root: directory.path + "/file") }
    }

    @Test("the root is created, and resolved when reached through a link")
    func canonicalRoot() throws {
        let directory = try TemporaryDirectory()
        let real = try realPath(directory.path) + "/real"
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link", withDestinationPath: real)
        let store = try FileSystemObjectStore(root: directory.path + "/link/new/./deeper/")
        #expect(store.root == real + "/new/deeper")
        #expect(store.location == .fileSystem(root: real + "/new/deeper"))
        #expect(FileManager.default.fileExists(atPath: real + "/new/deeper"))
    }

    @Test("a linked directory inside the root is never followed")
    func linkedDirectory() async throws {
        let directory = try TemporaryDirectory()
        let outside = directory.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: outside + "/secret", contents: Data("secret".utf8))
        let store = try FileSystemObjectStore(root: directory.path + "/root")
        try FileManager.default.createDirectory(atPath: store.root + "/a", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: store.root + "/a/escape", withDestinationPath: outside)

        for name in ["a/escape/secret", "a/escape/new", "a/escape/deeper/new"] {
            let key = try ObjectKey(name)
            await expectStoreError(.invalidKey, "get \(name)") { try await store.get(key) }
            await expectStoreError(.invalidKey, "head \(name)") { try await store.head(key) }
            await expectStoreError(.invalidKey, "delete \(name)") { try await store.delete(key) }
            await expectStoreError(.invalidKey, "put \(name)") { try await store.put(key, body: TestBody(Array("pwned".utf8))) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret"])
        #expect(FileManager.default.contents(atPath: outside + "/secret") == Data("secret".utf8))
        var listed: [ObjectKey] = []
        for try await info in store.list(prefix: "") { listed.append(info.key) }
        #expect(listed.isEmpty)
        for try await info in store.list(prefix: "a/escape/") { listed.append(info.key) }
        #expect(listed.isEmpty)
    }

    @Test("a linked file inside the root is never followed")
    func linkedFile() async throws {
        let directory = try TemporaryDirectory()
        let secret = directory.path + "/secret"
        _ = FileManager.default.createFile(atPath: secret, contents: Data("secret".utf8))
        let store = try FileSystemObjectStore(root: directory.path + "/root")
        try FileManager.default.createDirectory(atPath: store.root + "/a", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: store.root + "/link", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: store.root + "/a/link", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: store.root + "/dangling", withDestinationPath: directory.path + "/nothing")

        for name in ["link", "a/link", "dangling"] {
            let key = try ObjectKey(name)
            await expectStoreError(.invalidKey, "get \(name)") { try await store.get(key) }
            await expectStoreError(.invalidKey, "head \(name)") { try await store.head(key) }
            await expectStoreError(.invalidKey, "delete \(name)") { try await store.delete(key) }
            await expectStoreError(.invalidKey, "put \(name)") { try await store.put(key, body: TestBody(Array("pwned".utf8))) }
        }
        #expect(FileManager.default.contents(atPath: secret) == Data("secret".utf8))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/nothing"))
        var listed: [ObjectKey] = []
        for try await info in store.list(prefix: "") { listed.append(info.key) }
        #expect(listed.isEmpty)
    }

    @Test("partial files are never listed, cannot be named, and are removed when a put fails")
    func partialFiles() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        try FileManager.default.createDirectory(atPath: store.root + "/a", withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: store.root + "/a/.barge-partial-0123456789abcdef", contents: Data("left by a crash".utf8))
        var listed: [ObjectKey] = []
        for try await info in store.list(prefix: "") { listed.append(info.key) }
        #expect(listed.isEmpty)
        let reserved = try ObjectKey("a/.barge-partial-0123456789abcdef")
        await expectStoreError(.invalidKey) { try await store.get(reserved) }
        await expectStoreError(.invalidKey) { try await store.put(reserved, body: TestBody([1])) }
        await expectStoreError(.invalidKey) { try await store.head(try ObjectKey(".barge-partial-x/y")) }
        try FileManager.default.removeItem(atPath: store.root + "/a")

        await expectStoreError(.badBody) {
            try await store.put(try ObjectKey("b/c/object"), body: TestBody(randomBytes(700_000), ending: .fail))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).isEmpty, "the partial file and its new directories are gone")
    }

    @Test("put(linking:) stores an open file's bytes as a second name of it, and declines what it cannot link")
    func putLinking() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path + "/store")
        let bytes = randomBytes(300_000)
        let fileSystem = PosixFileSystem()
        try fileSystem.writeAtomically(bytes, to: directory.path + "/segment")
        let segment = try fileSystem.open(directory.path + "/segment", mode: .read)
        defer { segment.close() }
        let key = try ObjectKey("topic/0/segment.log")
        let info = try #require(try await store.put(key, linking: segment))
        #expect(info.size == Int64(bytes.count) && info.key == key)
        #expect(try await collect(store.get(key)) == bytes)
        let inode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int }
        #expect(try inode(store.root + "/topic/0/segment.log") == inode(directory.path + "/segment"), "no byte was copied")
        // The object outlives the other name, and deleting the object leaves the file.
        try fileSystem.remove(directory.path + "/segment")
        #expect(try await collect(store.get(key)) == bytes)
        try await store.delete(key)
        #expect(try segment.size() == bytes.count)
        // A file removed while open cannot be linked: nil, and nothing left behind.
        #expect(try await store.put(key, linking: segment) == nil)
        #expect(try await store.head(key) == nil)
        await expectStoreError(.invalidKey) { try await store.put(try ObjectKey(".barge-partial-x"), linking: segment) }

        // A file of another file system: nil, nothing written.
        let memory = InMemoryFileSystem()
        try memory.makeDirectories("/store")
        try memory.writeAtomically([1, 2], to: "/elsewhere")
        let foreign = try memory.open("/elsewhere", mode: .read)
        defer { foreign.close() }
        #expect(try await store.put(key, linking: foreign) == nil)
        let memoryStore = try FileSystemObjectStore(root: "/store", fileSystem: memory)
        #expect(try await memoryStore.put(key, linking: foreign)?.size == 2)
        #expect(try await collect(memoryStore.get(key)) == [1, 2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).isEmpty, "no partial file or directory left")
    }

    @Test("a put in progress shows only as a partial file, never as the object")
    func putInProgress() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        let key = try ObjectKey("dir/object")
        let (pieces, signal) = AsyncStream.makeStream(of: Void.self)
        let body = TestBody(randomBytes(600_000), pieceSize: 100_000, ending: .waitForCancellation) { signal.yield() }
        let upload = Task { try await store.put(key, body: body) }
        for await _ in pieces.prefix(6) {}
        // The first 256 KiB or more were written while the body waits for more.
        try await waitUntil("the partial file is in dir/") {
            try !FileManager.default.contentsOfDirectory(atPath: store.root + "/dir").isEmpty
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: store.root + "/dir")
        #expect(names.count == 1 && names[0].hasPrefix(".barge-partial-"), "\(names)")
        #expect(try await store.head(key) == nil)
        var listed: [ObjectKey] = []
        for try await info in store.list(prefix: "") { listed.append(info.key) }
        #expect(listed.isEmpty)
        upload.cancel()
        _ = await upload.result
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).isEmpty)
    }

    @Test("delete removes the directories it empties, up to the root")
    func deletePrunes() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        _ = try await store.put(try ObjectKey("a/b/c/d"), body: TestBody([1]))
        _ = try await store.put(try ObjectKey("a/x"), body: TestBody([2]))
        try await store.delete(try ObjectKey("a/b/c/d"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/a") == ["x"])
        try await store.delete(try ObjectKey("a/x"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).isEmpty)
        #expect(FileManager.default.fileExists(atPath: store.root))
    }

    @Test("an object in the way of a key's directory, or the reverse, is refused")
    func conflicts() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        _ = try await store.put(try ObjectKey("a"), body: TestBody([1]))
        _ = try await store.put(try ObjectKey("d/e"), body: TestBody([2]))
        await expectStoreError(.invalidKey) { try await store.put(try ObjectKey("a/b"), body: TestBody([3])) }
        await expectStoreError(.invalidKey) { try await store.put(try ObjectKey("d"), body: TestBody([4])) }
        await expectStoreError(.notFound) { try await store.get(try ObjectKey("a/b")) }
        await expectStoreError(.notFound) { try await store.get(try ObjectKey("d")) }
        #expect(try await store.head(try ObjectKey("d")) == nil)
        try await store.delete(try ObjectKey("d"))
        #expect(try await collect(store.get(try ObjectKey("d/e"))) == [2])
        #expect(try await collect(store.get(try ObjectKey("a"))) == [1])
    }

    @Test("get reads a piece at a time, never the whole file at once")
    func piecewiseGet() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        let key = try ObjectKey("big")
        let bytes = randomBytes(1_000_000)
        _ = try await store.put(key, body: TestBody(bytes))
        var sizes: [Int] = []
        var read: [UInt8] = []
        for try await piece in try await store.get(key) {
            sizes.append(piece.readableBytes)
            read += piece.readableBytesView
        }
        #expect(read == bytes)
        #expect(sizes.allSatisfy { $0 <= FileSystemObjectStore.pieceSize } && sizes.count == 4, "\(sizes)")
    }

    @Test("system errors are typed: missing is .notFound, refused is .accessDenied, others .io")
    func errnoMapping() {
        func failure(_ code: Int32) -> FileIOError { FileIOError(operation: "open", path: "/r/k", code: code) }
        #expect(ObjectStoreError.file(failure(ENOENT), "open", path: "/r/k", key: nil).kind == .notFound)
        #expect(ObjectStoreError.file(failure(EACCES), "open", path: "/r/k", key: nil).kind == .accessDenied)
        #expect(ObjectStoreError.file(failure(EPERM), "open", path: "/r/k", key: nil).kind == .accessDenied)
        let full = ObjectStoreError.file(failure(ENOSPC), "write", path: "/r/k", key: try? ObjectKey("k"))
        #expect(full.kind == .io)
        #expect(full.key == "k")
        #expect(full.message == "cannot write /r/k: \(String(cString: strerror(ENOSPC)))")
    }

    @Test("a directory the process may not enter gives .accessDenied", .enabled(if: geteuid() != 0, "root may enter any directory"))
    func permissionDenied() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileSystemObjectStore(root: directory.path)
        _ = try await store.put(try ObjectKey("locked/object"), body: TestBody([1]))
        chmod(store.root + "/locked", 0)
        defer { chmod(store.root + "/locked", 0o755) }
        await expectStoreError(.accessDenied) { try await store.get(try ObjectKey("locked/object")) }
        await expectStoreError(.accessDenied) { try await store.put(try ObjectKey("locked/other"), body: TestBody([2])) }
        await expectStoreError(.accessDenied) { try FileSystemObjectStore(root: store.root + "/locked/root") }
    }

    private func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw CocoaError(.fileNoSuchFile) }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
