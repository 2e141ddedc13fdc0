import FileIO

/// A store that keeps each object as a file below a root directory: the key `a/b/c` is
/// the file `root/a/b/c`.
///
/// - Durability: `put` writes a partial file next to the target, flushes it, renames it over
///   the target and flushes the directory, so an object is either complete or absent, even
///   after a crash. Partial files are named `.barge-partial-` followed by random hex
///   digits; `list` never shows them, keys with a segment starting with `.barge-partial-`
///   are refused as `.invalidKey`, and a failed or cancelled `put` removes its partial
///   file. Only a crash can leave one behind; it can be deleted when no `put` is running.
/// - Confinement: no symbolic link below the root is followed. A key whose file or one of
///   whose directories is a link fails with `.invalidKey` in `get`, `put`, `head` and
///   `delete`, and `list` skips links. The root itself may be reached through links: it is
///   resolved once, when the store is made.
/// - Layout: directories are created as `put` needs them and removed by `delete` once
///   empty. Because a file cannot also be a directory, this store cannot hold both `a/b`
///   and `a/b/c`; a `put` that would need both fails with `.invalidKey`.
/// - Blocking system calls run on NIO's thread pool, never on Swift's cooperative pool.
public struct FileSystemObjectStore: ObjectStore {
    /// The root directory, absolute and canonical (no links, no trailing `/`).
    public let root: String
    /// The file system the root is on.
    let fileSystem: any FileSystemIO

    /// How many objects one page of a listing holds.
    public let listPageSize: Int

    /// Where the store keeps its objects: `.fileSystem(root:)` with the canonical root.
    public var location: ObjectStoreLocation { .fileSystem(root: root) }

    /// The prefix of partial files' names.
    static let partialFilePrefix = ".barge-partial-"
    /// How many bytes `get` reads at a time, and `put` gathers before writing.
    static let pieceSize = 256 * 1024

    /// A store below `root`, which is created when missing.
    ///
    /// - Parameters:
    ///   - root: an absolute path; links in it are resolved now.
    ///   - listPageSize: how many objects a listing fetches at a time. Default: 1000.
    ///   - fileSystem: the file system the root is on. Default: the real one.
    /// - Throws: `.configuration` when `root` is not absolute or is not a directory, or a
    ///   typed file-system error when it cannot be created or resolved.
    public init(root: String, listPageSize: Int = 1000, fileSystem: any FileSystemIO = PosixFileSystem()) throws(ObjectStoreError) {
        guard root.hasPrefix("/") else {
            throw ObjectStoreError(.configuration, "the file-system store's root '\(root)' is not an absolute path")
        }
        guard listPageSize > 0 else {
            throw ObjectStoreError(.configuration, "the file-system store's list page size must be positive, not \(listPageSize)")
        }
        do throws(FileIOError) {
            try fileSystem.makeDirectories(root)
        } catch where error.isAlreadyExisting {
            // Something that is not a directory: refused below.
        } catch {
            throw .file(error, "create the store's root directory", path: error.path, key: nil)
        }
        do throws(FileIOError) {
            self.root = try fileSystem.canonicalPath(root)
        } catch {
            throw .file(error, "resolve the store's root", path: root, key: nil)
        }
        self.listPageSize = listPageSize
        self.fileSystem = fileSystem
        guard fileSystem.isDirectory(self.root) else {
            throw ObjectStoreError(.configuration, "the file-system store's root \(self.root) is not a directory")
        }
    }

    /// A new partial file's name: the prefix and random hex digits.
    static func partialFileName() -> String {
        partialFilePrefix + String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// Refuses keys that name partial files.
    func checkNotReserved(_ key: ObjectKey) throws(ObjectStoreError) {
        let reserved = Self.partialFilePrefix.utf8
        if key.segments.contains(where: { $0.utf8.starts(with: reserved) }) {
            throw ObjectStoreError(.invalidKey, key: key.rawValue,
                                   "segments starting with '\(Self.partialFilePrefix)' are reserved for the file-system store's unfinished writes")
        }
    }
}
