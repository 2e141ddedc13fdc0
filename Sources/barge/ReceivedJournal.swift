import Barge
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ids of messages `barge receive` has put into a directory, in a file
/// there (`.barge-received`), so that a message delivered again after a
/// crash between writing its file and committing its offset is recognised
/// and not written twice. Each line is `<id> <file name>`, synced before the
/// offset is committed.
struct ReceivedJournal {
    static let fileName = ".barge-received"
    private let fd: Int32
    private let directory: String
    private(set) var names: [String: String] = [:]

    /// Opens (or creates) the journal in `directory`.
    init(directory: String) throws {
        self.directory = directory
        let path = directory + "/" + Self.fileName
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 1)
                if fields.count == 2 { names[String(fields[0])] = String(fields[1]) }
            }
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure("cannot write to \(directory): \(String(cString: strerror(errno)))") }
    }

    /// Removes files a receiver killed mid-payload left behind.
    func removePartialFiles() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where file.hasSuffix(BargeMessage.partialFileSuffix) {
            try? FileManager.default.removeItem(atPath: directory + "/" + file)
        }
    }

    /// The file name a message id was received under, if it was.
    func name(of id: String) -> String? { names[id] }

    /// Whether some message was received under `name`.
    func isTaken(_ name: String) -> Bool { names.values.contains(name) }

    /// Records `id` as received under `name`, synced to disk (off Swift's
    /// cooperative pool).
    mutating func record(_ id: String, name: String) async throws {
        let line = Array("\(id) \(name)\n".utf8)
        try await NIOThreadPool.singleton.runIfActive { [fd] in
            guard line.withUnsafeBytes({ write(fd, $0.baseAddress!, line.count) }) == line.count, fsync(fd) == 0 else {
                throw CommandFailure("cannot write the receive journal: \(String(cString: strerror(errno)))")
            }
        }
        names[id] = name
    }
}
