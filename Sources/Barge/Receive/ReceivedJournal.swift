import Crypto
import FileIO
import NIOPosix

/// What a receiver (such as `barge receive`) has done in a directory, in a file there
/// (`.barge-received`): which message went to which file, which file a
/// message is being written to, and which messages failed. A message
/// delivered again after a crash between writing its file and committing
/// its offset is recognised and not written twice, and a write a crash cut
/// short resumes under the same name. Entries are synced before the offset
/// is committed.
///
/// Format (version 2): a first line `barge-received 2`, then one entry a
/// line: `<what> <key> <detail> <check>`, where `<what>` is `writing`,
/// `received` or `failed`, `<key>` the message id (or
/// `TOPIC-PARTITION-OFFSET`), `<detail>` the file name (or the failure's
/// kind), both percent-encoded so that neither can hold a space or a line
/// break, and `<check>` the first 8 hex digits of the SHA-256 of the rest of
/// the line. A line that does not check (torn by a crash, edited) is
/// ignored. A journal of version 1 (`<id> <name>` lines, no first line) is
/// read and rewritten in version 2.
///
/// The journal is locked (flock) while open, so two receivers cannot share
/// a directory. Every file operation goes through `FileIO`; blocking calls
/// run on NIO's thread pool, never on Swift's cooperative pool. Failures
/// are ``ReceivedJournalError``s.
public final class ReceivedJournal {
    /// The journal's file name in the receive directory.
    public static let fileName = ".barge-received"
    /// The first line of a version 2 journal.
    public static let header = "barge-received 2"
    /// The directory, inside the receive directory, holding payloads being
    /// written (kept apart, so no delivered file can be taken for one).
    public static let partialDirectoryName = ".barge-partial"

    /// What an entry says.
    public enum Entry: String, Sendable {
        case writing, received, failed
    }

    private let fileSystem: any FileSystemIO
    private let directory: String
    private let path: String
    /// The open, locked journal file.
    private var file: any FileHandleIO
    /// Where the next entry is written (the end of the file).
    private var end = 0

    /// File names of received messages, by key.
    private var received: [String: String] = [:]
    /// File names being written, by key (a crash interrupted the write).
    private var writing: [String: String] = [:]
    private var takenNames: Set<String> = []
    /// Lines of the file that did not check.
    public private(set) var ignoredLines = 0

    /// Opens (or creates) the journal in `directory` and locks it; converts
    /// a version 1 journal. Blocks on the disk.
    public init(directory: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws {
        self.fileSystem = fileSystem
        self.directory = directory
        path = directory + "/" + Self.fileName
        do throws(FileIOError) {
            file = try fileSystem.open(path, mode: FileOpenMode.create.noFollow)
        } catch {
            throw ReceivedJournalError("cannot open the receive journal \(path): \(error.reason)")
        }
        // Once the object is whole (from here on), a throw closes `file` in deinit.
        try lock(file)
        let bytes: [UInt8]
        do throws(FileIOError) {
            bytes = try file.readAll()
        } catch {
            throw ReceivedJournalError("cannot read the receive journal \(path): \(error.reason)")
        }
        end = bytes.count
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReceivedJournalError("cannot read the receive journal \(path): it is not a text file")
        }
        if text.isEmpty {
            try append(Array((Self.header + "\n").utf8))
        } else if text.hasPrefix(Self.header + "\n") {
            read(version2: text)
        } else {
            try convert(version1: text)
        }
    }

    deinit {
        file.close()
    }

    /// The file name a message was received under, if it was.
    public func name(of key: String) -> String? { received[key] }

    /// The file name a message was being written to when a receiver stopped.
    public func interruptedName(of key: String) -> String? { writing[key] }

    /// Whether some message was received, or is being written, under `name`.
    public func isTaken(_ name: String) -> Bool { takenNames.contains(name) }

    /// The directory for payloads being written, emptied of what a receiver
    /// killed mid-payload left there (created if missing). Blocks on the disk.
    public func preparePartialDirectory() throws -> String {
        let partial = directory + "/" + Self.partialDirectoryName
        switch fileSystem.entryKind(partial) {
        case .directory:
            for name in (try? fileSystem.list(partial)) ?? [] {
                try? fileSystem.removeIfPresent(partial + "/" + name)
            }
        case nil:
            do throws(FileIOError) {
                try fileSystem.makeDirectory(partial)
            } catch {
                throw ReceivedJournalError("cannot create \(partial): \(error.reason)")
            }
        default:
            throw ReceivedJournalError("\(partial) is in the way: it should be a directory of barge receive's partial files")
        }
        return partial
    }

