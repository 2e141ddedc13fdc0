import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written off the cooperative pool, for ``BargeMessage/write(to:temporaryPath:replacingExisting:)``:
/// created under a temporary name, synced, then given its final name.
final class OutputFile: Sendable {
    private let fd: Int32
    private let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Creates (or truncates) the file at `path`; a symbolic link there is refused.
    static func create(_ path: String) async throws -> OutputFile {
        try await NIOThreadPool.singleton.runIfActive {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { throw Self.error("create \(path)") }
            return OutputFile(fd: fd, path: path)
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await NIOThreadPool.singleton.runIfActive { [fd, path] in
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, bytes.count - written) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw Self.error("write \(path)") }
                written += result
            }
        }
    }

    /// Syncs the file, gives it the name `destination` and closes it;
    /// without `replacing`, a file already at `destination` stays and this
    /// throws. On a throw the file is still open: ``discard()`` it.
    func finish(renamingTo destination: String, replacing: Bool) async throws {
        try await NIOThreadPool.singleton.runIfActive { [fd, path] in
            guard fsync(fd) == 0 else { throw Self.error("sync \(path)") }
            if replacing {
                guard rename(path, destination) == 0 else { throw Self.error("rename \(path) to \(destination)") }
            } else {
                try Self.move(path, toNew: destination)
            }
            close(fd)
            syncDirectory(of: destination)
        }
    }

    /// Gives `path` the name `destination` unless something is there: by a
    /// hard link (atomic), or, on a file system without them, by a rename
    /// after checking.
    private static func move(_ path: String, toNew destination: String) throws {
        if systemLink(path, destination) == 0 {
            unlink(path)
            return
        }
        let exists = BargeConsumerError(.storage, "cannot write \(destination): a file of that name exists")
        if errno == EEXIST { throw exists }
        guard [EPERM, ENOTSUP, EOPNOTSUPP, EMLINK].contains(errno) else { throw error("link \(path) to \(destination)") }
        var status = stat()
        guard lstat(destination, &status) != 0, errno == ENOENT else { throw exists }
        guard rename(path, destination) == 0 else { throw error("rename \(path) to \(destination)") }
    }

    /// Closes and removes the file (after a failure before ``finish(renamingTo:replacing:)`` completed).
    func discard() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [fd, path] in
            close(fd)
            unlink(path)
        }
    }

    private static func error(_ what: String) -> BargeConsumerError {
        BargeConsumerError(.storage, "cannot \(what): \(String(cString: strerror(errno)))")
    }
}

/// POSIX `write`, named apart from methods called `write`.
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// POSIX `link`.
private func systemLink(_ path: String, _ destination: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.link(path, destination)
    #else
    Darwin.link(path, destination)
    #endif
}

/// Syncs the directory holding `path`, so that a rename into it survives a
/// power loss (best effort).
func syncDirectory(of path: String) {
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
}
