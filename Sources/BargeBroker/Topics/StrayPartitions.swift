import FileIO
import Logging

/// Partition directories (`<topic>-<index>` in the data directory) that
/// belong to no topic: left by a topic creation that a crash interrupted,
/// or by a topic whose metadata file was lost. They are never adopted by a
/// topic created later under the same name, and never silently ignored:
/// one without data (no non-empty segment) is removed; one with data is
/// moved into `<data-dir>/.stray/` for the operator to restore or delete.
/// Either way the broker's log says so.
struct StrayPartitions {
    /// Where directories with data are moved, inside the data directory.
    static let folderName = ".stray"

    let dataDirectory: String
    let logger: Logger
    let fileSystem: any FileSystemIO

    /// The index in `name` if it looks like a partition directory (`<topic>-<digits>`), and the topic's name.
    static func partition(in name: String) -> (topic: String, index: Int)? {
        guard let dash = name.lastIndex(of: "-"), dash != name.startIndex else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(digits) else {
            return nil
        }
        return (String(name[..<dash]), index)
    }

    /// Handles every partition directory whose topic is not in `partitionCounts` or whose index is beyond its count.
    func sweep(partitionCounts: [String: Int32]) throws(FileIOError) {
        for name in try fileSystem.list(dataDirectory).sorted() {
            guard let (topic, index) = Self.partition(in: name), TopicName.syntaxProblem(with: topic) == nil,
                  isDirectory(name) else { continue }
            if let count = partitionCounts[topic], index < count { continue }
            try setAside(name)
        }
    }

    /// Removes the partition directory `name` if it holds no data, or moves it into `.stray/`.
    func setAside(_ name: String) throws(FileIOError) {
        let path = dataDirectory + "/" + name
        if try !holdsData(path) {
            try fileSystem.removeTree(path)
            try fileSystem.syncDirectory(dataDirectory)
            logger.warning("removed a partition directory without data that belongs to no topic (left by an interrupted topic creation)",
                           metadata: ["directory": "\(path)"])
            return
        }
        let folder = dataDirectory + "/" + Self.folderName
        try fileSystem.makeDirectories(folder, durably: true)
        let target = folder + "/" + name
        guard !fileSystem.exists(target) else {
            throw FileIOError.alreadyExisting(operation: "move a stray partition directory to \(target)", path: path)
        }
        try fileSystem.rename(path, to: target)
        try fileSystem.syncDirectory(folder)
        try fileSystem.syncDirectory(dataDirectory)
        logger.warning("moved a partition directory with data that belongs to no topic out of the way; restore its topic's metadata file in __topics/ and move it back, or delete it",
                       metadata: ["from": "\(path)", "to": "\(target)"])
    }

    /// Whether a partition directory holds a non-empty segment file.
    private func holdsData(_ path: String) throws(FileIOError) -> Bool {
        try fileSystem.list(path).contains { name in
            guard name.hasSuffix(".log") else { return false }
            return ((try? fileSystem.fileSize(path + "/" + name)) ?? 1) > 0
        }
    }

    private func isDirectory(_ name: String) -> Bool {
        fileSystem.isDirectory(dataDirectory + "/" + name)
    }
}