    /// Records that `key` is about to be written to `name`.
    public func beginWriting(_ key: String, name: String) async throws {
        try await sync(.writing, key, name)
        writing[key] = name
        takenNames.insert(name)
    }

    /// Records `key` as received under `name`.
    public func record(_ key: String, name: String) async throws {
        try await sync(.received, key, name)
        writing[key] = nil
        received[key] = name
        takenNames.insert(name)
    }

    /// Records that `key` failed (`kind` says how) and was passed.
    public func recordFailure(_ key: String, kind: String) async throws {
        try await sync(.failed, key, kind)
    }

    // MARK: Format

    /// `entry`'s line, checksum included.
    public static func line(_ entry: Entry, _ key: String, _ detail: String) -> String {
        let body = "\(entry.rawValue) \(escape(key)) \(escape(detail))"
        return body + " " + checksum(body) + "\n"
    }

    /// Percent-encodes every byte that is not printable ASCII, and `%` itself.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for byte in text.utf8 {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                escaped += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return escaped
    }

    /// The text `escaped` encodes; nil if it is not what ``escape(_:)`` writes.
    public static func unescape(_ escaped: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = escaped.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func checksum(_ body: String) -> String {
        SHA256.hash(data: Array(body.utf8)).prefix(4).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private func read(version2 text: String) {
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, Self.checksum(fields[0...2].joined(separator: " ")) == fields[3],
                  let entry = Entry(rawValue: String(fields[0])),
                  let key = Self.unescape(fields[1]), let detail = Self.unescape(fields[2]) else {
                ignoredLines += 1
                continue
            }
            apply(entry, key, detail)
        }
    }

    private func apply(_ entry: Entry, _ key: String, _ detail: String) {
        switch entry {
        case .writing:
            writing[key] = detail
            takenNames.insert(detail)
        case .received:
            writing[key] = nil
            received[key] = detail
            takenNames.insert(detail)
        case .failed:
            break
        }
    }

    /// Reads `<id> <name>` lines and replaces the file with its version 2 form.
    private func convert(version1 text: String) throws {
        var lines = Self.header + "\n"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2 else { continue }
            apply(.received, String(fields[0]), String(fields[1]))
            lines += Self.line(.received, String(fields[0]), String(fields[1]))
        }
        let temporary = directory + "/" + Self.partialDirectoryName + "-journal"
        let bytes = Array(lines.utf8)
        do throws(FileIOError) {
            try fileSystem.removeIfPresent(temporary)
            try fileSystem.writeAtomically(bytes, to: path, temporary: temporary)
        } catch {
            throw ReceivedJournalError("cannot convert the receive journal: \(error.reason)")
        }
        // The lock is on the old file: take the new one's the same way.
        let converted: any FileHandleIO
        do throws(FileIOError) {
            converted = try fileSystem.open(path, mode: FileOpenMode.readWrite.noFollow)
        } catch {
            throw ReceivedJournalError("cannot reopen the receive journal: \(error.reason)")
        }
        file.close()
        file = converted
        end = bytes.count
        try lock(file)
    }

    /// Takes the journal's lock, or says who has it.
    private func lock(_ file: any FileHandleIO) throws {
        let locked: Bool
        do throws(FileIOError) {
            locked = try file.tryLock()
        } catch {
            throw ReceivedJournalError("cannot lock the receive journal \(path): \(error.reason)")
        }
        guard locked else {
            throw ReceivedJournalError("cannot lock the receive journal \(path): another barge receive is writing into \(directory)")
        }
    }

    /// Writes `bytes` at the end of the journal and syncs it.
    private func append(_ bytes: [UInt8]) throws {
        try Self.write(bytes, to: file, at: end)
        end += bytes.count
    }

    /// Appends and syncs one entry, off Swift's cooperative pool.
    private func sync(_ entry: Entry, _ key: String, _ detail: String) async throws {
        let bytes = Array(Self.line(entry, key, detail).utf8)
        let (file, end) = (self.file, self.end)
        try await NIOThreadPool.singleton.runIfActive { try Self.write(bytes, to: file, at: end) }
        self.end += bytes.count
    }

    private static func write(_ bytes: [UInt8], to file: any FileHandleIO, at end: Int) throws {
        do throws(FileIOError) {
            try file.write(bytes, at: end)
            try file.sync()
        } catch {
            throw ReceivedJournalError("cannot write the receive journal: \(error.reason)")
        }
    }
}

/// A receive journal that cannot be opened, locked, read or written; the message says which and why.
public struct ReceivedJournalError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the journal's file.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
