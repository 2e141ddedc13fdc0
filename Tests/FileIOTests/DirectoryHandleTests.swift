#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileIO
import Testing

/// Operations relative to an open directory, on both implementations, and
/// the POSIX one's refusal of symbolic links.
@Suite struct DirectoryHandleTests {
    @Test(arguments: FileSystemContractTests.implementations) func walkCreateRenameAndRemove(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            let top = try fileSystem.openDirectory(root)
            try top.makeDirectory("a")
            try top.sync()
            let a = try top.openDirectory("a")
            let file = try a.openFile("part", mode: .createExclusive)
            try file.write([1, 2, 3], at: 0)
            #expect(try file.status().kind == .regularFile && file.status().size == 3)
            file.close()
            #expect(throws: FileIOError.self) { try a.openFile("part", mode: .createExclusive) }
            try a.rename("part", to: "object")
            #expect(try a.status(of: "part") == nil)
            #expect(try a.status(of: "object")?.size == 3)
            #expect(try top.status(of: "a")?.kind == .directory)
            #expect(try a.entries() == [DirectoryEntry(name: Array("object".utf8), kind: .regularFile)])
            do throws(FileIOError) {
                _ = try a.openDirectory("object")
                Issue.record("a file opened as a directory")
            } catch {
                #expect(error.isNotDirectory)
            }
            do throws(FileIOError) {
                _ = try a.openDirectory("missing")
                Issue.record("a missing directory opened")
            } catch {
                #expect(error.isNotFound)
            }
            do throws(FileIOError) {
                try top.removeDirectory("a")
                Issue.record("a directory with entries removed")
            } catch {
                #expect(error.isDirectoryInTheWay)
            }
            try a.remove("object")
            try top.removeDirectory("a")
            #expect(try top.entries().isEmpty)
            #expect(try fileSystem.canonicalPath(root + "/.") == fileSystem.canonicalPath(root))
        }
    }

    @Test func posixFollowsNoSymbolicLinkBelowTheDirectory() throws {
        try withFileSystem("posix") { fileSystem, root in
            try fileSystem.makeDirectories(root + "/outside")
            try fileSystem.writeAtomically([7], to: root + "/outside/secret")
            try fileSystem.makeDirectories(root + "/inside")
            #expect(symlink(root + "/outside", root + "/inside/dir") == 0)
            #expect(symlink(root + "/outside/secret", root + "/inside/file") == 0)
            let inside = try fileSystem.openDirectory(root + "/inside")
            do throws(FileIOError) {
                _ = try inside.openDirectory("dir")
                Issue.record("a link to a directory was followed")
            } catch {
                #expect(error.isSymbolicLinkRefused || error.isNotDirectory)
            }
            do throws(FileIOError) {
                _ = try inside.openFile("file", mode: .read)
                Issue.record("a link to a file was followed")
            } catch {
                #expect(error.isSymbolicLinkRefused)
            }
            #expect(try inside.status(of: "file")?.kind == .symbolicLink)
            #expect(fileSystem.entryKind(root + "/inside/dir") == .symbolicLink)
            #expect(Set(try inside.entries().map(\.kind)) == [.symbolicLink])
        }
    }

    @Test func posixRenameWithoutReplacingKeepsWhatIsThere() throws {
        try withFileSystem("posix") { fileSystem, root in
            try fileSystem.writeAtomically([1], to: root + "/new")
            try fileSystem.writeAtomically([2], to: root + "/taken")
            do throws(FileIOError) {
                try fileSystem.renameWithoutReplacing(root + "/new", to: root + "/taken")
                Issue.record("an existing file was replaced")
            } catch {
                #expect(error.isAlreadyExisting)
            }
            #expect(try fileSystem.readWholeFile(root + "/taken") == [2])
            try fileSystem.renameWithoutReplacing(root + "/new", to: root + "/free")
            #expect(try fileSystem.readWholeFile(root + "/free") == [1] && !fileSystem.exists(root + "/new"))
        }
    }

    @Test(arguments: FileSystemContractTests.implementations) func linkGivesAnOpenFileASecondName(_ kind: String) throws {
        try withFileSystem(kind) { fileSystem, root in
            let top = try fileSystem.openDirectory(root)
            try top.makeDirectory("store")
            let store = try top.openDirectory("store")
            try fileSystem.writeAtomically([1, 2, 3], to: root + "/segment")
            let segment = try fileSystem.open(root + "/segment", mode: .read)
            defer { segment.close() }
            try store.link(segment, as: "object")
            try store.sync()
            #expect(try fileSystem.readWholeFile(root + "/store/object") == [1, 2, 3])
            // One file under two names: a change shows under both; removing one name leaves the other.
            let writer = try fileSystem.open(root + "/segment", mode: .readWrite)
            try writer.write([9], at: 3)
            writer.close()
            #expect(try fileSystem.readWholeFile(root + "/store/object") == [1, 2, 3, 9])
            try fileSystem.remove(root + "/segment")
            #expect(try fileSystem.readWholeFile(root + "/store/object") == [1, 2, 3, 9])

            do throws(FileIOError) {
                try store.link(segment, as: "object")
                Issue.record("a link replaced an existing name")
            } catch {
                #expect(error.isAlreadyExisting)
            }
            // A file removed while open has no name left to link.
            try fileSystem.writeAtomically([4], to: root + "/gone")
            let gone = try fileSystem.open(root + "/gone", mode: .read)
            defer { gone.close() }
            try fileSystem.remove(root + "/gone")
            do throws(FileIOError) {
                try store.link(gone, as: "orphan")
                Issue.record("a file without a name was linked")
            } catch {
                #expect(error.isNotFound)
            }
            #expect(try store.status(of: "orphan") == nil)
        }
    }

    @Test func linkAcrossFileSystemsIsRefusedAsCrossDevice() throws {
        let memory = InMemoryFileSystem()
        try memory.makeDirectories("/store")
        try withFileSystem("posix") { posix, root in
            try posix.writeAtomically([1], to: root + "/segment")
            let segment = try posix.open(root + "/segment", mode: .read)
            defer { segment.close() }
            do throws(FileIOError) {
                try memory.openDirectory("/store").link(segment, as: "object")
                Issue.record("a file of another file system was linked")
            } catch {
                #expect(error.code == EXDEV)
            }
            #expect(!memory.exists("/store/object"))
        }
    }
}
