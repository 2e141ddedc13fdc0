import FileIO
import Foundation

/// Small files of the broker written so that a crash leaves either the old
/// or the new content (`FileSystemIO.writeAtomically`).
///
/// The temporary file has a short name of its own (`.tmp-` and six random
/// characters) in the same folder, so that any name that fits the file
/// system (a 249-character topic's `<name>.json` takes 254 of 255 bytes) can
/// be written. A crash may leave one behind: `removeLeftovers(in:)` clears them.
struct DurableFile: Sendable {
    /// The start of every temporary file's name.
    static let temporaryPrefix = ".tmp-"

    let fileSystem: any FileSystemIO

    /// Replaces the file at `path` with `bytes`, durably.
    func write(_ bytes: [UInt8], to path: String) throws(FileIOError) {
        let suffix = String((0..<6).map { _ in Self.nameCharacters.randomElement()! })
        let temporary = "\(parentDirectory(of: path))/\(Self.temporaryPrefix)\(suffix)"
        try fileSystem.writeAtomically(bytes, to: path, temporary: temporary)
    }

    /// Replaces the file at `path` with `value` as JSON (keys sorted),
    /// durably, creating its folder (durably too) if it is missing.
    func writeJSON(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(value))
        try fileSystem.makeDirectories(parentDirectory(of: path), durably: true)
        try write(bytes, to: path)
    }

    /// Removes the temporary files that writes interrupted by a crash left in
    /// `folder` (and those of earlier versions, named `<file>.tmp`); returns their names.
    @discardableResult
    func removeLeftovers(in folder: String) throws(FileIOError) -> [String] {
        let names = try fileSystem.list(folder).filter { $0.hasPrefix(Self.temporaryPrefix) || $0.hasSuffix(".tmp") }
        for name in names { try fileSystem.removeIfPresent(folder + "/" + name) }
        return names
    }

    /// Forces the folder holding `path` to disk, so that a rename or removal in it is durable.
    func syncDirectory(of path: String) throws(FileIOError) {
        try fileSystem.syncDirectory(parentDirectory(of: path))
    }

    private static let nameCharacters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
}
