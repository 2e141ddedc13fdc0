#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileIO
import Testing

/// The behaviour both implementations share, run against each.
@Suite struct FileSystemContractTests {
    static let implementations = ["posix", "memory"]

    @Test(arguments: implementations) func writeReadTruncateAndSize(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            let file = try fileSystem.open("\(root)/a", mode: .create)
            defer { file.close() }
            let first: [UInt8] = [1, 2, 3]
            let second: [UInt8] = [4, 5]
            try first.withUnsafeBytes { a in
                try second.withUnsafeBytes { b in try file.write([a, b], at: 0) }
            }
            try file.write([9], at: 7)
            #expect(try file.size() == 8)
            #expect(try file.read(count: 100, at: 0) == [1, 2, 3, 4, 5, 0, 0, 9])
            #expect(try file.read(count: 2, at: 3) == [4, 5])
            #expect(try file.read(count: 4, at: 8) == [])
            try file.truncate(to: 2)
            try file.sync()
            #expect(try file.readAll() == [1, 2])
            #expect(try file.modificationTime() > 0)
        }
    }

    @Test(arguments: implementations) func openModes(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            #expect(throws: FileIOError.self) { try fileSystem.open("\(root)/missing", mode: .read) }
            do throws(FileIOError) {
                _ = try fileSystem.open("\(root)/missing", mode: .readWrite)
                Issue.record("opening a missing file succeeded")
            } catch {
                #expect(error.isNotFound && error.operation == "open" && error.path.hasSuffix("/missing"))
                #expect(error.description.contains("No such file or directory"))
            }
            let created = try fileSystem.open("\(root)/new", mode: .createExclusive)
            try created.write([7, 7], at: 0)
            created.close()
            do throws(FileIOError) {
                _ = try fileSystem.open("\(root)/new", mode: .createExclusive)
                Issue.record("an exclusive create of an existing file succeeded")
            } catch {
                #expect(error.isAlreadyExisting)
            }
            let reader = try fileSystem.open("\(root)/new", mode: .read)
            #expect(throws: FileIOError.self) { try reader.write([1], at: 0) }
            reader.close()
            let replaced = try fileSystem.open("\(root)/new", mode: .replace)
            #expect(try replaced.size() == 0)
            replaced.close()
        }
    }

    @Test(arguments: implementations) func directoriesRenameAndRemove(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            try fileSystem.makeDirectories("\(root)/x/y/z")
            try fileSystem.makeDirectories("\(root)/x/y")
            #expect(fileSystem.isDirectory("\(root)/x/y/z"))
            try fileSystem.writeAtomically([1, 2, 3], to: "\(root)/x/file")
            #expect(Set(try fileSystem.list("\(root)/x")) == ["y", "file"])
            #expect(try fileSystem.readWholeFile("\(root)/x/file") == [1, 2, 3])
            #expect(try fileSystem.readWholeFile("\(root)/x/none") == nil)
            #expect(throws: FileIOError.self) { try fileSystem.readWholeFile("\(root)/x/file", limit: 2) }

            try fileSystem.writeAtomically([4], to: "\(root)/x/file")
            #expect(try fileSystem.readWholeFile("\(root)/x/file") == [4])
            #expect(!fileSystem.exists("\(root)/x/file.tmp"))

            try fileSystem.rename("\(root)/x/file", to: "\(root)/x/y/moved")
            #expect(!fileSystem.exists("\(root)/x/file") && fileSystem.exists("\(root)/x/y/moved"))
            do throws(FileIOError) {
                try fileSystem.removeDirectory("\(root)/x/y")
                Issue.record("removing a directory with entries succeeded")
            } catch {
                #expect(error.code == ENOTEMPTY)
            }
            try fileSystem.remove("\(root)/x/y/moved")
            try fileSystem.removeIfPresent("\(root)/x/y/moved")
            try fileSystem.removeDirectory("\(root)/x/y/z")
            try fileSystem.removeDirectory("\(root)/x/y")
            try fileSystem.removeDirectoryIfPresent("\(root)/x/y")
            try fileSystem.syncDirectory("\(root)/x")
            #expect(try fileSystem.list("\(root)/x") == [])
        }
    }

    @Test(arguments: implementations) func openFileOutlivesItsName(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            let file = try fileSystem.open("\(root)/f", mode: .create)
            try file.write([1, 2, 3, 4], at: 0)
            let copy = try file.duplicate()
            file.close()
            try fileSystem.remove("\(root)/f")
            #expect(try copy.readAll() == [1, 2, 3, 4])
            copy.close()

            let anonymous = try fileSystem.openAnonymous(in: root)
            defer { anonymous.close() }
            try anonymous.write([5, 6, 7], at: 0)
            #expect(try fileSystem.list(root) == [])
            let target = try fileSystem.open("\(root)/target", mode: .create)
            defer { target.close() }
            try target.write([0], at: 0)
            try target.copy(2, from: anonymous, at: 1, to: 1)
            #expect(try target.readAll() == [0, 6, 7])
        }
    }

    @Test(arguments: implementations) func lockIsExclusiveUntilClosed(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            let first = try fileSystem.open("\(root)/lock", mode: .create)
            let second = try fileSystem.open("\(root)/lock", mode: .create)
            defer { second.close() }
            #expect(try first.tryLock())
            #expect(try !second.tryLock())
            first.close()
            #expect(try second.tryLock())
        }
    }
}

/// Runs `body` with a file system of `kind` and an empty directory in it.
func withFileSystem(_ kind: String, _ body: (any FileSystemIO, String) throws -> Void) throws {
    if kind == "memory" {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.makeDirectories("/test")
        try body(fileSystem, "/test")
        return
    }
    var template = Array("/tmp/fileio-test-XXXXXX".utf8CString)
    let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    defer { removeTree(directory) }
    try body(PosixFileSystem(), directory)
}

private func removeTree(_ path: String) {
    let fileSystem = PosixFileSystem()
    // A symbolic link is removed, never followed.
    if fileSystem.entryKind(path) == .directory {
        for name in (try? fileSystem.list(path)) ?? [] { removeTree("\(path)/\(name)") }
        try? fileSystem.removeDirectory(path)
    } else {
        try? fileSystem.remove(path)
    }
}
