import Barge
import Crypto
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `barge receive` has done in a directory, in a file there
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
/// The journal is locked while open (until released), so two receivers
/// cannot share a directory.
final class ReceivedJournal {
    static let fileName = ".barge-received"
    /// The first line of a version 2 journal.
    static let header = "barge-received 2"
    /// The directory, inside the receive directory, holding payloads being
    /// written (kept apart, so no delivered file can be taken for one).
    static let partialDirectoryName = ".barge-partial"

    /// What an entry says.
    enum Entry: String {
        case writing, received, failed
    }

    private let fd: Int32
    private let directory: String
    deinit {
        close(fd)
    }

    /// File names of received messages, by key.
    private var received: [String: String] = [:]
    /// File names being written, by key (a crash interrupted the write).
    private var writing: [String: String] = [:]
    private var takenNames: Set<String> = []
    /// Lines of the file that did not check.
    private(set) var ignoredLines = 0

    /// Opens (or creates) the journal in `directory` and locks it; converts
    /// a version 1 journal.
    init(directory: String) throws {
        self.directory = directory
        let path = directory + "/" + Self.fileName
        // Once the object is whole (from here on), a throw closes `fd` in deinit.
        fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw CommandFailure("cannot open the receive journal \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another barge receive is writing into \(directory)" : String(cString: strerror(errno))
            throw CommandFailure("cannot lock the receive journal \(path): \(reason)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read the receive journal \(path): it is not a text file")
        }
        if text.isEmpty {
            try append(Self.header + "\n")
        } else if text.hasPrefix(Self.header + "\n") {
            read(version2: text)
        } else {
            try convert(version1: text, path: path)
        }
    }

    /// The file name a message was received under, if it was.
    func name(of key: String) -> String? { received[key] }

    /// The file name a message was being written to when a receiver stopped.
    func interruptedName(of key: String) -> String? { writing[key] }

    /// Whether some message was received, or is being written, under `name`.
    func isTaken(_ name: String) -> Bool { takenNames.contains(name) }

    /// The directory for payloads being written, emptied of what a receiver
    /// killed mid-payload left there (created if missing).
    func preparePartialDirectory() throws -> String {
        let path = directory + "/" + Self.partialDirectoryName
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw CommandFailure("\(path) is in the way: it should be a directory of barge receive's partial files")
            }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                unlink(path + "/" + file)
            }
        } else if mkdir(path, 0o700) != 0 {
            throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// Records that `key` is about to be written to `name`.
    func beginWriting(_ key: String, name: String) async throws {
        try await sync(.writing, key, name)
        writing[key] = name
        takenNames.insert(name)
    }

    /// Records `key` as received under `name`.
    func record(_ key: String, name: String) async throws {
        try await sync(.received, key, name)
        writing[key] = nil
        received[key] = name
        takenNames.insert(name)
    }

    /// Records that `key` failed (`kind` says how) and was passed.
    func recordFailure(_ key: String, kind: String) async throws {
        try await sync(.failed, key, kind)
    }

    // MARK: Format

    /// `entry`'s line, checksum included.
    static func line(_ entry: Entry, _ key: String, _ detail: String) -> String {
        let body = "\(entry.rawValue) \(escape(key)) \(escape(detail))"
        return body + " " + checksum(body) + "\n"
    }

    /// Percent-encodes every byte that is not printable ASCII, and `%` itself.
    static func escape(_ text: String) -> String {
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
    static func unescape(_ escaped: Substring) -> String? {
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
    private func convert(version1 text: String, path: String) throws {
        var lines = Self.header + "\n"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2 else { continue }
            apply(.received, String(fields[0]), String(fields[1]))
            lines += Self.line(.received, String(fields[0]), String(fields[1]))
        }
        let temporary = directory + "/" + Self.partialDirectoryName + "-journal"
        unlink(temporary)
        let out = open(temporary, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard out >= 0 else { throw CommandFailure("cannot convert the receive journal: \(String(cString: strerror(errno)))") }
        defer { close(out) }
        guard writeAll(out, Array(lines.utf8)), fsync(out) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure("cannot convert the receive journal: \(String(cString: strerror(errno)))")
        }
        syncDirectory(directory)
        // The lock is on the old file's descriptor: take the new one's the same way.
        guard dup2(out, fd) >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw CommandFailure("cannot reopen the receive journal: \(String(cString: strerror(errno)))")
        }
    }

    private func append(_ text: String) throws {
        guard writeAll(fd, Array(text.utf8)), fsync(fd) == 0 else {
            throw CommandFailure("cannot write the receive journal: \(String(cString: strerror(errno)))")
        }
    }

    /// Appends and syncs one entry, off Swift's cooperative pool.
    private func sync(_ entry: Entry, _ key: String, _ detail: String) async throws {
        let bytes = Array(Self.line(entry, key, detail).utf8)
        try await NIOThreadPool.singleton.runIfActive { [fd] in
            guard writeAll(fd, bytes), fsync(fd) == 0 else {
                throw CommandFailure("cannot write the receive journal: \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Writes all of `bytes` to `fd`, retrying after interruptions.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else { return false }
        written += result
    }
    return true
}

/// Syncs `directory`, so that a rename in it survives a power loss (best effort).
private func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
}
