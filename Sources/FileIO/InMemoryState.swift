#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data of one file in `InMemoryFileSystem`: what processes see and what is on disk.
final class InMemoryNode {
    var data: [UInt8] = []
    var durableData: [UInt8] = []
    var modificationTime = InMemoryNode.now()
    /// The handle holding the file's lock, if one does.
    var lockHolder: ObjectIdentifier?

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// A fault waiting for a matching operation.
struct InMemoryFault {
    enum Kind: Equatable {
        case write, sync
        case tear(keeping: Int)
    }
    let kind: Kind
    let pattern: String
    var remaining: Int
    let code: CInt
}

/// The state of `InMemoryFileSystem`, changed only under its lock.
struct InMemoryState {
    var files: [String: InMemoryNode] = [:]
    var directories: Set<String> = ["/"]
    /// Files without a name, counted against the quota until the handle that made them closes.
    var anonymous: [ObjectIdentifier: InMemoryNode] = [:]
    var durableFiles: [String: InMemoryNode] = [:]
    var durableDirectories: Set<String> = ["/"]
    var quota: Int?
    var faults: [InMemoryFault] = []
    /// Counts crashes: handles of an earlier generation fail.
    var generation = 0

    /// `path` without a trailing slash, doubled slashes, `.` or `..`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    func usedBytes() -> Int {
        var seen = Set<ObjectIdentifier>()
        var total = 0
        for node in Array(files.values) + Array(anonymous.values) where seen.insert(ObjectIdentifier(node)).inserted {
            total += node.data.count
        }
        return total
    }

    /// The paths of the files and directories right inside `directory`.
    func children(of directory: String) -> [String] {
        (Array(files.keys) + Array(directories)).filter { $0 != "/" && Self.parent(of: $0) == directory }
    }

    /// Throws the error of the first fault of `kind` that matches `path`, using it up.
    mutating func checkFault(_ kind: InMemoryFault.Kind, _ path: String, operation: String) throws(FileIOError) {
        guard let index = faults.firstIndex(where: { $0.kind == kind && $0.remaining > 0 && path.contains($0.pattern) }) else { return }
        faults[index].remaining -= 1
        let code = faults[index].code
        if faults[index].remaining == 0 { faults.remove(at: index) }
        throw FileIOError(operation: operation, path: path, code: code)
    }

    /// How many bytes of a torn write reach the disk early, using the fault up; nil when none matches.
    mutating func tornPrefix(_ path: String) -> Int? {
        guard let index = faults.firstIndex(where: {
            if case .tear = $0.kind { return path.contains($0.pattern) } else { return false }
        }) else { return nil }
        guard case .tear(let keeping) = faults.remove(at: index).kind else { return nil }
        return keeping
    }

    mutating func rename(_ from: String, to: String) throws(FileIOError) {
        guard directories.contains(Self.parent(of: to)) else { throw FileIOError(operation: "rename to \(to)", path: from, code: ENOENT) }
        try checkFault(.write, from, operation: "rename to \(to)")
        if let node = files[from] {
            if directories.contains(to) { throw FileIOError(operation: "rename to \(to)", path: from, code: EISDIR) }
            files[from] = nil
            files[to] = node
        } else if directories.contains(from) {
            if files[to] != nil || !children(of: to).isEmpty { throw FileIOError(operation: "rename to \(to)", path: from, code: ENOTEMPTY) }
            let prefix = from + "/"
            for (path, node) in files where path.hasPrefix(prefix) {
                files[path] = nil
                files[to + path.dropFirst(from.count)] = node
            }
            let moved = directories.filter { $0 == from || $0.hasPrefix(prefix) }
            directories.subtract(moved)
            directories.formUnion(moved.map { to + $0.dropFirst(from.count) })
        } else {
            throw FileIOError(operation: "rename to \(to)", path: from, code: ENOENT)
        }
    }

    /// Makes the entries right inside `directory` durable as they are now.
    /// A directory's own contents become durable only with its own sync, as on Linux.
    mutating func makeEntriesDurable(in directory: String) {
        let isChild = { (path: String) in path != "/" && Self.parent(of: path) == directory }
        for path in durableFiles.keys where isChild(path) { durableFiles[path] = nil }
        for (path, node) in files where isChild(path) { durableFiles[path] = node }
        let durableChildren = durableDirectories.filter(isChild)
        durableDirectories.subtract(durableChildren)
        durableDirectories.formUnion(directories.filter(isChild))
    }

    mutating func crash() {
        // A directory entry survives only under a durable directory.
        var directoriesLeft = durableDirectories
        var changed = true
        while changed {
            changed = false
            for path in directoriesLeft where path != "/" && !directoriesLeft.contains(Self.parent(of: path)) {
                directoriesLeft.remove(path)
                changed = true
            }
        }
        directories = directoriesLeft
        durableDirectories = directoriesLeft
        files = durableFiles.filter { directoriesLeft.contains(Self.parent(of: $0.key)) }
        durableFiles = files
        for node in files.values {
            node.data = node.durableData
            node.lockHolder = nil
        }
        faults.removeAll()
        anonymous.removeAll()
        generation += 1
    }
}
