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
}
