#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of one directory that may hold objects, in listing order.
enum DirectoryEntries {
    /// A regular file or directory in a directory.
    struct Entry {
        /// The name's bytes.
        let name: [UInt8]
        /// Whether it is a directory (else a regular file).
        let isDirectory: Bool

        /// The name as text (names that are not UTF-8 are left out: no key has them).
        let text: String
    }

    /// The regular files and directories in `directory`, sorted by name with `/` appended
    /// to directories' names; `.`, `..`, partial files, links and other kinds are left out.
    static func read(_ directory: PosixDescriptor, path: String) throws(ObjectStoreError) -> [Entry] {
        let duplicate = fcntl(directory.raw, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { throw .posix(errno, "open the directory", path: path, key: nil) }
        guard let stream = fdopendir(duplicate) else {
            let code = errno
            close(duplicate)
            throw .posix(code, "read the directory", path: path, key: nil)
        }
        defer { closedir(stream) }
        var entries: [Entry] = []
        let partial = Array(FileSystemObjectStore.partialFilePrefix.utf8)
        while true {
            errno = 0
            guard let record = readdir(stream) else {
                if errno != 0 { throw .posix(errno, "read the directory", path: path, key: nil) }
                break
            }
            let name = withUnsafeBytes(of: record.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] || name.starts(with: partial) { continue }
            guard let text = String(validating: name, as: UTF8.self) else { continue }
            switch Int32(record.pointee.d_type) {
            case Int32(DT_DIR): entries.append(Entry(name: name, isDirectory: true, text: text))
            case Int32(DT_REG): entries.append(Entry(name: name, isDirectory: false, text: text))
            case Int32(DT_UNKNOWN):
                var status = stat()
                guard fstatat(directory.raw, text, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if status.isDirectory || status.isRegularFile { entries.append(Entry(name: name, isDirectory: status.isDirectory, text: text)) }
            default: continue
            }
        }
        return entries
            .map { (order: $0.isDirectory ? $0.name + [UInt8(ascii: "/")] : $0.name, entry: $0) }
            .sorted { $0.order.lexicographicallyPrecedes($1.order) }
            .map(\.entry)
    }
}
