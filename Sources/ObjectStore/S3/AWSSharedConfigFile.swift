import FileIO
import Foundation

/// The sections of an AWS shared file (`~/.aws/credentials` or `~/.aws/config`): INI text
/// with `[section]` headers, `name = value` lines and `#` or `;` comments. A setting with
/// no value opens a nested block (`s3 =` followed by indented lines), which is skipped.
struct AWSSharedConfigFile: Sendable, Hashable {
    /// The largest file read; shared files are a few hundred bytes.
    static let maximumSize = 1 << 20

    /// Settings by section name (as written between the brackets, trimmed), then by lower-cased name.
    var sections: [String: [String: String]] = [:]

    /// Parses `text`.
    init(parsing text: String) {
        var section: String?
        var inNestedBlock = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if inNestedBlock && rawLine.first?.isWhitespace == true { continue }
            inNestedBlock = false
            if line.hasPrefix("[") {
                section = line.hasSuffix("]") ? line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces) : nil
                if let section, sections[section] == nil { sections[section] = [:] }
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty {
                inNestedBlock = true
            } else {
                sections[section, default: [:]][name] = value
            }
        }
    }

    /// Reads the file at `path`; nil when there is no such file.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` when the file exists but cannot be read.
    init?(contentsOf path: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws(ObjectStoreError) {
        let bytes: [UInt8]?
        do throws(FileIOError) {
            bytes = try fileSystem.readWholeFile(path, limit: Self.maximumSize)
        } catch where error.code == FileIOError.tooLarge {
            throw ObjectStoreError(.configuration, "AWS shared file \(path) is larger than \(Self.maximumSize) bytes")
        } catch {
            throw ObjectStoreError(.configuration, "cannot read AWS shared file \(path): \(error.reason)")
        }
        guard let bytes else { return nil }
        self.init(parsing: String(decoding: bytes, as: UTF8.self))
    }
}
