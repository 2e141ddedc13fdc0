import BargeCore
import FileIO

extension BargeKeyring {
    /// The largest key file read: a keyring is a few lines of 50 bytes.
    static let keyFileLimit = 1 << 20

    /// Reads and parses the key file at `path` (see ``init(fileContents:)``),
    /// through `fileSystem`. Errors name the file, never a key.
    public init(contentsOfFile path: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws(BargeEncryptionError) {
        let bytes: [UInt8]?
        do throws(FileIOError) {
            bytes = try fileSystem.readWholeFile(path, limit: Self.keyFileLimit)
        } catch {
            throw BargeEncryptionError(.badKeyring, "the key file '\(path)' cannot be read: \(error.reason)")
        }
        guard let bytes else {
            throw BargeEncryptionError(.badKeyring, "the key file '\(path)' does not exist")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw BargeEncryptionError(.badKeyring, "the key file '\(path)' is not UTF-8 text")
        }
        do throws(BargeEncryptionError) {
            self = try BargeKeyring(fileContents: text)
        } catch {
            throw BargeEncryptionError(.badKeyring, keyID: error.keyID, "\(path): \(error.message)")
        }
    }
}
