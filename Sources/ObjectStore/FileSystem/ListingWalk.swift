import FileIO

/// One page of a file-system listing: the objects whose keys start with a prefix and come
/// after a given key, in ascending UTF-8 order.
///
/// A directory's entries are visited sorted by name, with `/` appended to directories' names,
/// which is the order of the keys below them: `a/b-x` < `a/b.txt` < `a/b/c`. Directories
/// whose keys all fall before the page's start or outside the prefix are not opened.
struct ListingWalk {
    private let root: String
    private let fileSystem: any FileSystemIO
    private let prefix: [UInt8]
    private let after: [UInt8]?
    private let limit: Int
    private var found: [ObjectInfo] = []

    /// The first `limit` objects below `root` whose keys start with `prefix` and come after
    /// `after`, and the key to continue after when there are more.
    static func page(
        below root: String, in fileSystem: any FileSystemIO, prefix: String, after: String?, limit: Int
    ) throws(ObjectStoreError) -> (objects: [ObjectInfo], continuation: String?) {
        var walk = ListingWalk(root: root, fileSystem: fileSystem, prefix: Array(prefix.utf8), after: after.map { Array($0.utf8) }, limit: limit)
        // Start in the deepest directory the prefix names whole: `a/b/c` starts in `a/b`.
        let start: any DirectoryHandleIO
        var startKey: [UInt8] = []
        if let slash = prefix.utf8.lastIndex(of: UInt8(ascii: "/")) {
            guard let directory = try? ObjectKey(String(prefix[..<slash])) else { return ([], nil) }
            do throws(ObjectStoreError) {
                let opened = try ConfinedPath.openDirectories(directory.segments, below: root, in: fileSystem, key: directory, create: false)
                start = opened[opened.count - 1]
            } catch {
                if error.kind == .notFound || error.kind == .invalidKey { return ([], nil) }
                throw error
            }
            startKey = Array(directory.rawValue.utf8) + [UInt8(ascii: "/")]
        } else {
            do throws(FileIOError) {
                start = try fileSystem.openDirectory(root)
            } catch {
                throw .file(error, "open the store's root directory", path: root, key: nil)
            }
        }
        _ = try walk.visit(start, keyPrefix: startKey)
        guard walk.found.count > limit else { return (walk.found, nil) }
        let objects = Array(walk.found.prefix(limit))
        return (objects, objects.last?.key.rawValue)
    }

    /// Adds the objects in `directory` (whose keys start with `keyPrefix`) and below it;
    /// returns true once one more than `limit` objects are found.
    private mutating func visit(_ directory: any DirectoryHandleIO, keyPrefix: [UInt8]) throws(ObjectStoreError) -> Bool {
        let path = String(decoding: keyPrefix, as: UTF8.self)
        for entry in try DirectoryEntries.read(directory, path: root + "/" + path) {
            let key = keyPrefix + entry.name
            if entry.isDirectory {
                let below = key + [UInt8(ascii: "/")]
                guard below.starts(with: prefix) || prefix.starts(with: below) else { continue }
                if let after, below.lexicographicallyPrecedes(after), !after.starts(with: below) { continue }
                let child: any DirectoryHandleIO
                do throws(FileIOError) {
                    child = try directory.openDirectory(entry.text)
                } catch where error.isNotFound || error.isSymbolicLinkRefused || error.isNotDirectory {
                    continue  // changed since read
                } catch {
                    throw .file(error, "open the directory", path: root + "/" + String(decoding: key, as: UTF8.self), key: nil)
                }
                if try visit(child, keyPrefix: below) { return true }
            } else {
                guard key.starts(with: prefix) else { continue }
                if let after, !after.lexicographicallyPrecedes(key) { continue }
                guard let text = String(validating: key, as: UTF8.self), let objectKey = try? ObjectKey(text) else { continue }
                guard let status = try? directory.status(of: entry.text), status.kind == .regularFile else { continue }
                found.append(status.objectInfo(key: objectKey))
                if found.count > limit { return true }
            }
        }
        return false
    }
}
