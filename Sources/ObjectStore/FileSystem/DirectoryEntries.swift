import FileIO

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
    /// to directories' names; partial files, links and other kinds are left out.
    static func read(_ directory: any DirectoryHandleIO, path: String) throws(ObjectStoreError) -> [Entry] {
        let all: [DirectoryEntry]
        do throws(FileIOError) {
            all = try directory.entries()
        } catch {
            throw .file(error, "read the directory", path: path, key: nil)
        }
        let partial = Array(FileSystemObjectStore.partialFilePrefix.utf8)
        var entries: [Entry] = []
        for entry in all where !entry.name.starts(with: partial) && (entry.kind == .directory || entry.kind == .regularFile) {
            guard let text = String(validating: entry.name, as: UTF8.self) else { continue }
            entries.append(Entry(name: entry.name, isDirectory: entry.kind == .directory, text: text))
        }
        return entries
            .map { (order: $0.isDirectory ? $0.name + [UInt8(ascii: "/")] : $0.name, entry: $0) }
            .sorted { $0.order.lexicographicallyPrecedes($1.order) }
            .map(\.entry)
    }
}
