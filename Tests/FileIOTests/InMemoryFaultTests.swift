#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileIO
import Testing

/// The faults `InMemoryFileSystem` injects, and its model of durability.
@Suite struct InMemoryFaultTests {
    private func fileSystem(quota: Int? = nil) throws -> InMemoryFileSystem {
        let fileSystem = InMemoryFileSystem(quota: quota)
        try fileSystem.makeDirectories("/data")
        try fileSystem.syncDirectory("/")
        return fileSystem
    }

    @Test func quotaLandsWhatFitsThenFailsWithNoSpace() throws {
        let fileSystem = try fileSystem(quota: 10)
        let file = try fileSystem.open("/data/f", mode: .create)
        try file.write([UInt8](repeating: 1, count: 6), at: 0)
        do throws(FileIOError) {
            try file.write([UInt8](repeating: 2, count: 6), at: 6)
            Issue.record("a write past the quota succeeded")
        } catch {
            #expect(error.isNoSpace && error.path == "/data/f" && error.operation == "pwritev")
            #expect(error.description.contains("No space left on device"))
        }
        #expect(try file.size() == 10, "the part that fits lands, as a short write does")
        #expect(fileSystem.usedBytes == 10)
        // Overwriting in place needs no space.
        try file.write([3, 3], at: 0)
        try file.truncate(to: 4)
        try file.write([4, 4, 4], at: 4)
        fileSystem.quota = nil
        try file.write([UInt8](repeating: 5, count: 100), at: 7)
        #expect(try file.size() == 107)
    }

    @Test func failedWritesLandNothingAndMatchTheirPattern() throws {
        let fileSystem = try fileSystem()
        let log = try fileSystem.open("/data/0.log", mode: .create)
        let index = try fileSystem.open("/data/0.index", mode: .create)
        fileSystem.failWrites(matching: ".log", count: 2)
        try index.write([1], at: 0)
        for _ in 0..<2 {
            do throws(FileIOError) {
                try log.write([1, 2, 3], at: 0)
                Issue.record("a write that should fail succeeded")
            } catch {
                #expect(error.isInputOutput)
            }
        }
        #expect(try log.size() == 0)
        try log.write([1, 2, 3], at: 0)
        #expect(try log.size() == 3)
        fileSystem.failWrites(matching: ".log", code: ENOSPC)
        #expect(throws: FileIOError(operation: "ftruncate", path: "/data/0.log", code: ENOSPC)) { try log.truncate(to: 0) }
    }

    @Test func failedSyncMakesNothingDurable() throws {
        let fileSystem = try fileSystem()
        let file = try fileSystem.open("/data/f", mode: .create)
        try fileSystem.syncDirectory("/data")
        try file.write([1, 2], at: 0)
        fileSystem.failSyncs(matching: "/data/f")
        #expect(throws: FileIOError.self) { try file.sync() }
        fileSystem.failSyncs(matching: "/data")
        #expect(throws: FileIOError.self) { try fileSystem.syncDirectory("/data") }
        fileSystem.crash()
        #expect(fileSystem.contents(of: "/data/f") == [], "the entry was durable, the data not")
        #expect(throws: FileIOError.self) { try file.size() }
    }

    @Test func crashKeepsOnlyWhatWasMadeDurable() throws {
        let fileSystem = try fileSystem()
        let synced = try fileSystem.open("/data/synced", mode: .create)
        try synced.write([1, 2, 3], at: 0)
        try synced.sync()
        try synced.write([4], at: 3)
        let unnamed = try fileSystem.open("/data/never-in-directory", mode: .create)
        try unnamed.write([9], at: 0)
        try unnamed.sync()
        // The directory is synced before the second file exists.
        try fileSystem.syncDirectory("/data")
        let late = try fileSystem.open("/data/late", mode: .create)
        try late.sync()
        try fileSystem.makeDirectory("/data/sub")

        fileSystem.crash()
        #expect(fileSystem.contents(of: "/data/synced") == [1, 2, 3])
        #expect(fileSystem.contents(of: "/data/never-in-directory") == [9])
        #expect(!fileSystem.exists("/data/late") && !fileSystem.exists("/data/sub"))
        #expect(Set(try fileSystem.list("/data")) == ["synced", "never-in-directory"])
    }

    @Test func crashUndoesARenameNotMadeDurable() throws {
        let fileSystem = try fileSystem()
        try fileSystem.writeAtomically([1], to: "/data/meta")
        let replacement = try fileSystem.open("/data/meta.tmp", mode: .replace)
        try replacement.write([2], at: 0)
        try replacement.sync()
        replacement.close()
        try fileSystem.rename("/data/meta.tmp", to: "/data/meta")
        #expect(try fileSystem.readWholeFile("/data/meta") == [2])
        fileSystem.crash()
        #expect(try fileSystem.readWholeFile("/data/meta") == [1], "the old contents, whole")
        try fileSystem.writeAtomically([3], to: "/data/meta")
        fileSystem.crash()
        #expect(try fileSystem.readWholeFile("/data/meta") == [3])
    }

    @Test func atomicWriteThatFailsLeavesTheOldFile() throws {
        let fileSystem = try fileSystem(quota: 5)
        try fileSystem.writeAtomically([1, 2], to: "/data/meta")
        #expect(throws: FileIOError.self) { try fileSystem.writeAtomically([UInt8](repeating: 7, count: 4), to: "/data/meta") }
        #expect(try fileSystem.readWholeFile("/data/meta") == [1, 2])
        #expect(!fileSystem.exists("/data/meta.tmp"))
        fileSystem.failSyncs(matching: "meta.tmp")
        #expect(throws: FileIOError.self) { try fileSystem.writeAtomically([3], to: "/data/meta") }
        #expect(try fileSystem.readWholeFile("/data/meta") == [1, 2])
    }

    @Test func tornWriteLeavesAPrefixAfterACrash() throws {
        let fileSystem = try fileSystem()
        let file = try fileSystem.open("/data/0.log", mode: .create)
        try fileSystem.syncDirectory("/data")
        try file.write([1, 1, 1], at: 0)
        try file.sync()
        fileSystem.tearNextWrite(matching: ".log", keeping: 2)
        try file.write([2, 2, 2, 2], at: 3)
        #expect(try file.readAll() == [1, 1, 1, 2, 2, 2, 2], "the write itself succeeds")
        fileSystem.crash()
        #expect(fileSystem.contents(of: "/data/0.log") == [1, 1, 1, 2, 2])
    }

    @Test func missingParentsAndKinds() throws {
        let fileSystem = try fileSystem()
        #expect(throws: FileIOError.self) { try fileSystem.open("/nowhere/f", mode: .create) }
        #expect(throws: FileIOError.self) { try fileSystem.makeDirectory("/nowhere/d") }
        #expect(throws: FileIOError.self) { try fileSystem.remove("/data") }
        #expect(throws: FileIOError.self) { try fileSystem.rename("/data/none", to: "/data/other") }
        try fileSystem.makeDirectories("/data/a/b")
        try fileSystem.writeAtomically([1], to: "/data/a/b/f")
        try fileSystem.rename("/data/a", to: "/data/c")
        #expect(try fileSystem.readWholeFile("/data/c/b/f") == [1])
        #expect(!fileSystem.exists("/data/a/b/f"))
    }
}
