import Barge
import FileIO
import Foundation

/// The directory `barge receive` writes payloads into, and the rules for
/// doing so safely: a payload goes under its sender's file name only if
/// ``BargeFileName`` accepts it and nothing is there yet (else under a name
/// of Barge's own, with a note saying why); it is written in a hidden
/// directory of partial files (`.barge-partial/`) and renamed into place
/// once verified, never over an existing file; and the journal
/// (``ReceivedJournal``) records each step, so a payload lands once even
/// across crashes.
struct ReceiveDirectory {
    let path: String
    private let fileSystem: any FileSystemIO = PosixFileSystem()
    private let journal: ReceivedJournal
    private let partialDirectory: String

    /// Where a message goes, and why there.
    struct Placement {
        /// The file name in the directory.
        var name: String
        /// Why the sender's name was not used, if it was not.
        var note: String?
        /// Whether a write a crash cut short is resumed (the file, if there, is this message's).
        var resumes = false
    }

    /// Opens `path` (created if missing), its journal, and empties its partial files.
    init(path: String) throws {
        do throws(FileIOError) {
            try fileSystem.makeDirectories(path)
        } catch {
            throw CommandFailure("cannot create \(path): \(error.reason)")
        }
        self.path = path
        journal = try ReceivedJournal(directory: path, fileSystem: fileSystem)
        partialDirectory = try journal.preparePartialDirectory()
        if journal.ignoredLines > 0 {
            FileHandle.standardError.write(Data("warning: \(journal.ignoredLines) lines of \(path)/\(ReceivedJournal.fileName) did not check and were ignored\n".utf8))
        }
    }

    /// The journal's key of a message: its id, or where a plain record is.
    static func key(of info: BargeMessageInfo) -> String {
        info.id?.text ?? "\(info.topic)-\(info.partition)-\(info.offset)"
    }

    /// The file name a message was received under before, if it was.
    func previousName(of key: String) -> String? { journal.name(of: key) }

    /// Where message `info` (journal key `key`) goes.
    func place(_ info: BargeMessageInfo, key: String) throws -> Placement {
        if let name = journal.interruptedName(of: key) { return Placement(name: name, resumes: true) }
        let own = BargeFileName.isAcceptable(key) ? key : "\(info.partition)-\(info.offset)"
        var placement = Placement(name: own)
        if let given = info.fileName {
            do {
                try BargeFileName.check(given)
                placement.name = given
            } catch {
                placement.note = "\(error.reason); written as \(own)"
            }
        }
        guard !isFree(placement.name) else { return placement }
        let candidates = ["\(own)-\(placement.name)", own] + (2...1000).map { "\(own)-\($0)" }
        guard let free = candidates.first(where: { BargeFileName.isAcceptable($0) && isFree($0) }) else {
            throw CommandFailure("no free file name for message \(key) in \(path)")
        }
        placement.note = (placement.note.map { $0 + "; " } ?? "") + "a file named \(placement.name) exists; written as \(free)"
        placement.name = free
        return placement
    }

    /// The partial file a message is written to before it is verified.
    func partialPath(of info: BargeMessageInfo) -> String {
        "\(partialDirectory)/\(info.partition)-\(info.offset)"
    }

    /// Writes `message`'s verified payload as `placement` says, journaled.
    func write(_ message: BargeMessage, key: String, as placement: Placement) async throws -> BargeMessageInfo {
        try await journal.beginWriting(key, name: placement.name)
        let verified = try await message.write(
            to: path + "/" + placement.name, temporaryPath: partialPath(of: message.info), replacingExisting: placement.resumes
        )
        try await journal.record(key, name: placement.name)
        return verified
    }

    /// Notes in the journal that message `key` failed and was passed.
    func recordFailure(_ key: String, kind: String) async throws {
        try await journal.recordFailure(key, kind: kind)
    }

    /// Whether no message of the journal has `name` and no file is there.
    private func isFree(_ name: String) -> Bool {
        !journal.isTaken(name) && fileSystem.entryKind(path + "/" + name) == nil
    }
}
